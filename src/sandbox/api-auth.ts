import { TokenKind, Answer, ApiRequest, TokenRecord, OAUTH_CODE_TTL, ok, fail, nonEmpty, randomId } from './state';
import { KfApi } from './api-kf';
/** gettoken (app and kf secrets) and OAuth getuserinfo. */
export abstract class AuthApi extends KfApi {
  protected getToken({ query }: ApiRequest): Answer {
    if (!query.corpid) return fail(41002);
    if (query.corpid !== this.opts.corpId) return fail(40013);
    if (!query.corpsecret) return fail(41004);
    let kind: TokenKind | undefined;
    if (query.corpsecret === this.opts.secret) kind = 'app';
    else if (this.opts.kfSecret && query.corpsecret === this.opts.kfSecret && !this.kfSecretRefused) kind = 'kf';
    if (!kind) return fail(40001);
    const now = this.now();
    const cur = this.currentToken[kind];
    // within its lifetime a repeated gettoken answers the same token
    if (cur && !cur.invalidated && now < cur.expiresAt) {
      return ok({ access_token: cur.token, expires_in: Math.ceil((cur.expiresAt - now) / 1000) });
    }
    const rec: TokenRecord = { token: randomId(48), kind, expiresAt: now + this.tokenTtlMs, invalidated: false };
    this.tokens.set(rec.token, rec);
    this.currentToken[kind] = rec;
    return ok({ access_token: rec.token, expires_in: Math.round(this.tokenTtlMs / 1000) });
  }

  // ---------------------------------------------------------------- OAuth

  protected oauthUser({ query }: ApiRequest, legacy: boolean): Answer {
    if (!nonEmpty(query.code)) return fail(41008);
    const c = this.oauthCodes.get(query.code);
    this.oauthCodes.delete(query.code);
    if (!c || this.now() - c.issuedAt > OAUTH_CODE_TTL) return fail(40029);
    // WECOM.md section 8 (DOC 91023): a non-member gets an openid (and an external_userid when known), no userid
    if (!c.userid) return ok(legacy ? { OpenId: c.openid } : { openid: c.openid, ...(c.externalUserId ? { external_userid: c.externalUserId } : {}) });
    return ok(legacy ? { UserId: c.userid } : { userid: c.userid });
  }
}
