import { Module, ModuleDeps, ModuleParts } from '../module';
import { Unit } from '../../entities';
import { dataServicesRouter } from './routes';
import { Guards } from './guard';
import { LookupRunner, lookupWorker } from './lookup';
import { seedDemoDataService } from './demo';

/** 秒核: issuing units' data services answer digital verifications before people do (SPEC 1 Art. 7). */
export const dataServicesModule: Module = {
  name: 'data-services',
  register(deps: ModuleDeps): ModuleParts {
    const guards = new Guards();
    if (deps.metrics) deps.metrics.dataServiceCircuits = () => guards.circuits();
    let closeDemo: (() => Promise<void>) | null = null;
    const worker = lookupWorker(new LookupRunner(deps, guards, deps.metrics), deps.dataSource);
    const stop = worker.stop;
    worker.stop = async () => {
      await stop();
      if (closeDemo) await closeDemo();
    };
    return {
      apiRouters: [dataServicesRouter(deps, guards)],
      workers: [worker],
      // Sandbox mode: a household register answers 户籍证明 of the demo police unit.
      seedDemo: async () => {
        const key = deps.config.dataServiceKey;
        if (!key || !(await deps.dataSource.getRepository(Unit).existsBy({ code: 'GAJ' }))) return;
        closeDemo = await seedDemoDataService(deps.dataSource, key, deps.now());
      },
    };
  },
};
