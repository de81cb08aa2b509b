import type { Config } from '../config';

export interface OAuthHosts {
  /** Base of /connect/oauth2/authorize (inside the WeCom client). */
  authorize: string;
  /** Base of /wwlogin/sso/login (QR-code login on a desktop browser). */
  sso: string;
}

/**
 * Real WeCom, or the emulator when the API is served from this machine (sandbox mode and
 * tests): the emulator answers both login pages (src/sandbox/oauth-pages.ts).
 */
export function oauthHosts(config: Config): OAuthHosts {
  const api = config.wecom?.apiBase ?? '';
  const local = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(api);
  if (config.mode === 'sandbox' || local) return { authorize: api, sso: api };
  return { authorize: 'https://open.weixin.qq.com', sso: 'https://login.work.weixin.qq.com' };
}
