import { Module, ModuleDeps, ModuleParts } from '../module';
import { guardedJob } from '../scheduler';
import { supervisionRouter } from './routes';
import { weeklySummary } from './weekly.job';

/** SPEC 1 Art. 13: supervision figures, their export, and the office's weekly summary. */
export const supervisionModule: Module = {
  name: 'supervision',
  register(deps: ModuleDeps): ModuleParts {
    return { apiRouters: [supervisionRouter(deps)] };
  },
  jobs: (deps) => [guardedJob(deps.log, 'supervision-weekly', (now) => weeklySummary(deps, now))],
};
