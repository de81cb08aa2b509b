import { EntityManager } from 'typeorm';
import { OutboxMessage, OutboxChannel } from '../../../entities/OutboxMessage';
import { AppError } from '../../errors';
import { DataSource } from 'typeorm';
import { afterCommit, isSqlite, isUniqueViolation } from '../../db/tx';
import { insertRows } from '../../db/fast-sql';
import { chatKey, kfKey, userKey } from '../pacer';

/** The write side: rows written in the caller's domain transaction, sent after commit by the dispatcher. */

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

/** Per data source, what wakes this instance's dispatcher (others poll). */
const wakers = new WeakMap<DataSource, { listeners: Set<() => void>; fire: () => void }>();

function wakerOf(ds: DataSource) {
  let w = wakers.get(ds);
  if (!w) {
    const listeners = new Set<() => void>();
    w = { listeners, fire: () => listeners.forEach((l) => l()) };
    wakers.set(ds, w);
  }
  return w;
}

/**
 * Calls fn after each commit that wrote outbox rows through this process (enqueue or
 * enqueueMany), so a new message is sent without waiting for the dispatcher's interval.
 * Returns the unsubscribe.
 */
export function onEnqueueCommitted(ds: DataSource, fn: () => void): () => void {
  const w = wakerOf(ds);
  w.listeners.add(fn);
  return () => w.listeners.delete(fn);
}

function committedWakes(manager: EntityManager): void {
  const w = wakers.get(manager.connection);
  if (w?.listeners.size) afterCommit(manager, w.fire);
}

const CHANNELS: ReadonlySet<string> = new Set(['message', 'update_card', 'appchat', 'robot', 'kf', 'kf_event']);
const PREFIX: Partial<Record<OutboxChannel, string>> = { message: 'user', appchat: 'chat', kf: 'kf', robot: 'robot' };

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Pacing keys a row's payload implies (robot: resolved at send time, from the address). */
export function recipientsOf(channel: OutboxChannel, payload: Record<string, any>): string[] {
  switch (channel) {
    case 'message': {
      if (typeof payload.touser !== 'string') return [];
      // One pass, no intermediate arrays: a sweep shapes thousands of one-userid rows.
      const keys: string[] = [];
      for (const part of payload.touser.split('|')) {
        const u = part.trim();
        if (u && u !== '@all') keys.push(userKey(u));
      }
      return keys;
    }
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
 * Writes one outgoing call in the caller's transaction; the dispatcher sends
 * it after commit. With a dedupeKey the call is idempotent: an existing row is returned.
 * The INSERT goes first: a key is almost always new (a reply's key names the callback it
 * answers, and a callback processed again after a crash had its rows rolled back with it),
 * so a read before every write would cost a statement for nothing. When the key exists
 * (stored before, or by a concurrent transaction: the second INSERT waits for the first to
 * commit) the INSERT fails with a duplicate key; on MySQL/MariaDB (and SQLite) that rolls
 * back only the statement, so we catch it and return the committed row, read with a locking
 * read (a plain read in a REPEATABLE READ snapshot would not see a concurrent one); the
 * caller's transaction stays intact.
 */
export async function enqueue(manager: EntityManager, msg: EnqueueMessage): Promise<OutboxMessage> {
  const shaped = shapeOutboxRow(msg);
  const repo = manager.getRepository(OutboxMessage);
  const row = repo.create(shaped);
  try {
    // One plain INSERT (no query builder), no re-read of the row it just wrote.
    row.id = await insertRows(manager, OutboxMessage, [row]);
    row.version = 1;
    committedWakes(manager);
    return row;
  } catch (e) {
    if (!msg.dedupeKey || !isUniqueViolation(e)) throw e;
    const qb = repo.createQueryBuilder('o').where('o.dedupe_key = :k', { k: msg.dedupeKey });
    const existing = await (manager.queryRunner?.isTransactionActive && !isSqlite(manager.connection) ? qb.setLock('pessimistic_read') : qb).getOne();
    if (!existing) throw e;
    return existing;
  }
}

/**
 * Replaces the payload of a row no dispatcher has taken yet (still `pending`: a claim moves
 * it to `sending` in one conditional UPDATE, so the two cannot both win) and never tried (a
 * send that timed out may have arrived). Nobody has seen it, so it may say something newer.
 * false: taken, tried or sent already, send anew instead.
 */
export async function rewritePending(manager: EntityManager, id: number, msg: Pick<EnqueueMessage, 'channel' | 'payload' | 'now'>): Promise<boolean> {
  const shaped = shapeOutboxRow(msg);
  const r = await manager
    .createQueryBuilder()
    .update(OutboxMessage)
    .set({ payload: shaped.payload, recipients: shaped.recipients, version: () => 'version + 1' } as Record<string, unknown>)
    .where('id = :id AND status = :p AND attempts = 0', { id, p: 'pending' })
    .execute();
  return (r.affected ?? 0) > 0;
}

/** An outbox row as it is stored, before it has an id: what shapeOutboxRow makes of a message. */
export type OutboxRow = Omit<OutboxMessage, 'id' | 'version'>;

/**
 * Validates one message and shapes its row exactly as it is stored (enqueue, enqueueMany).
 * A caller that builds many messages before writing them (the sweep) shapes each one as it
 * is made, so the payload objects are not kept alive until the INSERT; enqueueRows writes them.
 */
export function shapeOutboxRow(msg: EnqueueMessage): OutboxRow {
  if (!CHANNELS.has(msg.channel)) throw new AppError('validation_failed', `unknown outbox channel ${String(msg.channel)}`);
  if (!isObject(msg.payload)) throw new AppError('validation_failed', 'outbox payload must be an object');
  const problem = payloadProblem(msg.channel, msg.payload as Record<string, unknown>);
  if (problem) throw new AppError('validation_failed', `outbox ${msg.channel} payload: ${problem}`);
  const keys = msg.recipients ? normaliseRecipients(msg.channel, msg.recipients) : recipientsOf(msg.channel, msg.payload);
  const joined = keys.length === 1 ? keys[0] : [...new Set(keys)].join('|');
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
 * enqueue for many messages at once, in the caller's transaction: every
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
  return enqueueRows(manager, messages.map(shapeOutboxRow));
}

/** enqueueMany for messages already shaped by shapeOutboxRow (validated there). */
export async function enqueueRows(manager: EntityManager, shaped: OutboxRow[]): Promise<EnqueueManyResult> {
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
  const cols = meta.columns.filter((c) => !c.isGenerated);
  const perStatement = Math.max(1, Math.floor((sqlite ? MANY_PARAMS.sqlite : MANY_PARAMS.mysql) / cols.length));
  const table = manager.connection.driver.escape(meta.tableName);
  const keyCol = manager.connection.driver.escape(meta.findColumnWithPropertyName('dedupeKey')!.databaseName);
  const insert = (rows: OutboxRow[]) => insertRows(manager, OutboxMessage, rows);
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
  if (inserted) committedWakes(manager);
  return { inserted, existing };
}
