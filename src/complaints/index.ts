/**
 * 投诉举报 (SPEC.md section 3): citizens complain over WeChat Customer Service (kf) or
 * through any receiver; the case lifecycle of Art. 7-11; the analysis of Art. 12-13.
 *
 * The module registers the kf callback, the liaison's card and chat answers and the API,
 * declares the kf worker (the composition root runs it), the outbox hook that marks a
 * notice delivered, and the deadline job (SPEC 3 Art. 7, 10).
 */
import { EntityManager } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { Module, ModuleDeps, OnSent, Worker } from '../module';
import { guardedJob } from '../scheduler';
import { KfApi, KfWorker, KfWorkerDeps, recordKfSyncRequest } from './kf-runtime';
import { complaintCardHandler, registerComplaintAnswers } from './liaison';
import { CARD_ACTION, REF } from './model';
import { markNoticeSent } from './notify';
import { complaintsRouter } from './routes';
import { worklistRouter } from './worklist-routes';
import { complaintDeadlines } from './deadlines.job';
import { complaintSharing } from './sharing.job';

export { KfWorker } from './kf-runtime';
export type { KfApi, KfRunResult, KfWorkerDeps } from './kf-runtime';
export { dueComplaintReminders, unansweredComplaints, undeliveredResults, purgeExpiredConversations } from './reminders';

export const complaintsModule: Module = {
  name: 'complaints',
  register(deps: ModuleDeps) {
    // kf_msg_or_event: answered at once; only "sync needed" is written, in the callback's transaction.
    const knownAccounts = new Set<string>();
    deps.dispatcher.onKf(async (e, { manager, now, log }) => {
      await recordKfSyncRequest(manager, e, now, log, knownAccounts);
    });
    const office = () => ({ chatId: deps.config.officeChatId, robotWebhook: deps.config.officeRobotWebhook });
    deps.dispatcher.onCardAction(CARD_ACTION, complaintCardHandler({ calendar: deps.calendar, office }));
    registerComplaintAnswers(deps.dispatcher, { calendar: deps.calendar, office });
    // The worklist and tables first: /complaints/worklist is not a case id.
    return { apiRouters: [worklistRouter(deps), complaintsRouter(deps)], workers: [kfWorker(deps)], onSent: [complaintsOnSent] };
  },
  jobs: (deps) => [
    guardedJob(deps.log, 'complaint-deadlines', (now) => complaintDeadlines(deps, now)),
    guardedJob(deps.log, 'complaint-sharing', (now) => complaintSharing(deps, now)),
  ],
};

/**
 * The kf worker as the composition root runs it: woken by kf callbacks, and waking the
 * outbox after a pass that processed messages or reconciled notices.
 */
function kfWorker(deps: ModuleDeps): Worker {
  let afterWork: () => void = () => undefined;
  const w = createKfWorker(deps, deps.wecom, { afterPass: (r) => (r.processed || r.reconciled ? afterWork() : undefined) });
  return {
    name: 'kf',
    intervalMs: 1000,
    wakeOn: ['kf_msg_or_event'],
    start(after) {
      afterWork = after;
      w.start(this.intervalMs);
    },
    nudge: () => w.nudge(),
    runOnce: async () => {
      const k = await w.runOnce();
      return !!(k.synced || k.processed || k.reconciled);
    },
    stop: () => w.stop(),
  };
}

/** The kf worker of this instance; `api` is the WeComClient (kfSyncMsg). */
export function createKfWorker(deps: ModuleDeps, api: KfApi, opts: Partial<Omit<KfWorkerDeps, 'dataSource' | 'api'>> = {}): KfWorker {
  return new KfWorker({
    dataSource: deps.dataSource,
    api,
    calendar: deps.calendar,
    log: deps.log,
    now: deps.now,
    instanceId: deps.config.instanceId,
    office: { chatId: deps.config.officeChatId, robotWebhook: deps.config.officeRobotWebhook, phone: deps.config.officePhone, hours: deps.config.officeHoursText },
    ...opts,
  });
}

/**
 * For the outbox's onSent hook: a complainant notice WeCom accepted marks the case's
 * result delivered at once (the worker's reconcile pass does the same, later).
 */
export const complaintsOnSent: OnSent = Object.assign(
  async (row: OutboxMessage, _result: Record<string, unknown>, m: EntityManager): Promise<void> => {
    if (row.refType === REF.notice && row.refId && /^\d+$/.test(row.refId)) await markNoticeSent(m, Number(row.refId), row.sentAt ?? row.createdAt);
  },
  // Only notices: every other row (replies, cards) is marked sent without a transaction.
  { wants: (row: OutboxMessage) => row.refType === REF.notice },
);
