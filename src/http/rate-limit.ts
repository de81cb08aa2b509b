import { Context, Next } from 'koa';
import { AppError } from '../errors';

/**
 * Per-client request limit for the public routes (Art. 12 access without a key, the
 * detail page's login): a
 * sliding-window counter (the previous window weighted by its remaining share), kept in
 * memory per instance. Behind several instances each enforces its own share.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, { start: number; prev: number; cur: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one request; ok=false when over the limit (the request is not counted). */
  hit(key: string, nowMs: number): { ok: boolean; remaining: number; retryAfterS: number } {
    const start = nowMs - (nowMs % this.windowMs);
    let w = this.windows.get(key);
    if (!w || w.start < start - this.windowMs) w = { start, prev: 0, cur: 0 };
    else if (w.start < start) w = { start, prev: w.cur, cur: 0 };
    const weight = 1 - (nowMs - start) / this.windowMs;
    const used = w.prev * weight + w.cur;
    if (used + 1 > this.limit) {
      this.windows.set(key, w);
      return { ok: false, remaining: 0, retryAfterS: Math.max(1, Math.ceil((start + this.windowMs - nowMs) / 1000)) };
    }
    w.cur++;
    if (!this.windows.has(key) && this.windows.size >= this.maxKeys) this.sweep(start);
    this.windows.set(key, w);
    return { ok: true, remaining: Math.max(0, Math.floor(this.limit - used - 1)), retryAfterS: 0 };
  }

  private sweep(start: number): void {
    for (const [k, w] of this.windows) if (w.start < start - this.windowMs) this.windows.delete(k);
    // still full: forget the oldest half rather than grow without bound
    if (this.windows.size >= this.maxKeys) {
      let n = Math.floor(this.maxKeys / 2);
      for (const k of this.windows.keys()) {
        if (n-- <= 0) break;
        this.windows.delete(k);
      }
    }
  }
}

/**
 * Koa middleware: 429 rate_limited with Retry-After once the client's IP is over the limit.
 * `ctx.ip` is the socket address unless TRUST_PROXY names the hops whose X-Forwarded-For
 * is believed (see createApp), so a forged header is no new client.
 */
export function rateLimit(limiter: SlidingWindowLimiter, nowMs: () => number) {
  return async (ctx: Context, next: Next) => {
    const r = limiter.hit(ctx.ip || 'unknown', nowMs());
    ctx.set('X-RateLimit-Limit', String(limiter.limit));
    ctx.set('X-RateLimit-Remaining', String(r.remaining));
    if (!r.ok) {
      ctx.set('Retry-After', String(r.retryAfterS));
      throw new AppError('rate_limited', `too many requests; retry after ${r.retryAfterS} s`);
    }
    await next();
  };
}
