import { Module, ModuleDeps, ModuleParts } from '../module';
import { DeadlineDeps, reportDomainErrors } from './context';
import { discoverRequests } from './discover.job';
import { runStages } from './engine';
import { announceEscalations } from './announce.job';
import { registerOfficeActionHandlers } from './chat';
import { schedulerRouter } from './routes';
import { complaintDeadlines } from './complaints.job';

export function deadlineDeps(deps: Pick<ModuleDeps, 'dataSource' | 'config' | 'calendar' | 'log'>): DeadlineDeps {
  return { dataSource: deps.dataSource, config: deps.config, calendar: deps.calendar, log: deps.log };
}

/** The sweep's deadline jobs, in order: track new requests, fire due stages, tell the office group. */
export function deadlineJobs(d: DeadlineDeps, opts: Parameters<typeof runStages>[2] = {}) {
  return [
    { name: 'deadlines-discover', run: (now: Date) => discoverRequests(d, now) },
    { name: 'deadlines-stages', run: (now: Date) => runStages(d, now, opts) },
    { name: 'deadlines-announce', run: (now: Date) => reportDomainErrors(d.log, 'deadlines-announce', () => announceEscalations(d, now)) },
  ];
}

/**
 * SPEC 1 Art. 7, 10, 11: reminders, backup pings, escalations to the office and the
 * office's actions (督办 / 责成限时办结 / 约谈); the sweep runs every minute (src/main.ts)
 * or once from `npx nocert scheduler run --now`.
 */
export const schedulerModule: Module = {
  name: 'scheduler',
  register(deps: ModuleDeps): ModuleParts {
    const d = deadlineDeps(deps);
    registerOfficeActionHandlers(deps.dispatcher, d);
    return {
      apiRouters: [schedulerRouter(deps, d)],
      jobs: [...deadlineJobs(d), { name: 'complaint-deadlines', run: (now: Date) => reportDomainErrors(d.log, 'complaint-deadlines', () => complaintDeadlines(d, now)) }],
    };
  },
};
