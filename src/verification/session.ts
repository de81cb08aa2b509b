import crypto from 'crypto';

/**
 * Signed session cookie for the detail page: "<base64url payload>.<base64url HMAC-SHA256>".
 * The key is derived from the WeCom app secret (never a default; sandbox mode generates its
 * secret at start), so every instance of one deployment accepts the others' cookies.
 */
export class SessionSigner {
  private readonly key: Buffer;

  constructor(secret: string, purpose = 'nocert-detail-session-v1') {
    if (!secret) throw new Error('session signing needs a secret');
    this.key = crypto.createHmac('sha256', secret).update(purpose).digest();
  }

  sign(value: string): string {
    return crypto.createHmac('sha256', this.key).update(value).digest('base64url');
  }

  private check(value: string, mac: string): boolean {
    const want = Buffer.from(this.sign(value));
    const got = Buffer.from(mac);
    return want.length === got.length && crypto.timingSafeEqual(want, got);
  }

  issue(userid: string, expiresAt: Date): string {
    const payload = Buffer.from(JSON.stringify({ u: userid, e: expiresAt.getTime() })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The userid of a valid, unexpired cookie, else null. */
  read(cookie: string | undefined, now: Date): string | null {
    if (!cookie) return null;
    const [payload, mac] = cookie.split('.');
    if (!payload || !mac || !this.check(payload, mac)) return null;
    try {
      const v = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u?: unknown; e?: unknown };
      if (typeof v.u !== 'string' || typeof v.e !== 'number' || v.e <= now.getTime()) return null;
      return v.u;
    } catch {
      return null;
    }
  }

  /**
   * OAuth state carrying the page to return to, signed so it cannot redirect elsewhere.
   * WeCom allows only [a-zA-Z0-9], at most 128 bytes (DOC 91022): `v<id>m<hex MAC>`.
   */
  state(requestId: number): string {
    const v = `v${requestId}`;
    return `${v}m${this.stateMac(v)}`;
  }

  private stateMac(v: string): string {
    return crypto.createHmac('sha256', this.key).update(`state:${v}`).digest('hex').slice(0, 32);
  }

  readState(state: string | undefined): number | null {
    const m = /^v(\d{1,10})m([0-9a-f]{32})$/.exec(state ?? '');
    if (!m) return null;
    const want = Buffer.from(this.stateMac(`v${m[1]}`));
    const got = Buffer.from(m[2]);
    return want.length === got.length && crypto.timingSafeEqual(want, got) ? Number(m[1]) : null;
  }

  /** Form token bound to the person and the request (the page's POST). */
  csrf(userid: string, requestId: number): string {
    return this.sign(`csrf:${userid}:${requestId}`);
  }

  checkCsrf(userid: string, requestId: number, token: string | undefined): boolean {
    if (!token) return false;
    const want = Buffer.from(this.csrf(userid, requestId));
    const got = Buffer.from(token);
    return want.length === got.length && crypto.timingSafeEqual(want, got);
  }
}
