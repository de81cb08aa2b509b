import { JobDeps, Module, ModuleDeps, ModuleParts } from '../module';
import { getVerificationEntry } from '../exemptions/lookup';
import { SessionSigner } from './session';
import { OpContext, EntryLookup } from './common';
import { registerVerificationHandlers } from './chat';
import { registerTodoCommand } from './todo-chat';
import { verificationRouter } from './routes';
import { detailPageRouter } from './page';
import { readLogRouter } from './read-log';
import { repairCards } from './card-repair.job';
import { refreshProvisionalDeadlines } from './provisional-deadlines';

function opContextOf(deps: JobDeps): (now: Date) => Promise<OpContext> {
  return async (now) => ({ cal: await deps.calendar(), now, publicUrl: deps.config.publicUrl, tz: deps.config.officeTz });
}

/**
 * SPEC 1 (证明事项核验实施办法): API, card and chat handlers, the detail page, and the
 * card-repair job.
 */
export const verificationModule: Module = {
  name: 'verification',
  register(deps: ModuleDeps): ModuleParts {
    const opContext = opContextOf(deps);
    const lookupEntry: EntryLookup = (m, id) => getVerificationEntry(m, id);
    registerVerificationHandlers(deps.dispatcher, { opContext, log: deps.log });
    registerTodoCommand(deps.dispatcher, { calendar: deps.calendar, tz: deps.config.officeTz });
    const secret = deps.config.wecom?.secret;
    const publicRouters = secret ? [detailPageRouter({ deps, signer: new SessionSigner(secret), opContext })] : [];
    return {
      publicRouters,
      apiRouters: [verificationRouter({ deps, lookupEntry, opContext }), readLogRouter(deps)],
    };
  },
  jobs: (deps) => [
    { name: 'verification-card-repair', run: (now) => repairCards(deps.dataSource, opContextOf(deps), now) },
    { name: 'verification-provisional-deadlines', run: async (now) => (await refreshProvisionalDeadlines(deps.dataSource, await deps.calendar(), now)).map((r) => ({ action: 'deadline_recomputed', ...r })) },
  ],
};
