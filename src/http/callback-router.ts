import Router from '@koa/router';
import { Context } from 'koa';
import { CallbackKeys, MAX_CALLBACK_BYTES, openCallback, verifyUrl } from '../wecom/callback';
import { Inbox, senderKeyOf } from '../wecom/inbox';
import { readRawBody } from './body';
import { AppError } from '../errors';
import { Metrics } from '../metrics';
import { Logger } from '../logger';

function query(ctx: Context): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(ctx.query)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

/**
 * The receiver (Bolt's split): verify, decrypt, dedupe, persist, answer 200 with an empty
 * body, then process. A callback is only acknowledged once it is stored.
 */
export function callbackRouter(deps: { keys: () => CallbackKeys; inbox: Inbox; metrics: Metrics; log: Logger; accepting: () => boolean; now?: () => Date }): Router {
  const r = new Router();
  const now = deps.now ?? (() => new Date());
  r.get('/wecom/callback', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = verifyUrl(deps.keys(), query(ctx));
  });
  r.post('/wecom/callback', async (ctx) => {
    if (!deps.accepting()) throw new AppError('not_ready', 'shutting down');
    let kind = 'invalid';
    try {
      const body = await readRawBody(ctx, MAX_CALLBACK_BYTES).catch((e: unknown) => {
        // A client that aborts or garbles the upload is the client's fault, not ours.
        throw e instanceof AppError ? e : new AppError('bad_request', 'the request body could not be read');
      });
      const opened = openCallback(deps.keys(), query(ctx), body, now());
      kind = opened.kind;
      const { id, duplicate } = await deps.inbox.accept(opened);
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
