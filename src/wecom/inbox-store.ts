import { DataSource } from 'typeorm';
import { InboxEvent } from '../../entities';
import { isUniqueViolation, sqliteSerial } from '../db/tx';
import { isConnectionError } from '../db/errors';
import { insertRows, q } from '../db/fast-sql';
import { OpenedCallback } from './callback';

/** A callback to store, with the time it was received. */
export interface InboxWrite {
  cb: OpenedCallback;
  receivedAt: Date;
}

export interface Stored {
  id: number;
  /** The dedupe key was already stored (WeCom's retry, a replay): nothing new was written. */
  duplicate: boolean;
}

/**
 * Stores a batch of callbacks with one multi-row INSERT (one statement in autocommit mode:
 * one transaction, one commit) and reads their ids back. Dedupe is the unique key on
 * dedupe_key, as for a single row:
 * - the same key twice in one batch: the first copy is stored, the others are duplicates of it;
 * - a key already stored (or stored meanwhile by another instance): the statement fails on
 *   the unique key, the stored keys are read, and the rest are inserted again (duplicates
 *   answer with the stored row's id);
 * - any other error: a lost connection fails the whole batch (the callers answer non-200 or
 *   spool); a refused row (e.g. a payload too long for its column) fails alone, because the
 *   rows are then written one per statement.
 */
export async function storeCallbacks(ds: DataSource, writes: InboxWrite[]): Promise<Array<Stored | Error>> {
  const first = new Map<string, InboxWrite>();
  for (const w of writes) if (!first.has(w.cb.dedupeKey)) first.set(w.cb.dedupeKey, w);
  const unique = [...first.values()];
  const outcome = new Map<string, Stored | Error>();
  try {
    await sqliteSerial(ds, () => insertWithDedupe(ds, unique, outcome));
  } catch (e) {
    if (unique.length === 1 || isConnectionError(e)) throw e;
    // One row may be what the database refuses: write them one by one so it fails alone.
    for (const w of unique) {
      try {
        await sqliteSerial(ds, () => insertWithDedupe(ds, [w], outcome));
      } catch (err) {
        if (isConnectionError(err)) throw err;
        outcome.set(w.cb.dedupeKey, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
  return writes.map((w) => {
    const o = outcome.get(w.cb.dedupeKey) ?? new Error('callback was not stored');
    // A later copy of a key in the same batch is a duplicate of the stored first copy.
    return o instanceof Error || first.get(w.cb.dedupeKey) === w ? o : { id: o.id, duplicate: true };
  });
}

async function insertWithDedupe(ds: DataSource, rows: InboxWrite[], outcome: Map<string, Stored | Error>): Promise<void> {
  let fresh = rows;
  let firstId = 0;
  for (let attempt = 1; fresh.length; attempt++) {
    try {
      firstId = await insertRows(
        ds.manager,
        InboxEvent,
        fresh.map((w) => ({ dedupeKey: w.cb.dedupeKey, kind: w.cb.kind.slice(0, 40), payload: JSON.stringify(w.cb.fields), status: 'received' as const, attempts: 0, receivedAt: w.receivedAt })),
      );
      break;
    } catch (e) {
      // Each round removes at least one stored key; a few rounds cover concurrent instances.
      if (!isUniqueViolation(e) || attempt >= 5) throw e;
      const stored = await idsOf(ds, fresh);
      if (!stored.size) throw e;
      for (const [key, id] of stored) outcome.set(key, { id, duplicate: true });
      fresh = fresh.filter((w) => !stored.has(w.cb.dedupeKey));
    }
  }
  if (!fresh.length) return;
  // One row: its id is the statement's insert id (every dialect). Several: read back, as a
  // multi-row INSERT's ids need not be consecutive everywhere (TiDB).
  if (fresh.length === 1 && firstId > 0) {
    outcome.set(fresh[0].cb.dedupeKey, { id: firstId, duplicate: false });
    return;
  }
  const ids = await idsOf(ds, fresh);
  for (const w of fresh) {
    const id = ids.get(w.cb.dedupeKey);
    outcome.set(w.cb.dedupeKey, id ? { id, duplicate: false } : new Error('inserted callback not found'));
  }
}

/** The ids of the stored rows among these dedupe keys (the unique index answers). */
async function idsOf(ds: DataSource, rows: InboxWrite[]): Promise<Map<string, number>> {
  const m = ds.manager;
  const found: Array<{ id: number | string; k: string }> = await m.query(
    `SELECT ${q(m, 'id')} AS id, ${q(m, 'dedupe_key')} AS k FROM ${q(m, 'wecom_inbox')} WHERE ${q(m, 'dedupe_key')} IN (${rows.map(() => '?').join(', ')})`,
    rows.map((w) => w.cb.dedupeKey),
  );
  return new Map(found.map((r) => [r.k, Number(r.id)]));
}
