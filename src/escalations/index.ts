import { Module, ModuleDeps, ModuleParts } from '../module';
import { Job, guardedJob } from '../scheduler';
import { DeadlineDeps, deadlineDeps } from './deps';
import { discoverRequests } from './discover.job';
import { runStages } from './engine';
import { announceEscalations } from './announce.job';
import { closeDoneCards } from './close-cards.job';
import { closeHolderCards } from './holder-cards';
import { registerOfficeActionHandlers } from './chat';
import { registerOfficeCommands } from './office-chat';
import { escalationsRouter } from './routes';
import { summonsRouter } from './summons.routes';

export { DeadlineDeps, deadlineDeps } from './deps';

/** The sweep's deadline jobs, in order: track new requests, fire due stages, tell the office group. */
export function deadlineJobs(d: DeadlineDeps, opts: Parameters<typeof runStages>[2] = {}): Job[] {
  return [
    { name: 'deadlines-discover', run: (now: Date) => discoverRequests(d, now) },
    { name: 'deadlines-stages', run: (now: Date) => runStages(d, now, opts) },
    guardedJob(d.log, 'deadlines-announce', (now) => announceEscalations(d, now)),
    guardedJob(d.log, 'deadlines-close-cards', (now) => closeDoneCards(d, now)),
    guardedJob(d.log, 'deadlines-close-holder-cards', (now) => closeHolderCards(d, now)),
  ];
}

/**
 * SPEC 1 Art. 7, 10, 11: reminders, backup pings, escalations to the office and the
 * office's actions (督办 / 责成限时办结 / 约谈), and the office's stage settings.
 */
export const escalationsModule: Module = {
  name: 'escalations',
  register(deps: ModuleDeps): ModuleParts {
    const d = deadlineDeps(deps);
    registerOfficeActionHandlers(deps.dispatcher, d);
    registerOfficeCommands(deps.dispatcher, d);
    return { apiRouters: [escalationsRouter(deps, d), summonsRouter(deps, d)] };
  },
  jobs: (deps) => deadlineJobs(deadlineDeps(deps)),
};
