import { Module, ModuleDeps, ModuleParts } from '../module';
import { accountabilityRouter } from './routes';
import { accountabilityOpenRouter } from './open-routes';
import { registerAccountabilityHandlers } from './chat';

/** SPEC 4: cases, decisions, appeals and exemptions; the person concerned acts in WeCom. */
export const accountabilityModule: Module = {
  name: 'accountability',
  register(deps: ModuleDeps): ModuleParts {
    registerAccountabilityHandlers(deps.dispatcher);
    return { apiRouters: [accountabilityRouter(deps), accountabilityOpenRouter(deps)] };
  },
};
