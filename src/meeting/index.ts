import { Module, ModuleDeps, ModuleParts } from '../module';
import { deadlineDeps } from '../scheduler';
import { reportDomainErrors } from '../scheduler/context';
import { meetingRouter } from './routes';
import { registerMeetingHandlers } from './chat';
import { meetingReminders } from './reminders.job';

/** SPEC 5: the joint meeting (联席会议制度): schedule, reminders, agenda, minutes, acknowledgements. */
export const meetingModule: Module = {
  name: 'meeting',
  register(deps: ModuleDeps): ModuleParts {
    registerMeetingHandlers(deps.dispatcher, { config: deps.config, calendar: deps.calendar });
    const d = deadlineDeps(deps);
    return { apiRouters: [meetingRouter(deps)], jobs: [{ name: 'meeting-reminders', run: (now) => reportDomainErrors(d.log, 'meeting-reminders', () => meetingReminders(d, now)) }] };
  },
};
