import { Module, ModuleDeps, ModuleParts } from '../module';
import { accountabilityRouter } from './routes';
import { accountabilityOpenRouter } from './open-routes';

/** SPEC 4: accountability evidence, outcomes, appeals and exemptions through the office API. */
export const accountabilityModule: Module = {
  name: 'accountability',
  register(deps: ModuleDeps): ModuleParts {
    return { apiRouters: [accountabilityRouter(deps), accountabilityOpenRouter(deps)] };
  },
};
