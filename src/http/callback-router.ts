import Router from '@koa/router';
import { Context } from 'koa';
import { CallbackKeys, MAX_CALLBACK_BYTES, OpenedCallback, openCallback, verifyUrl } from '../wecom/callback';
import { Inbox, senderKeyOf } from '../wecom/inbox';
import { CallbackSpool } from '../wecom/spool';
import { readRawBody } from './body';
import { AppError } from '../errors';
import { Metrics } from '../metrics';
import { Logger } from '../logger';

function query(ctx: Context): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(ctx.query)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

/** How long the answer waits for the inbox before the callback goes to the spool (WeCom gives up at 5 s). */
export const SPOOL_AFTER_MS = 2_500;
/** How long a callback waits for the spool's backlog to reach the inbox first (its order kept). */
export const DRAIN_BUDGET_MS = 1_500;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer from the inbox in ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

/**
 * The receiver (Bolt's split): verify, decrypt, dedupe, persist, answer 200 with an empty
 * body, then process. A callback is only acknowledged once it is kept: in the inbox, or,
 * when the database fails or is slow, in the spool (WeCom may never resend it: DOC 90930).
 * Only a callback neither could keep is answered 5xx.
 */
export function callbackRouter(deps: { keys: () => CallbackKeys; inbox: Inbox; metrics: Metrics; log: Logger; accepting: () => boolean; now?: () => Date; spool?: CallbackSpool; spoolAfterMs?: number }): Router {
  const r = new Router();
  const now = deps.now ?? (() => new Date());
  const spool = deps.spool;
  const spoolAfterMs = deps.spoolAfterMs ?? SPOOL_AFTER_MS;
  /** Keeps the callback in the spool; true when kept. */
  const keep = async (opened: OpenedCallback, cause: unknown, reqId: unknown): Promise<boolean> => {
    if (!spool) return false;
    try {
      await spool.append(opened, now());
      deps.log.warn({ kind: opened.kind, err: (cause as Error)?.message, reqId }, 'inbox unavailable: callback kept in the spool');
      return true;
    } catch (e) {
      deps.log.error({ kind: opened.kind, err: (e as Error).message, reqId }, 'callback could be kept neither in the inbox nor in the spool');
      return false;
    }
  };
  /** Kept in the spool: 200 with an empty body; the spool full or unwritable: 503. */
  const keepOr503 = async (opened: OpenedCallback, cause: unknown, ctx: Context): Promise<void> => {
    if (!(await keep(opened, cause, ctx.state.reqId))) throw new AppError('not_ready', 'the callback could be kept neither in the inbox nor in the spool');
    deps.metrics.callbacks.inc({ type: opened.kind, outcome: 'spooled' });
    ctx.status = 200;
    ctx.body = '';
  };
  r.get('/wecom/callback', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = verifyUrl(deps.keys(), query(ctx));
  });
  r.post('/wecom/callback', async (ctx) => {
    // Shutting down: with a spool the callback is still kept (inbox, else spool) and the recovery
    // loop of another instance, or of the next start, processes it; without one it is refused.
    if (!deps.accepting() && !spool) throw new AppError('not_ready', 'shutting down');
    let kind = 'invalid';
    try {
      const body = await readRawBody(ctx, MAX_CALLBACK_BYTES).catch((e: unknown) => {
        // A client that aborts or garbles the upload is the client's fault, not ours.
        throw e instanceof AppError ? e : new AppError('bad_request', 'the request body could not be read');
      });
      const opened = openCallback(deps.keys(), query(ctx), body, now());
      kind = opened.kind;
      // What the spool holds goes to the inbox first, so one sender's callbacks keep their order.
      if (spool?.hasPending() && !(await spool.drain(DRAIN_BUDGET_MS).catch(() => false))) {
        await keepOr503(opened, new Error('spool backlog'), ctx);
        return;
      }
      let stored: { id: number; duplicate: boolean };
      try {
        stored = await (spool ? within(deps.inbox.accept(opened), spoolAfterMs) : deps.inbox.accept(opened));
      } catch (e) {
        if (!spool) throw e;
        await keepOr503(opened, e, ctx);
        return;
      }
      const { id, duplicate } = stored;
      ctx.status = 200;
      ctx.body = '';
      if (duplicate) {
        deps.metrics.callbacks.inc({ type: kind, outcome: 'duplicate' });
        return;
      }
      deps.metrics.callbacks.inc({ type: kind, outcome: 'accepted' });
      deps.inbox.schedule(id, senderKeyOf(opened.fields, id));
    } catch (e) {
      const code = e instanceof AppError ? e.code : 'internal';
      deps.metrics.callbacks.inc({ type: kind, outcome: code });
      if (e instanceof AppError) deps.log.warn({ code, reqId: ctx.state.reqId }, 'callback refused');
      throw e;
    }
  });
  return r;
}
