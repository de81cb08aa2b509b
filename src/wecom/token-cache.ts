import crypto from 'crypto';
import os from 'os';
import { DataSource } from 'typeorm';
import { WecomToken } from '../../entities/WecomToken';
import { isUniqueViolation, sqliteSerial as serial } from '../db/tx';
import { FATAL_ERRCODES, WeComError, WeComFatalError, WeComUnavailableError } from './errors';
import { apiUrl, requestJson } from './http-json';
import type { TokenKind, WeComLogger, WeComMetrics } from './types';

/** Hands out access_tokens; the client calls invalidate() when WeCom answers 40014/42001. */
export interface TokenProvider {
  getToken(kind: TokenKind): Promise<string>;
  invalidate(kind: TokenKind, badToken: string): Promise<void>;
}

export interface DbTokenProviderOptions {
  dataSource: DataSource;
  apiBase: string;
  corpId: string;
  /** kf: the WeChat Customer Service secret; absent or equal to app, kf calls use the app token. */
  secrets: { app: string; kf?: string };
  instanceId?: string;
  now?: () => Date;
  logger?: WeComLogger;
  metrics?: Pick<WeComMetrics, 'wecomError'>;
  /** Refresh when the token expires sooner than this (default 5 min). */
  refreshMarginMs?: number;
  /**
   * WeCom answers the same token until it expires, so inside the margin a refresh may
   * bring back the same expiry: refresh at most this often until then (default 60 s).
   */
  minRefreshIntervalMs?: number;
  /** How long a refresher holds the row (default 30 s; covers a gettoken timeout). */
  lockMs?: number;
  /** How long a caller waits for another instance's refresh (real time, default 15 s). */
  waitMs?: number;
  pollMs?: number;
  timeoutMs?: number;
}

const GETTOKEN = '/cgi-bin/gettoken';

interface Cached {
  token: string;
  expiresAt: number;
  refreshedAt: number;
}

/** cache_key: kind plus a hash of corpid+secret — a new secret is a new row, the secret never stored. */
export function tokenCacheKey(kind: TokenKind, corpId: string, secret: string): string {
  return `${kind}:${crypto.createHash('sha256').update(corpId + secret).digest('hex').slice(0, 16)}`;
}

/**
 * access_token cache shared by every instance through wecom_tokens (WECOM.md §7).
 * A cached token is used while it has more than refreshMarginMs left. Otherwise exactly
 * one refresher across instances wins the row (conditional UPDATE of lock_until, or
 * the first INSERT) and calls gettoken; the others keep using the still-valid token, or
 * poll the row until the new one is written. 40001/40091/40013 are recorded on the row:
 * every later call on any instance throws WeComFatalError without calling WeCom, until
 * the secret changes (a new cache_key). Delete the row to retry the same secret.
 */
export class DbTokenProvider implements TokenProvider {
  private readonly ds: DataSource;
  private readonly now: () => Date;
  private readonly instanceId: string;
  private readonly marginMs: number;
  private readonly minRefreshMs: number;
  private readonly lockMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly memo = new Map<string, Cached>();
  private readonly fatal = new Map<string, number>();
  private readonly flights = new Map<string, Promise<string>>();

  constructor(private readonly opts: DbTokenProviderOptions) {
    this.ds = opts.dataSource;
    this.now = opts.now ?? (() => new Date());
    this.instanceId = (opts.instanceId ?? `${os.hostname()}:${process.pid}`).slice(0, 80);
    this.marginMs = opts.refreshMarginMs ?? 5 * 60_000;
    this.minRefreshMs = opts.minRefreshIntervalMs ?? 60_000;
    this.lockMs = opts.lockMs ?? 30_000;
    this.waitMs = opts.waitMs ?? 15_000;
    this.pollMs = opts.pollMs ?? 50;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The row kind kf uses: its own only with a distinct secret. */
  private rowKind(kind: TokenKind): TokenKind {
    const kf = this.opts.secrets.kf;
    return kind === 'kf' && kf && kf !== this.opts.secrets.app ? 'kf' : 'app';
  }

  private secretOf(kind: TokenKind): string {
    return kind === 'kf' ? (this.opts.secrets.kf as string) : this.opts.secrets.app;
  }

  keyOf(kind: TokenKind): string {
    const k = this.rowKind(kind);
    return tokenCacheKey(k, this.opts.corpId, this.secretOf(k));
  }

  async getToken(kind: TokenKind): Promise<string> {
    const rowKind = this.rowKind(kind);
    const key = this.keyOf(kind);
    const fatal = this.fatal.get(key);
    if (fatal !== undefined) throw this.fatalError(fatal);
    const m = this.memo.get(key);
    if (m && this.isFresh(m.expiresAt, m.refreshedAt, this.now().getTime())) return m.token;
    // One DB round per key at a time within this instance.
    let flight = this.flights.get(key);
    if (!flight) {
      flight = this.obtain(rowKind, key).finally(() => this.flights.delete(key));
      this.flights.set(key, flight);
    }
    return flight;
  }

  async invalidate(kind: TokenKind, badToken: string): Promise<void> {
    const key = this.keyOf(kind);
    if (this.memo.get(key)?.token === badToken) this.memo.delete(key);
    // Conditional: a token another instance already wrote stays.
    await serial(this.ds, () =>
      this.ds
        .createQueryBuilder()
        .update(WecomToken)
        .set({ accessToken: null, expiresAt: null })
        .where('cache_key = :key AND access_token = :bad', { key, bad: badToken })
        .execute(),
    );
    this.opts.logger?.info({ kind }, 'access_token invalidated');
  }

  private isFresh(expiresAt: number, refreshedAt: number, now: number): boolean {
    if (expiresAt - now > this.marginMs) return true;
    return expiresAt > now && now - refreshedAt < this.minRefreshMs;
  }

  private fatalError(errcode: number): WeComFatalError {
    return new WeComFatalError(GETTOKEN, errcode, 'wrong credentials recorded earlier; fix the secret (or delete the wecom_tokens row) before calling WeCom again');
  }

  private async obtain(kind: TokenKind, key: string): Promise<string> {
    const started = Date.now();
    const repo = this.ds.getRepository(WecomToken);
    for (;;) {
      const now = this.now().getTime();
      const row = await repo.findOneBy({ cacheKey: key });
      if (row?.fatalErrcode != null) {
        this.fatal.set(key, row.fatalErrcode);
        throw this.fatalError(row.fatalErrcode);
      }
      const token = row?.accessToken ?? null;
      const expiresAt = row?.expiresAt?.getTime() ?? 0;
      if (token && this.isFresh(expiresAt, row!.updatedAt.getTime(), now)) {
        this.memo.set(key, { token, expiresAt, refreshedAt: row!.updatedAt.getTime() });
        return token;
      }
      if (await this.tryLock(key, row !== null, now)) return this.refresh(kind, key);
      // Someone else refreshes: a token that still works is good enough meanwhile.
      if (token && expiresAt > now) return token;
      if (Date.now() - started > this.waitMs) {
        throw new WeComUnavailableError(GETTOKEN, 'timed out waiting for another instance to refresh the access_token');
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /** True when this instance won the right to refresh the row. */
  private async tryLock(key: string, exists: boolean, now: number): Promise<boolean> {
    const until = new Date(now + this.lockMs);
    if (!exists) {
      try {
        await serial(this.ds, () =>
          this.ds.getRepository(WecomToken).insert({
            cacheKey: key,
            accessToken: null,
            expiresAt: null,
            lockUntil: until,
            lockedBy: this.instanceId,
            fatalErrcode: null,
            updatedAt: new Date(now),
          }),
        );
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false; // another instance inserted first
        throw e;
      }
    }
    // The row must still need a refresh (the negation of isFresh), so a caller that read
    // it before another instance's refresh does not refresh a second time.
    const res = await serial(this.ds, () =>
      this.ds
        .createQueryBuilder()
        .update(WecomToken)
        .set({ lockUntil: until, lockedBy: this.instanceId })
        .where('cache_key = :key', { key })
        .andWhere('(lock_until IS NULL OR lock_until < :now)')
        .andWhere('fatal_errcode IS NULL')
        .andWhere('(access_token IS NULL OR expires_at IS NULL OR (expires_at <= :soon AND (expires_at <= :now OR updated_at <= :recent)))')
        .setParameters({ now: new Date(now), soon: new Date(now + this.marginMs), recent: new Date(now - this.minRefreshMs) })
        .execute(),
    );
    return res.affected === 1;
  }

  private async release(key: string): Promise<void> {
    await serial(this.ds, () =>
      this.ds
        .createQueryBuilder()
        .update(WecomToken)
        .set({ lockUntil: null, lockedBy: null })
        .where('cache_key = :key AND locked_by = :me', { key, me: this.instanceId })
        .execute(),
    );
  }

  private async refresh(kind: TokenKind, key: string): Promise<string> {
    let answer: Record<string, unknown> & { errcode: number };
    try {
      // The URL carries the secret: it is never logged, nor put in an error.
      answer = await requestJson({
        method: 'GET',
        url: apiUrl(this.opts.apiBase, GETTOKEN, { corpid: this.opts.corpId, corpsecret: this.secretOf(kind) }),
        path: GETTOKEN,
        timeoutMs: this.timeoutMs,
      });
    } catch (e) {
      await this.release(key).catch(() => undefined);
      throw e;
    }
    const now = this.now();
    const token = answer.access_token;
    if (answer.errcode === 0 && typeof token === 'string' && token) {
      const expiresIn = Number(answer.expires_in) > 0 ? Number(answer.expires_in) : 7200;
      const expiresAt = new Date(now.getTime() + expiresIn * 1000);
      await serial(this.ds, () =>
        this.ds.getRepository(WecomToken).update({ cacheKey: key }, { accessToken: token, expiresAt, lockUntil: null, lockedBy: null, updatedAt: now }),
      );
      this.memo.set(key, { token, expiresAt: expiresAt.getTime(), refreshedAt: now.getTime() });
      this.opts.logger?.info({ kind, expiresIn }, 'access_token refreshed');
      return token;
    }
    const errcode = answer.errcode === 0 ? -1 : answer.errcode;
    const errmsg = typeof answer.errmsg === 'string' ? answer.errmsg : 'no access_token in the answer';
    this.opts.metrics?.wecomError(errcode);
    if (FATAL_ERRCODES.has(errcode)) {
      await serial(this.ds, () =>
        this.ds
          .getRepository(WecomToken)
          .update({ cacheKey: key }, { fatalErrcode: errcode, accessToken: null, expiresAt: null, lockUntil: null, lockedBy: null, updatedAt: now }),
      );
      this.fatal.set(key, errcode);
      this.opts.logger?.error({ kind, errcode }, 'gettoken refused the credentials: WeCom calls stop until the secret is fixed');
      throw new WeComFatalError(GETTOKEN, errcode, errmsg);
    }
    await this.release(key).catch(() => undefined);
    this.opts.logger?.warn({ kind, errcode }, 'gettoken failed');
    throw new WeComError(GETTOKEN, errcode, errmsg);
  }
}
