import crypto from 'crypto';
import Router from '@koa/router';
import { Context } from 'koa';
import { ConsoleAuditor, Staff, Unit } from '../../entities';
import type { Config } from '../config';
import type { ModuleDeps } from '../module';
import { SessionSigner } from '../verification/session';
import { T } from './messages';
import { isAppError } from '../errors';
import { errorPage, esc, sendPage } from './layout';
import { SESSION_COOKIE, SESSION_MS, createSession, destroySession, resolveIdentity } from './session';
import { In } from 'typeorm';
import { oauthHosts, type OAuthHosts } from '../wecom/oauth-hosts';

const NONCE_COOKIE = 'nc_console_login';
const NONCE_MS = 10 * 60_000;

export { oauthHosts, type OAuthHosts };

/** Only paths inside the console may be returned to after sign-in. */
export function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/console\/[A-Za-z0-9/_\-?=&.%]*$/.test(v) && !v.includes('//') ? v : '/console/';
}

export function cookieOptions(config: Config, path: string, maxAge: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: config.publicUrl.startsWith('https://'), path, maxAge, overwrite: true };
}

/**
 * Sign-in: WeCom OAuth (snsapi_base) inside WeCom, the QR-code web login on a desktop; both
 * hand back a code exchanged through auth/getuserinfo (WECOM.md section 8). `state` is a hex
 * HMAC of a nonce held in a short cookie of this browser, so a code from elsewhere (login
 * CSRF) is refused; WeCom allows only [a-zA-Z0-9] up to 128 bytes in `state`.
 */
export function authRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const cfg = deps.config;
  // The CLI registers modules without WeCom settings; sign-in is only served by the server.
  let signer: SessionSigner | null = null;
  const w = () => cfg.wecom!;
  const hosts = () => oauthHosts(cfg);
  const redirect = () => `${cfg.publicUrl}/console/login/callback`;
  const stateOf = (nonce: string, next: string) => Buffer.from((signer ??= new SessionSigner(w().secret, 'nocert-console-oauth-v1')).sign(`${nonce}|${next}`), 'base64url').toString('hex');

  const begin = (ctx: Context, next: string): string => {
    const nonce = crypto.randomBytes(16).toString('hex');
    ctx.cookies.set(NONCE_COOKIE, `${nonce}.${Buffer.from(next).toString('base64url')}`, cookieOptions(cfg, '/console/login', NONCE_MS));
    return stateOf(nonce, next);
  };
  const authorizeUrl = (state: string, extra = '') =>
    `${hosts().authorize}/connect/oauth2/authorize?appid=${encodeURIComponent(w().corpId)}&redirect_uri=${encodeURIComponent(redirect())}&response_type=code&scope=snsapi_base&state=${state}&agentid=${w().agentId}${extra}#wechat_redirect`;
  const ssoUrl = (state: string) =>
    `${hosts().sso}/wwlogin/sso/login?login_type=CorpApp&appid=${encodeURIComponent(w().corpId)}&agentid=${w().agentId}&redirect_uri=${encodeURIComponent(redirect())}&state=${state}`;

  r.get('/console/login', async (ctx: Context) => {
    const next = safeNext(ctx.query.next);
    // Inside WeCom's browser the OAuth round trip needs no click.
    if (/wxwork/i.test(ctx.get('user-agent'))) return ctx.redirect(authorizeUrl(begin(ctx, next)));
    const q = `next=${encodeURIComponent(next)}`;
    let demo = '';
    if (cfg.mode === 'sandbox') {
      const office = await deps.dataSource.getRepository(Unit).findBy({ isOffice: true });
      const people = await deps.dataSource.getRepository(Staff).find({ where: office.length ? { unitCode: In(office.map((u) => u.code)) } : {}, order: { userid: 'ASC' }, take: 5 });
      const auditors = await deps.dataSource.getRepository(ConsoleAuditor).find({ order: { userid: 'ASC' }, take: 2 });
      demo = [...people, ...auditors].map((p) => `<li><a href="/console/login/sandbox?as=${encodeURIComponent(p.userid)}&amp;${esc(q)}">${esc(T.login.sandbox)} ${esc(p.name)}（${esc(p.userid)}）</a></li>`).join('');
    }
    const error = typeof ctx.query.error === 'string' ? `<p class="error" role="alert">${esc(ctx.query.error === 'member' ? T.login.notMember : T.login.failed)}</p>` : '';
    sendPage(ctx, 200, { title: T.login.title }, `<section class="card narrow"><h1>${esc(T.login.title)}</h1>${error}<p>${esc(T.login.intro)}</p><ul class="actions"><li><a class="button" href="/console/login/start?via=qr&amp;${esc(q)}">${esc(T.login.qr)}</a></li><li><a class="button secondary" href="/console/login/start?via=oauth&amp;${esc(q)}">${esc(T.login.inApp)}</a></li>${demo}</ul></section>`);
  });

  r.get('/console/login/start', async (ctx: Context) => {
    const state = begin(ctx, safeNext(ctx.query.next));
    ctx.redirect(ctx.query.via === 'oauth' ? authorizeUrl(state) : ssoUrl(state));
  });

  if (cfg.mode === 'sandbox') {
    // Sandbox only: one click signs in as a demo person, through the emulator's real OAuth path.
    r.get('/console/login/sandbox', async (ctx: Context) => {
      let as = typeof ctx.query.as === 'string' ? ctx.query.as : '';
      if (!as) {
        const office = await deps.dataSource.getRepository(Unit).findOneBy({ isOffice: true });
        as = (office && (await deps.dataSource.getRepository(Staff).findOne({ where: { unitCode: office.code }, order: { userid: 'ASC' } }))?.userid) || '';
      }
      ctx.redirect(authorizeUrl(begin(ctx, safeNext(ctx.query.next)), `&userid=${encodeURIComponent(as)}`));
    });
  }

  r.get('/console/login/callback', async (ctx: Context) => {
    const raw = ctx.cookies.get(NONCE_COOKIE) ?? '';
    ctx.cookies.set(NONCE_COOKIE, null, cookieOptions(cfg, '/console/login', 0));
    const [nonce, nextB64] = raw.split('.');
    const next = safeNext(nextB64 ? Buffer.from(nextB64, 'base64url').toString('utf8') : '');
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const want = nonce ? Buffer.from(stateOf(nonce, next)) : null;
    const got = Buffer.from(state);
    if (!want || !code || want.length !== got.length || !crypto.timingSafeEqual(want, got)) return errorPage(ctx, 400, T.login.failed);
    let userid: string;
    try {
      userid = await deps.wecomUserId(code);
    } catch (e) {
      deps.log.warn({ err: (e as Error).message }, 'console login failed');
      // A code of someone outside the corp (getuserinfo answered an openid, no userid).
      if (isAppError(e) && e.code === 'forbidden') return errorPage(ctx, 403, T.login.notCorpMember);
      return errorPage(ctx, 401, T.login.failed);
    }
    const now = deps.now();
    const who = await resolveIdentity(deps.dataSource.manager, userid);
    if (!who) {
      deps.log.warn({ userid }, 'console login refused: not in the directory');
      return errorPage(ctx, 403, T.login.notMember);
    }
    const token = await createSession(deps.dataSource.manager, who, now);
    ctx.cookies.set(SESSION_COOKIE, token, cookieOptions(cfg, '/console', SESSION_MS));
    deps.log.info({ userid, role: who.role }, 'console sign-in');
    ctx.redirect(next);
  });

  r.post('/console/logout', async (ctx: Context) => {
    const u = ctx.state.consoleUser;
    if (u) await destroySession(deps.dataSource.manager, u.sessionId);
    ctx.cookies.set(SESSION_COOKIE, null, cookieOptions(cfg, '/console', 0));
    ctx.redirect('/console/login');
  });

  return r;
}
