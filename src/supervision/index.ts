import { Module, ModuleDeps, ModuleParts } from '../module';
import { deadlineDeps } from '../scheduler';
import { reportDomainErrors } from '../scheduler/context';
import { supervisionRouter } from './routes';
import { weeklySummary } from './weekly.job';

/** SPEC 1 Art. 13: supervision figures, their export, and the office's weekly summary. */
export const supervisionModule: Module = {
  name: 'supervision',
  register(deps: ModuleDeps): ModuleParts {
    const d = deadlineDeps(deps);
    return {
      apiRouters: [supervisionRouter(deps)],
      jobs: [{ name: 'supervision-weekly', run: (now) => reportDomainErrors(d.log, 'supervision-weekly', () => weeklySummary(d, now)) }],
    };
  },
};
