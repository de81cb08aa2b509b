import os from 'os';
import crypto from 'crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { OutboxMessage, OutboxChannel } from '../../entities/OutboxMessage';
import { AppError } from '../errors';
import { claimLock, inTransaction, isSqlite, isUniqueViolation, sqliteSerial } from '../db/tx';
import { WeComClient } from './client';
import { WeComError, WeComFatalError, WeComUnavailableError } from './errors';
import { Pacer, chatKey, kfKey, robotKey, userKey } from './pacer';
import { PassLoop } from './pass-loop';
import type { RobotOutboxPayload, WeComLogger, WeComMetrics } from './types';

export type { OutboxChannel };

// ---------------------------------------------------------------- enqueue

export interface EnqueueMessage {
  channel: OutboxChannel;
  /**
   * The API body without access_token/agentid. message: a message/send body;
   * update_card: an update_template_card body; appchat: an appchat/send body;
   * robot: {webhook, message}; kf: a kf/send_msg body; kf_event: a send_msg_on_event body.
   */
  payload: object;
  /**
   * Pacing keys ('user:ID', 'chat:ID', 'robot:HASH', 'kf:ID'); bare ids get the channel's
   * prefix. Default: taken from the payload (touser, chatid...).
   */
  recipients?: string[];
  /** Enqueueing the same key twice stores one row (the first one is returned). */
  dedupeKey?: string;
  refType?: string;
  refId?: string;
  notBefore?: Date;
  now: Date;
}

const CHANNELS: ReadonlySet<string> = new Set(['message', 'update_card', 'appchat', 'robot', 'kf', 'kf_event']);
const PREFIX: Partial<Record<OutboxChannel, string>> = { message: 'user', appchat: 'chat', kf: 'kf', robot: 'robot' };

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Pacing keys a row's payload implies (robot: resolved at send time, from the address). */
export function recipientsOf(channel: OutboxChannel, payload: Record<string, any>): string[] {
  switch (channel) {
    case 'message':
      return typeof payload.touser === 'string'
        ? payload.touser
            .split('|')
            .map((s: string) => s.trim())
            .filter((s: string) => s && s !== '@all')
            .map(userKey)
        : [];
    case 'appchat':
      return typeof payload.chatid === 'string' && payload.chatid ? [chatKey(payload.chatid)] : [];
    case 'kf':
      return typeof payload.touser === 'string' && payload.touser ? [kfKey(payload.touser)] : [];
    default:
      // update_card changes a card already delivered; kf_event is one welcome per code.
      return [];
  }
}

/** A domain bug caught in the domain's transaction rather than at send time. */
function payloadProblem(channel: OutboxChannel, p: Record<string, unknown>): string | null {
  const has = (k: string) => typeof p[k] === 'string' && (p[k] as string).length > 0;
  switch (channel) {
    case 'message':
      if (!has('msgtype')) return 'msgtype missing';
      return has('touser') || has('toparty') || has('totag') ? null : 'no recipient (touser, toparty or totag)';
    case 'update_card':
      return has('response_code') ? null : 'response_code missing';
    case 'appchat':
      return has('chatid') && has('msgtype') ? null : 'chatid and msgtype required';
    case 'robot':
      return has('webhook') && isObject(p.message) ? null : 'needs {webhook, message}';
    case 'kf':
      return has('touser') && has('open_kfid') && has('msgtype') ? null : 'touser, open_kfid and msgtype required';
    case 'kf_event':
      return has('code') && has('msgtype') ? null : 'code and msgtype required';
    default:
      return 'unknown channel';
  }
}

function normaliseRecipients(channel: OutboxChannel, list: string[]): string[] {
  return list.map((r) => {
    if (/^(user|chat|robot|kf):/.test(r)) return r.startsWith('user:') ? userKey(r.slice(5)) : r;
    const prefix = PREFIX[channel] ?? 'user';
    return prefix === 'user' ? userKey(r) : `${prefix}:${r}`;
  });
}

/**
 * Writes one outgoing call in the caller's transaction (STYLE.md #3); the dispatcher sends
 * it after commit. With a dedupeKey the call is idempotent: an existing row is returned.
 * We SELECT first, because a unique violation must not be the normal path. Race: two
 * transactions enqueueing the same new key at once both miss the SELECT; the second
 * INSERT waits for the first to commit and then fails with a duplicate key. On
 * MySQL/MariaDB (and SQLite) that error rolls back only the statement, so we catch it and
 * return the committed row, read with a locking read (a plain read in a REPEATABLE READ
 * snapshot would not see it); the caller's transaction stays intact.
 */
export async function enqueue(manager: EntityManager, msg: EnqueueMessage): Promise<OutboxMessage> {
  const shaped = shapeRow(msg);
  const repo = manager.getRepository(OutboxMessage);
  if (msg.dedupeKey) {
    const existing = await repo.findOneBy({ dedupeKey: msg.dedupeKey });
    if (existing) return existing;
  }
  const row = repo.create(shaped);
  try {
    // insert, not save: one statement, no re-read of the row it just wrote.
    const res = await repo.insert(row);
    row.id = Number(res.identifiers[0].id);
    return row;
  } catch (e) {
    if (!msg.dedupeKey || !isUniqueViolation(e)) throw e;
    const qb = repo.createQueryBuilder('o').where('o.dedupe_key = :k', { k: msg.dedupeKey });
    const existing = await (manager.queryRunner?.isTransactionActive && !isSqlite(manager.connection) ? qb.setLock('pessimistic_read') : qb).getOne();
    if (!existing) throw e;
    return existing;
  }
}

type OutboxRow = Omit<OutboxMessage, 'id' | 'version'>;

/** Validates one message and shapes its row exactly as it is stored (enqueue and enqueueMany). */
function shapeRow(msg: EnqueueMessage): OutboxRow {
  if (!CHANNELS.has(msg.channel)) throw new AppError('validation_failed', `unknown outbox channel ${String(msg.channel)}`);
  if (!isObject(msg.payload)) throw new AppError('validation_failed', 'outbox payload must be an object');
  const problem = payloadProblem(msg.channel, msg.payload as Record<string, unknown>);
  if (problem) throw new AppError('validation_failed', `outbox ${msg.channel} payload: ${problem}`);
  const keys = msg.recipients ? normaliseRecipients(msg.channel, msg.recipients) : recipientsOf(msg.channel, msg.payload);
  const joined = [...new Set(keys)].join('|');
  return {
    channel: msg.channel,
    payload: JSON.stringify(msg.payload),
    // Too long for the column (a message to hundreds of members): derived again at send time.
    recipients: joined.length <= 1000 ? joined : '',
    dedupeKey: msg.dedupeKey ?? null,
    refType: msg.refType ?? null,
    refId: msg.refId ?? null,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: msg.notBefore ?? msg.now,
    claimedBy: null,
    claimedUntil: null,
    errcode: null,
    lastError: null,
    msgid: null,
    responseCode: null,
    response: null,
    createdAt: msg.now,
    sentAt: null,
  };
}

export interface EnqueueManyResult {
  /** Rows written by this call. */
  inserted: number;
  /** Dedupe keys not written because a row with the key exists (or came earlier in the batch). */
  existing: string[];
}

/** Values bound per statement (SQLite's limit is 32766, MySQL's 65535) and bytes per statement (under max_allowed_packet). */
const MANY_PARAMS = { sqlite: 30_000, mysql: 60_000 };
const MANY_BYTES = 4 * 1024 * 1024;

/**
 * enqueue for many messages at once, in the caller's transaction (STYLE.md #3): every
 * message is validated first (an AppError writes nothing), then the rows go out in a few
 * multi-row INSERTs instead of one statement each (a sweep of a thousand reminders).
 * Dedupe keys mean what they mean for enqueue, called in the batch's order: a key already
 * stored, or repeated earlier in the batch, stores nothing more (listed in `existing`).
 * Unlike enqueue, the batch does not SELECT first: its callers write keys that are new (the
 * scheduler's follow from a unique stage claim made in the same transaction), so the INSERT
 * is the normal path. A duplicate key rolls back that statement alone (both dialects, the
 * caller's transaction stays usable); the stored keys of that statement are then read with
 * a locking read (which sees rows committed after this transaction's snapshot, as in
 * enqueue's race path) and the rest written again; a second collision (a race again) goes
 * row by row. Ids are not returned: read rows back by dedupe key or ref when needed.
 */
export async function enqueueMany(manager: EntityManager, messages: EnqueueMessage[]): Promise<EnqueueManyResult> {
  const shaped = messages.map(shapeRow);
  const existing: string[] = [];
  // Repeats within the batch: the first one wins.
  const seen = new Set<string>();
  const fresh: OutboxRow[] = [];
  for (const row of shaped) {
    const k = row.dedupeKey;
    if (k !== null && seen.has(k)) {
      existing.push(k);
      continue;
    }
    if (k !== null) seen.add(k);
    fresh.push(row);
  }
  if (!fresh.length) return { inserted: 0, existing };
  const sqlite = isSqlite(manager.connection);
  const meta = manager.connection.getMetadata(OutboxMessage);
  const driver = manager.connection.driver;
  const cols = meta.columns.filter((c) => !c.isGenerated);
  const perStatement = Math.max(1, Math.floor((sqlite ? MANY_PARAMS.sqlite : MANY_PARAMS.mysql) / cols.length));
  const table = driver.escape(meta.tableName);
  const keyCol = driver.escape(meta.findColumnWithPropertyName('dedupeKey')!.databaseName);
  const head = `INSERT INTO ${table} (${cols.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  const insert = async (rows: OutboxRow[]) => {
    const params: unknown[] = [];
    for (const row of rows) {
      for (const c of cols) params.push(c.isVersion ? 1 : driver.preparePersistentValue(row[c.propertyName as keyof OutboxRow], c));
    }
    await manager.query(head + rows.map(() => tuple).join(', '), params);
  };
  const stored = async (rows: OutboxRow[]): Promise<Set<string>> => {
    const keys = rows.map((r) => r.dedupeKey).filter((k): k is string => k !== null);
    if (!keys.length) return new Set();
    const lock = !sqlite && manager.queryRunner?.isTransactionActive ? ' LOCK IN SHARE MODE' : '';
    const found: Array<{ k: string }> = await manager.query(`SELECT ${keyCol} AS k FROM ${table} WHERE ${keyCol} IN (${keys.map(() => '?').join(', ')})${lock}`, keys);
    return new Set(found.map((f) => f.k));
  };

  let inserted = 0;
  for (let i = 0; i < fresh.length; ) {
    let j = i;
    let bytes = 0;
    while (j < fresh.length && j - i < perStatement && (j === i || bytes + fresh[j].payload.length * 3 <= MANY_BYTES)) {
      bytes += fresh[j].payload.length * 3 + 1024;
      j++;
    }
    const chunk = fresh.slice(i, j);
    i = j;
    try {
      await insert(chunk);
      inserted += chunk.length;
      continue;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    // Some keys are stored already (or were just committed by a racing transaction).
    const have = await stored(chunk);
    const rest = chunk.filter((r) => {
      if (r.dedupeKey === null || !have.has(r.dedupeKey)) return true;
      existing.push(r.dedupeKey);
      return false;
    });
    if (!rest.length) continue;
    try {
      await insert(rest);
      inserted += rest.length;
      continue;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    // Raced again: row by row, a duplicate key meaning the committed row stands (as in enqueue).
    const repo = manager.getRepository(OutboxMessage);
    for (const row of rest) {
      try {
        await repo.insert(repo.create(row));
        inserted++;
      } catch (e) {
        if (row.dedupeKey === null || !isUniqueViolation(e)) throw e;
        existing.push(row.dedupeKey);
      }
    }
  }
  return { inserted, existing };
}

// ---------------------------------------------------------------- dispatcher

/**
 * Answers that mean "not deliverable as it stands": retrying cannot help, so the row is
 * failed at once (and stays visible). Anything else not listed is retried with backoff
 * until maxAttempts. Sources: WECOM.md §3–§7, DOC 90313.
 */
export const PERMANENT_ERRCODES: ReadonlySet<number> = new Set([
  40003, // invalid userid
  40008, // invalid message type
  40032, // too many recipients
  40056, 41011, 301002, // agentid missing / invalid / another app's
  40058, // invalid parameter
  40096, // invalid external_userid
  41010, 41016, 41033, // textcard url / title / description missing
  42015, 42016, 42017, 42018, // card of another app, unknown task_id, bad button key
  43012, // interactive card without a callback URL
  44004, 45002, // empty or too long content
  48002, // API not allowed for this app
  60011, // no privilege (appchat needs the root department in the visible range)
  81013, 82001, // no valid recipient
  86001, 86003, 86004, 86005, 86006, 86007, 86008, 86201, 86215, // appchat
  93000, // invalid robot webhook
  95000, 95001, 95002, 95008, 95009, 95018, // kf: account, 5-message cap, 48 h window, menu, session state
  41049, 41050, // welcome code missing, used or expired
]);

/** Configuration problems: every call fails until an admin acts; rows wait, never fail. */
const HALT_ERRCODES: ReadonlySet<number> = new Set([60020]);

function isCardValidationError(errcode: number): boolean {
  return errcode >= 42020 && errcode <= 42099 && errcode !== 42014;
}

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
  /** How long a claim holds a row (default 120 s); a crashed claimer's rows return after it. */
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
/**
 * Appends the row id in zero-width characters to text/markdown content: invisible to the
 * reader, identical on a resend of the same row (so WeCom's duplicate check, which compares
 * the request JSON, still drops a crash resend), different between rows (so a repeated
 * identical reply, e.g. a re-asked question, is not dropped). Skipped when it would not fit.
 */
export function tagDistinct(payload: Record<string, any>, id: number): Record<string, any> {
  const type = String(payload.msgtype);
  if (type !== 'text' && type !== 'markdown') return payload;
  const inner = payload[type];
  if (!isObject(inner) || typeof inner.content !== 'string') return payload;
  const tag = `\u2060${id.toString(2).replace(/0/g, '\u200b').replace(/1/g, '\u200c')}`;
  if (Buffer.byteLength(inner.content) + Buffer.byteLength(tag) > 2048) return payload;
  return { ...payload, [type]: { ...inner, content: `${inner.content}${tag}` } };
}

/** Groups rows whose recipients overlap (union-find over recipient keys), keeping row order. */
export function lanesOf(rows: OutboxMessage[]): OutboxMessage[][] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  const keysOf = (row: OutboxMessage) => {
    const ks = row.recipients ? row.recipients.split('|').filter(Boolean) : [];
    return ks.length ? ks : [`row:${row.id}`];
  };
  for (const row of rows) {
    const ks = keysOf(row);
    for (const k of ks) if (!parent.has(k)) parent.set(k, k);
    for (const k of ks.slice(1)) parent.set(find(k), find(ks[0]));
  }
  const lanes = new Map<string, OutboxMessage[]>();
  for (const row of rows) {
    const root = find(keysOf(row)[0]);
    const lane = lanes.get(root) ?? [];
    lane.push(row);
    lanes.set(root, lane);
  }
  return [...lanes.values()];
}

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

  constructor(private readonly opts: OutboxDispatcherOptions) {
    this.ds = opts.dataSource;
    this.instanceId = (opts.instanceId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`).slice(0, 80);
    this.batchSize = opts.batchSize ?? 20;
    this.claimMs = opts.claimMs ?? 120_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.baseMs = opts.backoffBaseMs ?? 10_000;
    this.capMs = opts.backoffCapMs ?? 30 * 60_000;
    this.outageMs = opts.outageRetryMs ?? 30_000;
    this.fatalMs = opts.fatalRetryMs ?? 5 * 60_000;
    this.dupSeconds = Math.min(14_400, opts.duplicateCheckSeconds ?? 14_400);
    this.random = opts.random ?? Math.random;
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

  /** Runs passes until stop(): at once again after a full batch, else every intervalMs. */
  start(intervalMs: number): void {
    this.worker.start(intervalMs);
  }

  /** New work was queued: pass now rather than at the next interval. */
  nudge(): void {
    this.worker.nudge();
  }

  /** Graceful: the send in flight finishes; claimed rows not yet sent are released. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  private async pass(): Promise<RunResult> {
    const result: RunResult = { sent: 0, failed: 0, deferred: 0 };
    if (this.stopping) return result;
    const now = this.opts.now();
    if (now.getTime() < this.pausedUntil) return result;
    const rows = await this.claim(now);
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
      // WeCom down or refusing us: the rest waits with the same note; stopped: handed back.
      const h = halt as HaltBatch | null;
      for (const row of untried) await this.putBack(row, h ? { nextAttemptAt: h.retryAt, lastError: h.note, errcode: h.errcode } : {}).catch(() => undefined);
    }
    return result;
  }

  // ---------------------------------------------------------------- claim

  private async claim(now: Date): Promise<OutboxMessage[]> {
    const until = new Date(now.getTime() + this.claimMs);
    if (isSqlite(this.ds)) return this.claimSqlite(now, until);
    try {
      return await this.claimMysql(now, until);
    } catch (e) {
      // Should not happen under READ COMMITTED; a pass that lost a deadlock just claims nothing.
      if (!isDeadlock(e)) throw e;
      this.opts.logger?.warn({}, 'outbox claim lost a deadlock; next pass retries');
      return [];
    }
  }

  /**
   * MySQL/MariaDB: FOR UPDATE SKIP LOCKED in a READ COMMITTED transaction. Under REPEATABLE
   * READ the range scans also take gap locks, and two claimers moving rows into the
   * 'sending' range of ix_outbox_due then deadlock on each other's gaps.
   */
  private claimMysql(now: Date, until: Date): Promise<OutboxMessage[]> {
    return this.ds.transaction('READ COMMITTED', async (m) => {
      const qb = () => m.getRepository(OutboxMessage).createQueryBuilder('o');
      // Rows of a crashed claimer first, then due rows; each query walks ix_outbox_due.
      const stale = await claimLock(
        qb().where('o.status = :s AND o.claimed_until < :now', { s: 'sending', now }).orderBy('o.next_attempt_at', 'ASC').addOrderBy('o.id', 'ASC').limit(this.batchSize),
        this.ds,
      ).getMany();
      const due =
        stale.length < this.batchSize
          ? await claimLock(
              qb().where('o.status = :p AND o.next_attempt_at <= :now', { p: 'pending', now }).orderBy('o.next_attempt_at', 'ASC').addOrderBy('o.id', 'ASC').limit(this.batchSize - stale.length),
              this.ds,
            ).getMany()
          : [];
      const rows = [...stale, ...due];
      if (!rows.length) return rows;
      await m
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: 'sending', claimedBy: this.instanceId, claimedUntil: until, attempts: () => 'attempts + 1' })
        .whereInIds(rows.map((r) => r.id))
        .execute();
      for (const r of rows) {
        r.status = 'sending';
        r.claimedBy = this.instanceId;
        r.claimedUntil = until;
        r.attempts += 1;
        r.version += 1;
      }
      return rows;
    });
  }

  /** SQLite: one atomic UPDATE ... RETURNING, so no read-then-write upgrade can fail. */
  private async claimSqlite(now: Date, until: Date): Promise<OutboxMessage[]> {
    const [sql, params] = this.ds.driver.escapeQueryWithParameters(
      `UPDATE "outbox_messages" SET "status" = 'sending', "claimed_by" = :me, "claimed_until" = :until,
         "attempts" = "attempts" + 1, "version" = "version" + 1
       WHERE "id" IN (SELECT "id" FROM "outbox_messages"
         WHERE ("status" = 'sending' AND "claimed_until" < :now) OR ("status" = 'pending' AND "next_attempt_at" <= :now)
         ORDER BY CASE WHEN "status" = 'sending' THEN 0 ELSE 1 END, "next_attempt_at", "id" LIMIT :limit)
       RETURNING "id"`,
      { me: this.instanceId, until, now, limit: this.batchSize },
    );
    const ids = await sqliteSerial(this.ds, () => inTransaction(this.ds, async (m) => (await m.query(sql, params)) as Array<{ id: number }>));
    if (!ids.length) return [];
    const rows = await this.ds.getRepository(OutboxMessage).findBy({ id: In(ids.map((r) => r.id)) });
    return rows.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
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
      ({ send, keys } = this.prepare(row));
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
          if (keys.length === 1) blocked.set(keys[0], r.retryAt.getTime());
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

  /** The call a row makes and its pacing keys. */
  private prepare(row: OutboxMessage): { send: () => Promise<Record<string, unknown>>; keys: string[] } {
    const payload: unknown = JSON.parse(row.payload);
    if (!isObject(payload)) throw new Error('payload is not a JSON object');
    const c = this.opts.client;
    const keys = row.recipients ? row.recipients.split('|').filter(Boolean) : recipientsOf(row.channel, payload);
    switch (row.channel) {
      case 'message': {
        // WeCom drops a resend of the same request JSON within the interval (crash recovery);
        // the row's invisible tag keeps two rows with the same text both deliverable.
        const body = { ...tagDistinct(payload, row.id), msgtype: String(payload.msgtype), enable_duplicate_check: 1 as const, duplicate_check_interval: this.dupSeconds };
        return { send: () => c.sendMessage(body) as Promise<any>, keys };
      }
      case 'update_card':
        return { send: () => c.updateTemplateCard(payload as any) as Promise<any>, keys };
      case 'appchat':
        return { send: () => c.appchatSend(payload as any) as Promise<any>, keys };
      case 'robot': {
        const p = payload as Partial<RobotOutboxPayload>;
        if (typeof p.webhook !== 'string' || !isObject(p.message)) throw new Error('robot payload needs {webhook, message}');
        const url = this.opts.robots?.[p.webhook] ?? p.webhook;
        if (!/^https?:\/\//.test(url)) throw new Error('robot webhook is neither a configured name nor an address');
        const message = p.message as RobotOutboxPayload['message'];
        return { send: () => c.robotSend(url, message) as Promise<any>, keys: [robotKey(url)] };
      }
      case 'kf': {
        const body = { ...payload, msgid: typeof payload.msgid === 'string' ? payload.msgid : kfMsgId(row) };
        // kf limits (48 h / 5 messages) come back as errors, not silent drops: no pacing.
        return { send: () => c.kfSendMsg(body as any) as Promise<any>, keys: [] };
      }
      case 'kf_event': {
        const body = { ...payload, msgid: typeof payload.msgid === 'string' ? payload.msgid : kfMsgId(row) };
        return { send: () => c.kfSendMsgOnEvent(body as any) as Promise<any>, keys: [] };
      }
      default:
        throw new Error(`unknown channel ${String(row.channel)}`);
    }
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
      const isCard = row.channel === 'message' && (JSON.parse(row.payload) as { msgtype?: unknown }).msgtype === 'template_card';
      if (isCard && code === 42014 && this.triedBefore(row)) {
        // WECOM.md §3: the task_id was used by our earlier try, so the card was delivered.
        await this.markSent(row, answer, at, 'task_id already used by an earlier try: delivered then');
        return 'sent';
      }
      if (row.channel === 'update_card' && code === 60140 && this.triedBefore(row)) {
        // The response_code works once: our earlier try used it.
        await this.markSent(row, answer, at, 'response_code already used by an earlier try: updated then');
        return 'sent';
      }
      // WeCom refused the call: nothing was delivered, so the pacing slot is free again.
      if (reserved) await this.opts.pacer.release(row.id, at).catch(() => undefined);
      if (PERMANENT_ERRCODES.has(code) || isCardValidationError(code) || code === 42014 || code === 60140) {
        return this.fail(row, code, message);
      }
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
    const values: Partial<OutboxMessage> = {
      status: 'sent',
      claimedBy: null,
      claimedUntil: null,
      msgid: typeof result.msgid === 'string' ? result.msgid.slice(0, 128) : null,
      responseCode: typeof result.response_code === 'string' ? result.response_code.slice(0, 256) : null,
      response: JSON.stringify(result).slice(0, 60_000),
      errcode: note ? Number(result.errcode) : null,
      lastError: note,
      sentAt: at,
    };
    const update = (m: EntityManager, v: Partial<OutboxMessage>) =>
      m
        .createQueryBuilder()
        .update(OutboxMessage)
        .set(v as any)
        .where('id = :id AND status <> :sent', { id: row.id, sent: 'sent' })
        .execute();
    const hook = this.opts.onSent;
    let recorded = false;
    try {
      if (!hook) recorded = (await this.write((m) => update(m, values))).affected === 1;
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

function isDeadlock(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } };
  return (err?.driverError?.code ?? err?.code) === 'ER_LOCK_DEADLOCK';
}

/** The kf msgid of a row: [0-9a-zA-Z_-], at most 32 bytes, unique across database resets. */
export function kfMsgId(row: Pick<OutboxMessage, 'id' | 'createdAt'>): string {
  return `nc${row.id.toString(36)}_${row.createdAt.getTime().toString(36)}`;
}
