/**
 * The two WeCom sign-in pages a browser visits (WECOM.md section 8): OAuth inside the WeCom
 * client (/connect/oauth2/authorize, snsapi_base) and the QR-code web login on a desktop
 * (/wwlogin/sso/login). Both check what WeCom checks (corp id, agent id, redirect_uri, the
 * state format) and send the browser back to redirect_uri with a single-use code for the
 * member chosen on the page, the code auth/getuserinfo then exchanges. `userid=` (a sandbox
 * extension) chooses the member without the page, for one-click sign-in and tests; `openid=`
 * signs in as a non-member (getuserinfo answers that openid and no userid).
 */
import { Router } from '@koa/router';
import type Koa from 'koa';
import type { WeComEmulator } from './emulator';

export interface OAuthPageOptions {
  corpId: string;
  agentId: number;
}

const STATE_RE = /^[a-zA-Z0-9]{0,128}$/;

const TEXT = {
  authorizeTitle: '企业微信网页授权（沙箱模拟）',
  ssoTitle: '企业微信扫码登录（沙箱模拟）',
  choose: '以哪位成员的身份登录？',
  userid: '成员 UserID',
  submit: '确认登录',
  qr: '在真实环境中，这里是二维码，用企业微信扫码确认。',
  badAppid: 'appid 与企业 CorpID 不一致',
  badAgent: 'agentid 与应用不一致',
  badRedirect: 'redirect_uri 不是有效的 http(s) 地址',
  badState: 'state 只能包含字母和数字，且不超过 128 字节',
  badScope: 'scope 或 response_type 不合法',
  unknownMember: '该成员不在企业通讯录中',
};

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(ctx: Koa.Context, status: number, title: string, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

function q(ctx: Koa.Context, name: string): string {
  const v = ctx.query[name];
  return typeof v === 'string' ? v : '';
}

function validRedirect(s: string): URL | null {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

export function oauthPagesRouter(emu: WeComEmulator, opts: OAuthPageOptions): Router {
  const router = new Router();

  const handle = (kind: 'authorize' | 'sso') => (ctx: Koa.Context) => {
    const title = kind === 'authorize' ? TEXT.authorizeTitle : TEXT.ssoTitle;
    const fail = (msg: string) => page(ctx, 400, title, `<p role="alert">${esc(msg)}</p>`);
    if (q(ctx, 'appid') !== opts.corpId) return fail(TEXT.badAppid);
    const agent = q(ctx, 'agentid');
    if ((kind === 'sso' || agent) && agent !== String(opts.agentId)) return fail(TEXT.badAgent);
    if (kind === 'authorize' && (q(ctx, 'response_type') !== 'code' || !['snsapi_base', 'snsapi_privateinfo'].includes(q(ctx, 'scope')))) return fail(TEXT.badScope);
    if (kind === 'sso' && q(ctx, 'login_type') !== 'CorpApp') return fail(TEXT.badScope);
    const redirect = validRedirect(q(ctx, 'redirect_uri'));
    if (!redirect) return fail(TEXT.badRedirect);
    const state = q(ctx, 'state');
    if (!STATE_RE.test(state)) return fail(TEXT.badState);
    const openid = q(ctx, 'openid').trim();
    if (openid) {
      // sandbox extension: sign in as someone outside the corp (getuserinfo then answers an openid)
      redirect.searchParams.set('code', emu.issueNonMemberOAuthCode(openid));
      redirect.searchParams.set('state', state);
      return ctx.redirect(redirect.toString());
    }
    const userid = q(ctx, 'userid').trim();
    if (userid) {
      let code: string;
      try {
        code = emu.issueOAuthCode(userid);
      } catch {
        return fail(TEXT.unknownMember);
      }
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('state', state);
      return ctx.redirect(redirect.toString());
    }
    const keep = ['appid', 'agentid', 'redirect_uri', 'response_type', 'scope', 'state', 'login_type']
      .filter((k) => q(ctx, k))
      .map((k) => `<input type="hidden" name="${k}" value="${esc(q(ctx, k))}">`)
      .join('');
    page(
      ctx,
      200,
      title,
      `${kind === 'sso' ? `<p>${esc(TEXT.qr)}</p>` : ''}<form method="get" action="${ctx.path}">${keep}<p>${esc(TEXT.choose)}</p><label>${esc(TEXT.userid)} <input name="userid" required autocomplete="username"></label> <button type="submit">${esc(TEXT.submit)}</button></form>`,
    );
  };

  router.get('/connect/oauth2/authorize', handle('authorize'));
  router.get('/wwlogin/sso/login', handle('sso'));
  return router;
}
