import { Module, ModuleDeps, ModuleParts } from '../module';
import { directoryRouter } from '../directory/routes';
import { getVerificationEntry } from '../exemptions/lookup';
import { SessionSigner } from './session';
import { OpContext, EntryLookup } from './service';
import { registerVerificationHandlers } from './chat';
import { verificationRouter } from './routes';
import { detailPageRouter } from './page';
import { repairCards } from './card-repair.job';
import { refreshProvisionalDeadlines } from './provisional-deadlines';
import { seedDemoDirectory } from './demo';

/**
 * SPEC 1 (证明事项核验实施办法) and the directory of Art. 6: API, card and chat handlers,
 * the detail page, and the card-repair job.
 */
export const verificationModule: Module = {
  name: 'verification',
  register(deps: ModuleDeps): ModuleParts {
    const opContext = async (now: Date): Promise<OpContext> => ({ cal: await deps.calendar(), now, publicUrl: deps.config.publicUrl, tz: deps.config.officeTz });
    const lookupEntry: EntryLookup = (m, id) => getVerificationEntry(m, id);
    registerVerificationHandlers(deps.dispatcher, { opContext, log: deps.log });
    const secret = deps.config.wecom?.secret;
    const publicRouters = secret ? [detailPageRouter({ deps, signer: new SessionSigner(secret), opContext })] : [];
    return {
      publicRouters,
      apiRouters: [directoryRouter(deps), verificationRouter({ deps, lookupEntry, opContext })],
      jobs: [
        { name: 'verification-card-repair', run: (now) => repairCards(deps.dataSource, opContext, now) },
        { name: 'verification-provisional-deadlines', run: async (now) => (await refreshProvisionalDeadlines(deps.dataSource, await deps.calendar(), now)).map((r) => ({ action: 'deadline_recomputed', ...r })) },
      ],
      seedDemo: () => seedDemoDirectory(deps.dataSource, deps.now()),
    };
  },
};
