import { DataSource } from 'typeorm';
import { InboxEvent } from '../../entities';
import { inTransaction, isSqlite, sqliteSerial } from '../db/tx';
import { placeholders, q, sqlValue } from '../db/fast-sql';
import { GroupCommitter, GroupCommitOptions } from '../db/group-commit';
import { InboxWrite, Stored, storeCallbacks } from './inbox-store';
import { OpenedCallback, CallbackFields } from './callback';
import { CallbackDispatcher } from './dispatcher';
import { Logger } from '../logger';
import { describeError } from '../errors';
import { Metrics } from '../metrics';

export interface InboxDeps {
  dataSource: DataSource;
  dispatcher: CallbackDispatcher;
  log: Logger;
  metrics?: Metrics;
  now?: () => Date;
  instanceId: string;
  maxAttempts?: number;
  /** Callbacks processed at once in this instance (default 4; the pool holds 10 connections). */
  concurrency?: number;
  /**
   * Callbacks processed at once while others are being acknowledged (a batch is queued or
   * being written; default 1): under a burst the answers get the CPU and the database first,
   * and the processing, which may lag, catches up after.
   */
  busyConcurrency?: number;
  /** Called after a callback was processed (e.g. to wake the outbox for the replies it queued). */
  afterProcess?: (kind: string) => void;
  /** How callbacks arriving together share one INSERT and one commit (src/db/group-commit.ts). */
  groupCommit?: GroupCommitOptions;
  /**
   * How long the first kf "sync needed" row of an account waits for company before it is
   * processed (default 5 ms): the rows arriving meanwhile share its transaction, and the kf
   * worker it wakes syncs them in one pass.
   */
  coalesceMs?: number;
}

/**
 * The persisted inbox: a callback is stored before WeCom gets its 200, so an answered
 * callback survives a crash; processing happens after the answer, in the handler's own
 * transaction together with marking the row done (exactly once).
 */
export class Inbox {
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  /**
   * Answered callbacks waiting to be processed: ids per sender, in order (one person's
   * messages are processed in order within this instance). A backlog costs a number per
   * callback, not a promise chain: under a burst it can reach tens of thousands.
   */
  private readonly queued = new Map<string, number[]>();
  /** Senders with queued ids and none being processed, in the order they became ready. */
  private readonly ready: string[] = [];
  /** Senders with a callback being processed. */
  private readonly busy = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly concurrency: number;
  private readonly busyConcurrency: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private stopped = false;
  private recovering: Promise<void> = Promise.resolve();
  private readonly coalesceMs: number;
  /** Coalescing windows open (makeReady); drain() waits for them. */
  private readonly coalescing = new Set<NodeJS.Timeout>();
  /** Callbacks answered together are stored together: one multi-row INSERT, one commit. */
  readonly writes: GroupCommitter<InboxWrite, Stored>;

  constructor(private readonly deps: InboxDeps) {
    this.now = deps.now ?? (() => new Date());
    this.maxAttempts = deps.maxAttempts ?? 5;
    this.concurrency = Math.max(1, deps.concurrency ?? 4);
    this.busyConcurrency = Math.min(this.concurrency, Math.max(1, deps.busyConcurrency ?? 1));
    this.coalesceMs = Math.max(0, deps.coalesceMs ?? 5);
    // The answers written, processing may take its full concurrency again (pump).
    this.writes = new GroupCommitter((batch) => storeCallbacks(deps.dataSource, batch), { ...deps.groupCommit, afterBatch: () => this.pump() });
  }

  /**
   * Stores the callback; resolves once the batch it joined has committed (so the 200 that
   * follows is never ahead of the row). A duplicate (WeCom's retry or a replay) is
   * reported, not stored. Rejects when the row could not be stored.
   */
  accept(cb: OpenedCallback): Promise<Stored> {
    return this.writes.submit({ cb, receivedAt: this.now() });
  }

  /**
   * Processes a stored row after the answer; ordered per sender within this instance. Rows
   * of a batched sender (kf "sync needed", see BATCHED) that queued up meanwhile are
   * processed together, in one transaction.
   */
  schedule(id: number, senderKey: string): void {
    if (this.stopped) return; // recovery on another instance (or the next start) picks it up
    let q = this.queued.get(senderKey);
    if (!q) {
      this.queued.set(senderKey, (q = []));
      if (!this.busy.has(senderKey)) this.makeReady(senderKey);
    }
    q.push(id);
    this.pump();
  }

  /** A sender with queued rows may start; a batched one after the coalescing window. */
  private makeReady(senderKey: string): void {
    if (!BATCHED.test(senderKey) || this.coalesceMs <= 0) {
      this.ready.push(senderKey);
      return;
    }
    const timer = setTimeout(() => {
      this.coalescing.delete(timer);
      this.ready.push(senderKey);
      this.pump();
    }, this.coalesceMs);
    this.coalescing.add(timer);
  }

  /**
   * Starts queued callbacks while processing slots are free, one per sender at a time; while
   * callbacks are being acknowledged, only busyConcurrency slots.
   */
  private pump(): void {
    while (this.active < (this.writes.busy ? this.busyConcurrency : this.concurrency) && this.ready.length) {
      const key = this.ready.shift()!;
      const q = this.queued.get(key)!;
      const ids = BATCHED.test(key) ? q.splice(0, BATCH_MAX) : [q.shift()!];
      if (!q.length) this.queued.delete(key);
      this.busy.add(key);
      this.active++;
      const run: Promise<void> = (ids.length > 1 ? this.processBatch(ids) : this.process(ids[0]))
        .then(
          () => undefined,
          (e) => this.deps.log.error({ err: describeError(e), inboxId: ids[0] }, 'inbox processing failed'),
        )
        .finally(() => {
          this.busy.delete(key);
          this.inflight.delete(run);
          if (this.queued.has(key)) this.makeReady(key);
          this.release();
        });
      this.inflight.add(run);
    }
  }

  /**
   * At most `concurrency` callbacks are processed at once: under a burst the backlog waits
   * in the table, and the answer path (one INSERT) always finds a free database connection.
   */
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    // A freed slot is handed over as it is (release), so the count never overshoots.
    if (this.active >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** A processing slot is free: a recovery waiting for one first, else the queue. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) return next();
    this.active--;
    this.pump();
  }

  /**
   * Dispatches the row in one transaction that locks it, runs the handler and marks it done:
   * the row lock is the claim, so two instances (or a recovery racing the first attempt)
   * never both act on it, and a crash rolls everything back to 'received'.
   */
  async process(id: number): Promise<'done' | 'skipped' | 'failed' | 'retry'> {
    const ds = this.deps.dataSource;
    const now = this.now();
    let kind = 'unknown';
    const log = this.deps.log.child({ inboxId: id });
    try {
      const outcome = await inTransaction(ds, async (manager) => {
        const t = q(manager, 'wecom_inbox');
        const rows: Array<{ kind: string; payload: string; status: string; attempts: number }> = await manager.query(
          `SELECT ${q(manager, 'kind')}, ${q(manager, 'payload')}, ${q(manager, 'status')}, ${q(manager, 'attempts')} FROM ${t} WHERE ${q(manager, 'id')} = ?${isSqlite(ds) ? '' : ' FOR UPDATE'}`,
          [id],
        );
        const row = rows[0];
        if (!row || row.status !== 'received') return null;
        kind = row.kind;
        const fields = JSON.parse(row.payload) as CallbackFields;
        const refused = refusalOf(fields, now);
        if (refused) log.warn({ kind, reason: refused, createTime: fields.CreateTime }, 'callback stored but not acted on');
        const o = refused ?? (await this.deps.dispatcher.dispatch(fields, { manager, now, inboxId: id, log }));
        await manager.query(
          `UPDATE ${t} SET ${q(manager, 'status')} = 'done', ${q(manager, 'processed_at')} = ?, ${q(manager, 'attempts')} = ? WHERE ${q(manager, 'id')} = ?`,
          [sqlValue(manager, InboxEvent, 'processedAt', now), Number(row.attempts) + 1, id],
        );
        return o;
      });
      if (outcome === null) return 'skipped';
      this.deps.metrics?.callbacks.inc({ type: kind, outcome });
      this.deps.afterProcess?.(kind);
      return 'done';
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      const repo = ds.getRepository(InboxEvent);
      const row = await repo.findOneBy({ id });
      const attempts = (row?.attempts ?? 0) + 1;
      const failed = attempts >= this.maxAttempts;
      await sqliteSerial(ds, () =>
        repo.update({ id, status: 'received' }, { attempts, lastError: message.slice(0, 500), status: failed ? 'failed' : 'received' }),
      );
      this.deps.metrics?.callbacks.inc({ type: row?.kind ?? kind, outcome: failed ? 'failed' : 'error' });
      log.error({ err: describeError(e), attempts }, failed ? 'callback failed for good' : 'callback handler error, will retry');
      return failed ? 'failed' : 'retry';
    }
  }

  /**
   * Rows of one batched sender in ONE transaction: locked together, dispatched in order
   * (CallbackDispatcher.dispatchMany, which records one "sync needed" per kf account for
   * all of them), marked done together. If the batch fails for any reason nothing of it was
   * written, and each row is processed alone (process), which counts its attempts.
   * Returns how many rows it processed.
   */
  async processBatch(ids: number[]): Promise<number> {
    const ds = this.deps.dataSource;
    const now = this.now();
    const log = this.deps.log.child({ inboxIds: `${ids[0]}..${ids[ids.length - 1]}` });
    let done: Array<{ kind: string; outcome: string }>;
    try {
      done = await inTransaction(ds, async (manager) => {
        const t = q(manager, 'wecom_inbox');
        const rows: Array<{ id: number | string; kind: string; payload: string; status: string }> = await manager.query(
          `SELECT ${q(manager, 'id')}, ${q(manager, 'kind')}, ${q(manager, 'payload')}, ${q(manager, 'status')} FROM ${t} WHERE ${q(manager, 'id')} IN (${placeholders(ids.length)}) ORDER BY ${q(manager, 'id')}${isSqlite(ds) ? '' : ' FOR UPDATE'}`,
          ids,
        );
        const fresh = rows.filter((r) => r.status === 'received').map((r) => ({ id: Number(r.id), kind: r.kind, fields: JSON.parse(r.payload) as CallbackFields }));
        if (!fresh.length) return [];
        const refused = fresh.map((r) => refusalOf(r.fields, now));
        fresh.forEach((r, i) => refused[i] && log.warn({ kind: r.kind, reason: refused[i], createTime: r.fields.CreateTime }, 'callback stored but not acted on'));
        const acted = fresh.filter((_, i) => !refused[i]);
        const outcomes = await this.deps.dispatcher.dispatchMany(
          acted.map((r) => ({ fields: r.fields, inboxId: r.id })),
          { manager, now, log },
        );
        await manager.query(
          `UPDATE ${t} SET ${q(manager, 'status')} = 'done', ${q(manager, 'processed_at')} = ?, ${q(manager, 'attempts')} = ${q(manager, 'attempts')} + 1 WHERE ${q(manager, 'id')} IN (${placeholders(fresh.length)})`,
          [sqlValue(manager, InboxEvent, 'processedAt', now), ...fresh.map((r) => r.id)],
        );
        let a = 0;
        return fresh.map((r, i) => ({ kind: r.kind, outcome: refused[i] ?? outcomes[a++] }));
      });
    } catch (e) {
      log.debug({ err: describeError(e), rows: ids.length }, 'inbox batch rolled back; one transaction per row');
      let n = 0;
      for (const id of ids) if ((await this.process(id)) === 'done') n++;
      return n;
    }
    for (const d of done) this.deps.metrics?.callbacks.inc({ type: d.kind, outcome: d.outcome });
    for (const kind of new Set(done.map((d) => d.kind))) this.deps.afterProcess?.(kind);
    return done.length;
  }

  /**
   * Picks up rows answered but not processed (a crash, a database hiccup, another
   * instance): one batch, at the processing concurrency, each sender's rows in order.
   * Returns how many it processed.
   */
  async recover(olderThanMs = 5_000, limit = 500): Promise<number> {
    const cutoff = new Date(this.now().getTime() - olderThanMs);
    const rows = await this.deps.dataSource
      .getRepository(InboxEvent)
      .createQueryBuilder('i')
      .select(['i.id', 'i.payload'])
      .where('i.status = :st AND i.received_at <= :cutoff', { st: 'received', cutoff })
      .orderBy('i.id', 'ASC')
      .limit(limit)
      .getMany();
    let n = 0;
    const chains = new Map<string, Promise<void>>();
    const batches = new Map<string, number[]>();
    for (const r of rows) {
      let key = `row:${r.id}`;
      try {
        key = senderKeyOf(JSON.parse(r.payload) as CallbackFields, r.id);
      } catch {
        // an unreadable payload fails in process() and is counted there
      }
      if (BATCHED.test(key)) {
        batches.set(key, [...(batches.get(key) ?? []), r.id]);
        continue;
      }
      const run = async () => {
        if (!this.stopped && (await this.limited(() => this.process(r.id))) === 'done') n++;
      };
      chains.set(key, (chains.get(key) ?? Promise.resolve()).then(run));
    }
    for (const [key, ids] of batches) {
      const run = async () => {
        for (let i = 0; i < ids.length && !this.stopped; i += BATCH_MAX) {
          const part = ids.slice(i, i + BATCH_MAX);
          n += await this.limited(async () => (part.length > 1 ? this.processBatch(part) : (await this.process(part[0])) === 'done' ? 1 : 0));
        }
      };
      chains.set(key, run());
    }
    await Promise.all(chains.values());
    return n;
  }

  /** Recovers batch after batch until a batch makes no progress (tests, the CLI, start-up). */
  async recoverAll(olderThanMs = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.recover(olderThanMs);
      total += n;
      if (n === 0 || this.stopped) return total;
    }
  }

  /** While there is backlog the next batch starts at once; an idle or failing pass waits. */
  start(intervalMs = 5_000): void {
    this.stopped = false;
    const tick = async () => {
      let wait = intervalMs;
      try {
        if ((await this.recover()) > 0) wait = 0;
      } catch (e) {
        this.deps.log.warn({ err: String(e) }, 'inbox recovery failed');
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.recovering = tick()), wait);
    };
    this.timer = setTimeout(() => (this.recovering = tick()), 0);
  }

  /** Graceful stop: no new work; in-flight processing finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([this.drain(), this.recovering, this.writes.idle()]);
  }

  /** Resolves when everything scheduled so far has been processed (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size || this.queued.size) {
      if (this.inflight.size) await Promise.allSettled([...this.inflight]);
      // Every slot is taken by recovery: the queue moves when one frees up.
      else await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** A click or message older than this is late beyond use (a replay, or a very long outage). */
export const MAX_ACTION_AGE_SECONDS = 3600;

/**
 * Why a stored callback must have no effect, or null to dispatch it: a member's message or
 * card click whose CreateTime is over an hour old, or an event from nobody (retrying it
 * would never help).
 */
export function refusalOf(f: CallbackFields, now: Date): 'stale' | 'anonymous' | null {
  const type = typeof f.MsgType === 'string' ? f.MsgType : '';
  const event = typeof f.Event === 'string' ? f.Event : '';
  if (event === 'kf_msg_or_event') return null; // carries no sender; the sync itself is idempotent
  const from = typeof f.FromUserName === 'string' ? f.FromUserName.trim() : '';
  if (!from) return 'anonymous';
  const acts = type === 'text' || event === 'template_card_event' || event === 'template_card_menu_event';
  const created = Number(f.CreateTime);
  if (acts && (!Number.isFinite(created) || now.getTime() / 1000 - created > MAX_ACTION_AGE_SECONDS)) return 'stale';
  return null;
}

/**
 * The ordering key of a callback: one member's messages are processed in order. kf events
 * carry no sender and only say "sync needed" for their account (the sync coalesces): one
 * key per account, whose rows are processed in batches (BATCHED).
 */
export function senderKeyOf(f: CallbackFields, id: number): string {
  if (f.MsgType === 'event' && f.Event === 'kf_msg_or_event' && typeof f.OpenKfId === 'string' && f.OpenKfId) return `kf:${f.OpenKfId}`;
  const from = typeof f.FromUserName === 'string' ? f.FromUserName : '';
  return from ? `u:${from}` : `row:${id}`;
}

/**
 * Senders whose queued rows are processed together, in one transaction: kf "sync needed"
 * callbacks of one account all say the same thing, so a burst of them costs one
 * transaction and one "sync needed" write instead of one per callback.
 */
const BATCHED = /^kf:/;
/** Rows per batch at most. */
const BATCH_MAX = 100;
