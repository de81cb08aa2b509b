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

  /** OAuth state carrying the page to return to, signed so it cannot redirect elsewhere. */
  state(requestId: number): string {
    const v = `v${requestId}`;
    return `${v}.${this.sign(`state:${v}`).slice(0, 22)}`;
  }

  readState(state: string | undefined): number | null {
    const m = /^v(\d{1,10})\.([A-Za-z0-9_-]{22})$/.exec(state ?? '');
    if (!m) return null;
    const want = Buffer.from(this.sign(`state:v${m[1]}`).slice(0, 22));
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
