/**
 * /sandbox/...: a thin HTTP surface over the emulator's methods, so a person running
 * `npm start` in sandbox mode can read what "WeCom" delivered and click cards with curl.
 */
import { Router } from '@koa/router';
import type Koa from 'koa';
import { readText } from './http-body';
import type { WeComEmulator } from './emulator';

async function json(ctx: Koa.Context): Promise<Record<string, any>> {
  const raw = await readText(ctx.req);
  if (!raw.trim()) return {};
  const v: unknown = JSON.parse(raw);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('body must be a JSON object');
  return v as Record<string, any>;
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || !v) throw new Error(`${name} is required`);
  return v;
}

function q(ctx: Koa.Context, name: string): string | undefined {
  const v = ctx.query[name];
  return typeof v === 'string' && v ? v : undefined;
}

export function controlRouter(emu: WeComEmulator): Router {
  const router = new Router({ prefix: '/sandbox' });

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.status = 400;
      ctx.body = { error: { code: 'sandbox_bad_request', message: (err as Error).message } };
    }
  });

  router.get('/messages', (ctx) => {
    ctx.body = emu.delivered({ touser: q(ctx, 'touser'), msgtype: q(ctx, 'msgtype'), chatid: q(ctx, 'chatid') });
  });
  router.get('/dropped', (ctx) => {
    ctx.body = emu.dropped({ touser: q(ctx, 'touser') });
  });
  router.get('/cards', (ctx) => {
    // Without a taskId: the member's cards, a listing.
    if (!q(ctx, 'taskId')) {
      ctx.body = emu.cardsOf(str(q(ctx, 'userid'), 'userid'));
      return;
    }
    const state = emu.cardState(str(q(ctx, 'userid'), 'userid'), str(q(ctx, 'taskId'), 'taskId'));
    if (!state) {
      ctx.status = 404;
      ctx.body = { error: { code: 'not_found', message: 'no such card for that member' } };
      return;
    }
    ctx.body = state;
  });
  router.get('/card-updates', (ctx) => {
    ctx.body = emu.cardUpdates();
  });
  router.get('/robot', (ctx) => {
    ctx.body = emu.robotMessages(q(ctx, 'key'));
  });
  router.get('/appchat', (ctx) => {
    ctx.body = emu.appchatMessages(q(ctx, 'chatid'));
  });
  router.get('/kf/sent', (ctx) => {
    ctx.body = emu.kfSent(q(ctx, 'external_userid'));
  });
  router.get('/calls', (ctx) => {
    // Secrets and tokens never leave over HTTP, even from the sandbox.
    ctx.body = emu.apiCalls().map((c) => ({ ...c, query: redactQuery(c.query) }));
  });
  router.get('/callbacks', (ctx) => {
    ctx.body = emu.callbacks();
  });

  router.post('/click', async (ctx) => {
    const b = await json(ctx);
    ctx.body = await emu.clickButton(str(b.userid, 'userid'), str(b.taskId, 'taskId'), str(b.key, 'key'), {
      selectedItems: b.selectedItems,
    });
  });
  router.post('/menu', async (ctx) => {
    const b = await json(ctx);
    ctx.body = await emu.clickMenu(str(b.userid, 'userid'), str(b.taskId, 'taskId'), str(b.key, 'key'));
  });
  router.post('/text', async (ctx) => {
    const b = await json(ctx);
    ctx.body = await emu.sendText(str(b.userid, 'userid'), str(b.content, 'content'));
  });
  router.post('/enter', async (ctx) => {
    const b = await json(ctx);
    ctx.body = await emu.sendEnterAgent(str(b.userid, 'userid'));
  });
  router.post('/kf/say', async (ctx) => {
    const b = await json(ctx);
    ctx.body = await emu.kfCustomerSays(
      str(b.open_kfid, 'open_kfid'),
      str(b.external_userid, 'external_userid'),
      str(b.content, 'content'),
      typeof b.menu_id === 'string' ? { menuId: b.menu_id } : undefined,
    );
  });
  router.post('/kf/event', async (ctx) => {
    const b = await json(ctx);
    if (typeof b.event !== 'object' || b.event === null) throw new Error('event is required');
    ctx.body = await emu.kfEvent(str(b.open_kfid, 'open_kfid'), str(b.external_userid, 'external_userid'), b.event);
  });
  router.post('/oauth/code', async (ctx) => {
    const b = await json(ctx);
    ctx.body = { code: typeof b.openid === 'string' && b.openid ? emu.issueNonMemberOAuthCode(b.openid) : emu.issueOAuthCode(str(b.userid, 'userid')) };
  });
  router.post('/fault', async (ctx) => {
    const b = await json(ctx);
    if (typeof b.errcode !== 'number') throw new Error('errcode (number) is required');
    emu.injectError(str(b.path, 'path'), b.errcode, typeof b.times === 'number' ? b.times : 1);
    ctx.body = { ok: true };
  });
  router.post('/outage', async (ctx) => {
    const b = await json(ctx);
    emu.setOutage(b.down === true);
    ctx.body = { ok: true };
  });
  router.post('/invalidate-tokens', (ctx) => {
    emu.invalidateTokens();
    ctx.body = { ok: true };
  });
  router.post('/callback-url', async (ctx) => {
    const b = await json(ctx);
    emu.setCallbackUrl(str(b.url, 'url'));
    ctx.body = { ok: true };
  });

  return router;
}

const SECRET_PARAMS = new Set(['corpsecret', 'access_token', 'key', 'code']);

function redactQuery(query: unknown): unknown {
  if (!query || typeof query !== 'object') return query;
  return Object.fromEntries(Object.entries(query as Record<string, unknown>).map(([k, v]) => [k, SECRET_PARAMS.has(k) ? '[redacted]' : v]));
}
