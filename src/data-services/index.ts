import { Module, ModuleDeps, ModuleParts } from '../module';
import { dataServicesRouter } from './routes';
import { Guards } from './guard';
import { LookupRunner, lookupWorker } from './lookup';

/** 秒核: issuing units' data services answer digital verifications before people do (SPEC 1 Art. 7). */
export const dataServicesModule: Module = {
  name: 'data-services',
  register(deps: ModuleDeps): ModuleParts {
    const guards = new Guards();
    return { apiRouters: [dataServicesRouter(deps, guards)], workers: [lookupWorker(new LookupRunner(deps, guards, deps.metrics))] };
  },
};
