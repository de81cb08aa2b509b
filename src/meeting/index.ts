import { Module, ModuleDeps, ModuleParts } from '../module';
import { guardedJob } from '../scheduler';
import { meetingRouter } from './routes';
import { registerMeetingHandlers } from './chat';
import { meetingReminders } from './reminders.job';
import { progressReminders } from './progress.job';
import { meetingMembersRouter } from './members-routes';

/** SPEC 5: the joint meeting (联席会议制度): members, schedule, reminders, agenda, minutes, decisions and progress. */
export const meetingModule: Module = {
  name: 'meeting',
  register(deps: ModuleDeps): ModuleParts {
    registerMeetingHandlers(deps.dispatcher, { config: deps.config, calendar: deps.calendar });
    return { apiRouters: [meetingRouter(deps), meetingMembersRouter(deps)] };
  },
  jobs: (deps) => [guardedJob(deps.log, 'meeting-reminders', (now) => meetingReminders(deps, now)), guardedJob(deps.log, 'meeting-progress', (now) => progressReminders(deps, now))],
};
