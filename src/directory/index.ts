import { Module, ModuleDeps, ModuleParts } from '../module';
import { directoryRouter } from './routes';
import { seedDemoDirectory } from './demo';
import { registerAwayCommands } from './away-chat';

/** SPEC 1 Art. 6: units, staff and their A/B roles, kept by the office through the API. */
export const directoryModule: Module = {
  name: 'directory',
  register(deps: ModuleDeps): ModuleParts {
    registerAwayCommands(deps.dispatcher, deps.calendar);
    return {
      apiRouters: [directoryRouter(deps)],
      seedDemo: () => seedDemoDirectory(deps.dataSource, deps.now()),
    };
  },
};
