import os from 'os';
import crypto from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxMessage } from '../../../entities/OutboxMessage';
import { inTransaction, isSqlite, sqliteSerial } from '../../db/tx';
import { WeComClient } from '../client';
import { WeComError, WeComFatalError, WeComUnavailableError } from '../errors';
import { Pacer } from '../pacer';
import { PassLoop } from '../pass-loop';
import type { WeComLogger, WeComMetrics } from '../types';
import { HALT_ERRCODES, errcodeVerdict } from './policy';
import { callOf, lanesOf } from './send-shape';
import { ClaimContext, claimDue, expireOwnClaims, renewWhileSending } from './claims';
import { onEnqueueCommitted } from './write';
import { SentMarks, SentValues } from './marks';

export interface RunResult {
  sent: number;
  failed: number;
  deferred: number;
}

export interface OutboxDispatcherOptions {
  dataSource: DataSource;
  client: WeComClient;
  pacer: Pacer;
  instanceId?: string;
  now: () => Date;
  batchSize?: number;
  /**
   * How long a claim holds a row (default 15 s). A pass renews the claims it holds every
   * third of this while it sends, so only a crashed claimer's rows expire, and soon.
   */
  claimMs?: number;
  /** Tries WeCom answered with a retryable error before a row fails (default 10). */
  maxAttempts?: number;
  /** Retry delay: min(2^attempts * backoffBaseMs, backoffCapMs), plus up to 10% jitter. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Outage or IP not trusted: rows wait this long and the dispatcher pauses (default 30 s). */
  outageRetryMs?: number;
  /** Wrong credentials: rows wait this long (default 5 min). */
  fatalRetryMs?: number;
  /**
   * WeCom's duplicate check for message/send (default 14400 s, its 4 h maximum). It is
   * what makes a resend after a crash harmless, and it also drops a second message with
   * the very same body to the same recipients inside the interval: texts that may repeat
   * should carry something that differs (a reference number, a date).
   */
  duplicateCheckSeconds?: number;
  /** Lanes (rows with disjoint recipients) sent at once in a pass; default 8. */
  concurrency?: number;
  /** Robot names a 'robot' row's webhook may refer to, so the key need not sit in the outbox. */
  robots?: Record<string, string>;
  logger?: WeComLogger;
  metrics?: Pick<WeComMetrics, 'outboxSent' | 'outboxFailed'>;
  /**
   * After a successful send, in a small transaction that also marks the row sent: record
   * WeCom's answer (e.g. a card's response_code per recipient). Use the manager given;
   * no WeCom call and no other transaction inside. If it throws, the row is still marked
   * sent (the message went out) with the hook's error in last_error.
   */
  onSent?: (row: OutboxMessage, result: Record<string, unknown>, manager: EntityManager) => Promise<void>;
  /**
   * Whether onSent acts on this row at all (default: every row). A row it does not want is
   * marked sent with one UPDATE on its own, no transaction around it.
   */
  onSentWants?: (row: OutboxMessage) => boolean;
  random?: () => number;
}

type Outcome = 'sent' | 'failed' | 'deferred' | 'retry' | 'skipped';

class HaltBatch extends Error {
  constructor(readonly retryAt: Date, readonly note: string, readonly errcode: number | null) {
    super(note);
  }
}

/**
 * Sends the outbox. runOnce(): claim due rows in a short transaction (FOR UPDATE SKIP
 * LOCKED on MySQL/MariaDB, one atomic UPDATE on SQLite), then send each outside any
 * transaction, then record the answer. Crash-safety per channel (a row found 'sending'
 * with an expired claim may or may not have reached WeCom):
 *  - message: enable_duplicate_check=1 with duplicate_check_interval, so WeCom drops a
 *    resend of the same body; a template_card resend may answer 42014 (task_id used):
 *    taken as delivered.
 *  - update_card: 60140 on a row tried before means our earlier try used the code: done.
 *  - kf: a msgid derived from the row (id + created_at) lets WeCom recognise a resend.
 *  - kf_event: the welcome code is single-use; a resend answers 41050 and fails visibly.
 *  - robot, appchat: WeCom has no dedupe; a crash between WeCom's answer and our record
 *    can repeat that one group message.
 */
export class OutboxDispatcher {
  private readonly ds: DataSource;
  private readonly instanceId: string;
  private readonly batchSize: number;
  private readonly claimMs: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly outageMs: number;
  private readonly fatalMs: number;
  private readonly dupSeconds: number;
  private readonly random: () => number;
  private readonly worker: PassLoop<RunResult>;
  private pausedUntil = 0;
  /** Set by start(): the first pass takes back rows an earlier run under our instance id left claimed. */
  private reclaimOwn = false;
  private unsubscribe: (() => void) | null = null;
  /** Rows no onSent hook wants, marked sent together when lanes finish at about the same time. */
  private readonly marks: SentMarks;

  constructor(private readonly opts: OutboxDispatcherOptions) {
    this.ds = opts.dataSource;
    this.instanceId = (opts.instanceId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`).slice(0, 80);
    this.batchSize = opts.batchSize ?? 20;
    this.claimMs = opts.claimMs ?? 15_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.baseMs = opts.backoffBaseMs ?? 10_000;
    this.capMs = opts.backoffCapMs ?? 30 * 60_000;
    this.outageMs = opts.outageRetryMs ?? 30_000;
    this.fatalMs = opts.fatalRetryMs ?? 5 * 60_000;
    this.dupSeconds = Math.min(14_400, opts.duplicateCheckSeconds ?? 14_400);
    this.random = opts.random ?? Math.random;
    this.marks = new SentMarks((fn) => this.write(fn));
    this.worker = new PassLoop(
      () => this.pass(),
      (r) => r.sent + r.failed + r.deferred >= this.batchSize,
      (e) => this.opts.logger?.error({ err: e.message }, 'outbox pass failed'),
    );
  }

  private get stopping(): boolean {
    return this.worker.stopping;
  }

  /** One pass: claim a batch, send it, record the answers. Concurrent calls share one pass. */
  runOnce(): Promise<RunResult> {
    return this.worker.runOnce();
  }

  /**
   * Runs passes until stop(): at once again after a full batch, else every intervalMs. The
   * first pass first takes back rows still claimed under this instance id (a restart after
   * a crash) instead of waiting for those claims to expire; so an instance id must never be
   * shared by two running instances.
   */
  start(intervalMs: number): void {
    this.reclaimOwn = true;
    // Our own enqueues wake us once committed; other instances' rows wait for the interval.
    this.unsubscribe ??= onEnqueueCommitted(this.ds, () => this.nudge());
    this.worker.start(intervalMs);
  }

  /** New work was queued: pass now rather than at the next interval. */
  nudge(): void {
    this.worker.nudge();
  }

  /** Graceful: the send in flight finishes; claimed rows not yet sent are released. */
  stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    return this.worker.stop();
  }

  private async pass(): Promise<RunResult> {
    const result: RunResult = { sent: 0, failed: 0, deferred: 0 };
    if (this.stopping) return result;
    const now = this.opts.now();
    if (now.getTime() < this.pausedUntil) return result;
    if (this.reclaimOwn) {
      const n = await expireOwnClaims(this.claims, now);
      this.reclaimOwn = false;
      if (n) this.opts.logger?.warn({ rows: n, instanceId: this.instanceId }, 'outbox rows left claimed by an earlier run of this instance taken back');
    }
    const rows = await claimDue(this.claims, now);
    const heartbeat = renewWhileSending(this.claims, rows);
    const blocked = new Map<string, number>();
    const untried = new Set(rows);
    let halt: HaltBatch | null = null;
    // Rows sharing a recipient go in one lane, in order (a conversation stays in order and
    // pacing sees them one by one); different lanes are sent concurrently.
    const runLane = async (lane: OutboxMessage[]) => {
      for (const row of lane) {
        if (this.stopping || halt) return;
        untried.delete(row);
        try {
          const outcome = await this.process(row, blocked);
          if (outcome === 'sent') result.sent++;
          else if (outcome === 'failed') result.failed++;
          else if (outcome === 'deferred') result.deferred++;
        } catch (e) {
          if (e instanceof HaltBatch) {
            halt = halt ?? e;
            this.pausedUntil = e.retryAt.getTime();
          } else {
            // The row in hand may have gone out: it keeps its claim and returns when it expires.
            this.opts.logger?.error({ outboxId: row.id, err: (e as Error).message }, 'outbox lane stopped by an unexpected error');
          }
          return;
        }
      }
    };
    try {
      const lanes = lanesOf(rows);
      for (let i = 0; i < lanes.length; i += this.concurrency) await Promise.all(lanes.slice(i, i + this.concurrency).map(runLane));
    } finally {
      heartbeat.stop();
      // WeCom down or refusing us: the rest waits with the same note; stopped: handed back.
      const h = halt as HaltBatch | null;
      for (const row of untried) await this.putBack(row, h ? { nextAttemptAt: h.retryAt, lastError: h.note, errcode: h.errcode } : {}).catch(() => undefined);
    }
    return result;
  }

  // ---------------------------------------------------------------- claim

  private get claims(): ClaimContext {
    return { ds: this.ds, instanceId: this.instanceId, batchSize: this.batchSize, claimMs: this.claimMs, now: this.opts.now, logger: this.opts.logger, write: (fn) => this.write(fn) };
  }

  /** Re-extends our claim before a send when a long batch ate most of it; false if lost. */
  private async holdClaim(row: OutboxMessage, now: Date): Promise<boolean> {
    if (row.claimedUntil && row.claimedUntil.getTime() - now.getTime() > this.claimMs / 2) return true;
    const until = new Date(now.getTime() + this.claimMs);
    if (!(await this.guarded(row, { claimedUntil: until }))) return false;
    row.claimedUntil = until;
    return true;
  }

  // ---------------------------------------------------------------- one row

  private async process(row: OutboxMessage, blocked: Map<string, number>): Promise<Outcome> {
    const at = this.opts.now();
    const log = { outboxId: row.id, channel: row.channel, attempts: row.attempts };
    let send: () => Promise<Record<string, unknown>>;
    let keys: string[];
    try {
      ({ send, keys } = callOf(row, this.opts.client, this.dupSeconds, this.opts.robots));
    } catch (e) {
      return this.fail(row, null, `bad payload: ${(e as Error).message}`);
    }
    if (!(await this.holdClaim(row, at))) {
      this.opts.logger?.warn(log, 'outbox claim lost before sending; another dispatcher has the row');
      return 'skipped';
    }

    // Pacing: WeCom drops the excess silently, so we must never reach its limits.
    let reserved = false;
    if (keys.length) {
      const known = Math.max(0, ...keys.map((k) => blocked.get(k) ?? 0));
      if (known > at.getTime()) return this.defer(row, new Date(known));
      try {
        const r = await this.opts.pacer.reserve(undefined, keys, at, row.id);
        if (!r.ok) {
          // With one key we know which recipient is full; later rows to it skip the query.
          if (keys.length === 1) {
            blocked.set(keys[0], r.retryAt.getTime());
            await this.deferLane(row, r.retryAt);
          }
          return this.defer(row, r.retryAt);
        }
        reserved = true;
      } catch (e) {
        this.opts.logger?.warn({ ...log, err: (e as Error).message }, 'pacing failed; row waits');
        await this.putBack(row, { nextAttemptAt: new Date(at.getTime() + this.baseMs), lastError: `pacing: ${(e as Error).message}`.slice(0, 500) });
        return 'retry';
      }
    }

    let result: Record<string, unknown>;
    try {
      result = await send();
    } catch (e) {
      return this.onError(row, e, at, reserved);
    }
    await this.markSent(row, result, at, null);
    return 'sent';
  }

  /** Whether an earlier try of this row may have reached WeCom. */
  private triedBefore(row: OutboxMessage): boolean {
    return row.attempts > 1 || row.lastError !== null;
  }

  private async onError(row: OutboxMessage, e: unknown, at: Date, reserved: boolean): Promise<Outcome> {
    const log = { outboxId: row.id, channel: row.channel, attempts: row.attempts };
    const message = (e instanceof Error ? e.message : String(e)).slice(0, 500);
    if (e instanceof WeComFatalError) {
      const retryAt = new Date(at.getTime() + this.fatalMs);
      await this.putBack(row, { nextAttemptAt: retryAt, lastError: message, errcode: e.errcode });
      throw new HaltBatch(retryAt, message, e.errcode);
    }
    if (e instanceof WeComUnavailableError || (e instanceof WeComError && HALT_ERRCODES.has(e.errcode))) {
      // An outage never fails a row, and its tries do not count.
      const retryAt = new Date(at.getTime() + this.outageMs);
      const errcode = e instanceof WeComError ? e.errcode : null;
      await this.putBack(row, { nextAttemptAt: retryAt, lastError: message, errcode });
      this.opts.logger?.warn({ ...log, err: message }, 'WeCom unavailable; outbox pauses');
      throw new HaltBatch(retryAt, message, errcode);
    }
    if (e instanceof WeComError) {
      const code = e.errcode;
      const answer = { errcode: code, errmsg: e.errmsg };
      const verdict = errcodeVerdict(row, code, this.triedBefore(row));
      if (verdict.kind === 'delivered') {
        await this.markSent(row, answer, at, verdict.note);
        return 'sent';
      }
      // WeCom refused the call: nothing was delivered, so the pacing slot is free again.
      if (reserved) await this.opts.pacer.release(row.id, at).catch(() => undefined);
      if (verdict.kind === 'failed') return this.fail(row, code, message);
      if (row.attempts >= this.maxAttempts) return this.fail(row, code, message);
      await this.retryLater(row, code, message, at);
      return 'retry';
    }
    // Not WeCom's answer (a bug, the database): retry with backoff, then fail.
    this.opts.logger?.error({ ...log, err: message }, 'outbox send failed unexpectedly');
    if (row.attempts >= this.maxAttempts) return this.fail(row, null, message);
    await this.retryLater(row, null, message, at);
    return 'retry';
  }

  private async retryLater(row: OutboxMessage, errcode: number | null, lastError: string, at: Date): Promise<void> {
    const delay = Math.min(2 ** row.attempts * this.baseMs, this.capMs);
    const jitter = Math.floor(this.random() * delay * 0.1);
    await this.guarded(row, { status: 'pending', claimedBy: null, claimedUntil: null, errcode, lastError, nextAttemptAt: new Date(at.getTime() + delay + jitter) });
    this.opts.logger?.warn({ outboxId: row.id, channel: row.channel, attempts: row.attempts, errcode }, 'outbox send failed, will retry');
  }

  private async fail(row: OutboxMessage, errcode: number | null, lastError: string): Promise<Outcome> {
    await this.guarded(row, { status: 'failed', claimedBy: null, claimedUntil: null, errcode, lastError: lastError.slice(0, 500) });
    this.opts.metrics?.outboxFailed(row.channel);
    this.opts.logger?.error({ outboxId: row.id, channel: row.channel, attempts: row.attempts, errcode }, 'outbox row failed');
    return 'failed';
  }

  /** Not sent and not counted as a try (pacing): back to pending at retryAt. */
  private async defer(row: OutboxMessage, retryAt: Date): Promise<Outcome> {
    await this.putBack(row, { nextAttemptAt: retryAt });
    this.opts.logger?.debug({ outboxId: row.id, channel: row.channel, retryAt: retryAt.toISOString() }, 'outbox row deferred by pacing');
    return 'deferred';
  }

  /**
   * The recipient is at WeCom's cap until retryAt: every row still waiting for them alone
   * moves to retryAt too, so the due scan skips them instead of claiming and deferring
   * them again pass after pass, ahead of rows for other people.
   */
  private async deferLane(row: OutboxMessage, retryAt: Date): Promise<void> {
    if (!row.recipients || row.recipients.includes('|')) return;
    await this.write((m) =>
      m
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ nextAttemptAt: retryAt, version: () => 'version' } as any)
        .where('status = :p AND recipients = :r AND next_attempt_at < :at', { p: 'pending', r: row.recipients, at: retryAt })
        .execute(),
    ).catch((e) => this.opts.logger?.warn({ outboxId: row.id, err: (e as Error).message }, 'outbox lane deferral failed'));
  }

  /** Releases our claim without counting the try. */
  private async putBack(row: OutboxMessage, extra: { nextAttemptAt?: Date; lastError?: string; errcode?: number | null }): Promise<void> {
    const values: Partial<OutboxMessage> = { status: 'pending', claimedBy: null, claimedUntil: null, attempts: Math.max(0, row.attempts - 1) };
    if (extra.nextAttemptAt) values.nextAttemptAt = extra.nextAttemptAt;
    if (extra.lastError !== undefined) values.lastError = extra.lastError.slice(0, 500);
    if (extra.errcode !== undefined) values.errcode = extra.errcode;
    await this.guarded(row, values);
  }

  /** One write: queued with our other writes on SQLite (see src/db/tx.ts), plain on MySQL. */
  private write<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return isSqlite(this.ds) ? sqliteSerial(this.ds, () => inTransaction(this.ds, fn)) : fn(this.ds.manager);
  }

  /** An update that only applies while we still hold the claim (the version we left). */
  private async guarded(row: OutboxMessage, values: Partial<OutboxMessage>): Promise<boolean> {
    const res = await this.write((m) =>
      m
        .createQueryBuilder()
        .update(OutboxMessage)
        .set(values as any)
        .where('id = :id AND version = :v AND status = :s', { id: row.id, v: row.version, s: 'sending' })
        .execute(),
    );
    if (res.affected === 1) {
      row.version += 1;
      Object.assign(row, values);
      return true;
    }
    this.opts.logger?.warn({ outboxId: row.id }, 'outbox claim lost; another dispatcher owns the row');
    return false;
  }

  /**
   * Delivered: status 'sent' with WeCom's answer. Not guarded by the claim — the message
   * went out, whoever holds the row now — only by "not sent yet", so the onSent hook runs
   * once per row.
   */
  private async markSent(row: OutboxMessage, result: Record<string, unknown>, at: Date, note: string | null): Promise<void> {
    const sent: SentValues = {
      msgid: typeof result.msgid === 'string' ? result.msgid.slice(0, 128) : null,
      responseCode: typeof result.response_code === 'string' ? result.response_code.slice(0, 256) : null,
      response: JSON.stringify(result).slice(0, 60_000),
      errcode: note ? Number(result.errcode) : null,
      lastError: note,
      sentAt: at,
    };
    const values: Partial<OutboxMessage> = { status: 'sent', claimedBy: null, claimedUntil: null, ...sent };
    const update = (m: EntityManager, v: Partial<OutboxMessage>) =>
      m
        .createQueryBuilder()
        .update(OutboxMessage)
        .set(v as any)
        .where('id = :id AND status <> :sent', { id: row.id, sent: 'sent' })
        .execute();
    const hook = this.opts.onSent && (this.opts.onSentWants?.(row) ?? true) ? this.opts.onSent : undefined;
    let recorded = false;
    try {
      if (!hook) recorded = await this.marks.mark(row.id, sent);
      else {
        await sqliteSerial(this.ds, () =>
          inTransaction(this.ds, async (m) => {
            recorded = (await update(m, values)).affected === 1;
            if (recorded) await hook(Object.assign(new OutboxMessage(), row, values, { version: row.version + 1 }), result, m);
          }),
        );
      }
    } catch (e) {
      if (!hook) throw e;
      recorded = false;
      // The hook failed and rolled back; the message went out all the same.
      const err = `onSent failed: ${(e as Error).message}`.slice(0, 500);
      this.opts.logger?.error({ outboxId: row.id, channel: row.channel, err }, 'outbox onSent hook failed');
      await this.write((m) => update(m, { ...values, lastError: err }));
      recorded = true;
    }
    Object.assign(row, values);
    if (recorded) this.opts.metrics?.outboxSent(row.channel);
    this.opts.logger?.info({ outboxId: row.id, channel: row.channel, attempts: row.attempts }, note ? 'outbox row done (earlier try)' : 'outbox row sent');
  }
}
