import crypto from 'crypto';
import Router from '@koa/router';
import { Context } from 'koa';
import { Staff, Unit } from '../../entities';
import type { WeComEmulator } from '../sandbox';
import type { ModuleDeps } from '../module';
import { readRawBody } from '../http/body';
import { esc, sendPage, securityHeaders } from './layout';
import { T } from './messages';
import { PhonesView, renderPhones } from './views/phones.view';
import { platform, renderPlatform } from './phones-platform';

export const PHONES_PATH = '/sandbox-phones/';
const CSRF_COOKIE = 'nc_phones';
/** The citizen the page speaks for in WeChat Customer Service. */
export const DEMO_CITIZEN = 'wmSANDBOXcitizen';

type Phones = Pick<WeComEmulator, 'delivered' | 'cardsOf' | 'appchatMessages' | 'kfSent' | 'kfQueue' | 'clickButton' | 'sendText' | 'kfCustomerSays'>;

export interface PhonesOptions {
  emulator: Phones;
  kfAccount: string;
}

/**
 * Sandbox mode only: every demo person's WeCom, the office group and a citizen's WeChat on
 * one page. Nothing here writes to the database: a click or a message is a signed, encrypted
 * callback from the emulator to the server, as WeCom would post it, and what the server
 * answers arrives through the outbox. No session: the page is everyone at once, so its forms
 * carry a double-submit token (cookie and field).
 */
export function phonesRouter(deps: ModuleDeps, o: PhonesOptions): Router {
  const r = new Router();
  const emu = o.emulator;
  const plat = platform(deps.dataSource, deps.now);
  const token = (ctx: Context): string => {
    let t = ctx.cookies.get(CSRF_COOKIE) ?? '';
    if (!/^[0-9a-f]{32}$/.test(t)) {
      t = crypto.randomBytes(16).toString('hex');
      ctx.cookies.set(CSRF_COOKIE, t, { httpOnly: true, sameSite: 'strict', path: PHONES_PATH, overwrite: true });
    }
    return t;
  };

  /** A fingerprint of everything shown, so the page's script reloads only on a change. */
  const version = async (): Promise<string> => {
    const staff = await deps.dataSource.getRepository(Staff).find({ select: { userid: true } });
    const h = crypto.createHash('sha1');
    for (const s of staff) h.update(`${s.userid}:${emu.delivered({ touser: s.userid }).length}:${emu.cardsOf(s.userid).map((c) => `${c.updatedAt}${c.replace_name ?? ''}`).join(',')};`);
    h.update(`${emu.appchatMessages().length}:${emu.kfSent(DEMO_CITIZEN).length}:${emu.kfQueue(o.kfAccount).length}`);
    return h.digest('hex').slice(0, 16);
  };

  r.get('/sandbox-phones', (ctx: Context, next) => (ctx.path === '/sandbox-phones' ? ctx.redirect(PHONES_PATH) : next()));
  r.get(PHONES_PATH, async (ctx: Context) => {
    const ds = deps.dataSource;
    const units = await ds.getRepository(Unit).find({ order: { isOffice: 'DESC', code: 'ASC' } });
    const staff = await ds.getRepository(Staff).find({ order: { unitCode: 'ASC', role: 'ASC', userid: 'ASC' } });
    const order = new Map(units.map((u, i) => [u.code, i]));
    staff.sort((a, b) => (order.get(a.unitCode) ?? 99) - (order.get(b.unitCode) ?? 99));
    const unitName = new Map(units.map((u) => [u.code, u.name]));
    const chatId = deps.config.officeChatId;
    const csrf = token(ctx);
    const view: PhonesView = {
      csrf,
      version: await version(),
      people: staff.map((s) => ({
        userid: s.userid,
        name: s.name,
        unit: unitName.get(s.unitCode) ?? s.unitCode,
        messages: emu.delivered({ touser: s.userid }).filter((d) => d.channel === 'app'),
        cards: emu.cardsOf(s.userid),
      })),
      group: chatId ? { chatid: chatId, messages: emu.appchatMessages(chatId) } : null,
      citizen: {
        externalUserId: DEMO_CITIZEN,
        kfAccount: o.kfAccount,
        said: emu.kfQueue(o.kfAccount).filter((i) => i.origin === 3 && i.external_userid === DEMO_CITIZEN),
        received: emu.kfSent(DEMO_CITIZEN),
      },
      flash: typeof ctx.query.error === 'string' ? ctx.query.error.slice(0, 200) : null,
      done: typeof ctx.query.done === 'string' ? ctx.query.done.slice(0, 200) : null,
      platform: renderPlatform(csrf, await plat.units()),
    };
    sendPage(ctx, 200, { title: T.phones.title, scripts: ['/console/static/phones.js'] }, renderPhones(view));
  });

  r.get(`${PHONES_PATH}version`, async (ctx: Context) => {
    securityHeaders(ctx);
    ctx.body = { version: await version() };
  });

  const post = (path: string, act: (form: URLSearchParams, ctx: Context) => Promise<unknown>, anchor: (form: URLSearchParams) => string) =>
    r.post(`${PHONES_PATH}${path}`, async (ctx: Context) => {
      securityHeaders(ctx);
      const form = new URLSearchParams(await readRawBody(ctx, 16 * 1024));
      const want = ctx.cookies.get(CSRF_COOKIE) ?? '';
      const got = form.get('csrf') ?? '';
      if (!want || want.length !== got.length || !crypto.timingSafeEqual(Buffer.from(want), Buffer.from(got))) {
        ctx.status = 403;
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = `<!doctype html><title>403</title><p>${esc(T.csrf)}</p>`;
        return;
      }
      let query = '';
      try {
        const done = await act(form, ctx);
        if (typeof done === 'string') query = `?done=${encodeURIComponent(done)}`;
      } catch (e) {
        // A greyed card, an unknown member, a request the API refused: shown on the page.
        query = `?error=${encodeURIComponent((e as Error).message)}`;
      }
      ctx.redirect(`${PHONES_PATH}${query}#${anchor(form)}`);
    });

  const need = (form: URLSearchParams, k: string): string => {
    const v = (form.get(k) ?? '').trim();
    if (!v) throw new Error(`${k} is required`);
    return v.slice(0, 2000);
  };
  post('click', (f) => emu.clickButton(need(f, 'userid'), need(f, 'taskId'), need(f, 'key')), (f) => `phone-${f.get('userid') ?? ''}`);
  post('text', (f) => emu.sendText(need(f, 'userid'), need(f, 'content')), (f) => `phone-${f.get('userid') ?? ''}`);
  post(
    'kf',
    (f) => emu.kfCustomerSays(o.kfAccount, DEMO_CITIZEN, need(f, 'content'), f.get('menuId') ? { menuId: f.get('menuId')! } : undefined),
    () => 'phone-citizen',
  );
  // The approval platform opens a request through the REST API, as the county's would.
  post(
    'request',
    async (f, ctx) => {
      // This very server, as the platform reaches it (whatever name the browser used).
      const out = await plat.open(`http://127.0.0.1:${ctx.req.socket.localPort}`, f);
      if (!out.ok) throw new Error(out.text);
      return out.text;
    },
    () => 'phone-platform',
  );
  return r;
}
