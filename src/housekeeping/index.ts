import { JobDeps, Module, ModuleParts } from '../module';
import { retentionJob } from '../db/retention.job';

/**
 * Work no rule of the SPEC asks for but running the service does: personal data pruned
 * after RETENTION_DAYS (PIPL Art. 19) by the sweep, on every instance's sweep alike (a
 * prune is idempotent, so no claim is needed).
 */
export const housekeepingModule: Module = {
  name: 'housekeeping',
  register(): ModuleParts {
    return {};
  },
  jobs(deps: JobDeps) {
    return [retentionJob(deps.dataSource, deps.config.retentionDays)];
  },
};
