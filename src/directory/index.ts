import { Module, ModuleDeps, ModuleParts } from '../module';
import { directoryRouter } from './routes';
import { seedDemoDirectory } from './demo';

/** SPEC 1 Art. 6: units, staff and their A/B roles, kept by the office through the API. */
export const directoryModule: Module = {
  name: 'directory',
  register(deps: ModuleDeps): ModuleParts {
    return {
      apiRouters: [directoryRouter(deps)],
      seedDemo: () => seedDemoDirectory(deps.dataSource, deps.now()),
    };
  },
};
