import crypto from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyKey } from '../../entities';
import { AppError } from '../errors';
import { inTransaction, isUniqueViolation } from '../db/tx';

const KEY_RE = /^[\x21-\x7e]{1,100}$/;

/** Canonical JSON (sorted keys) so the same body always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export interface Answer {
  status: number;
  body: unknown;
  replayed: boolean;
}

/**
 * Runs `fn` once per (scope, Idempotency-Key): the key row is inserted first in the same
 * transaction, so a concurrent twin waits on it and then replays the stored answer. The
 * same key with a different body is a conflict. A failed call stores nothing (it may be retried).
 */
export async function idempotent(
  ds: DataSource,
  scope: string,
  key: string | undefined,
  body: unknown,
  now: Date,
  fn: (m: EntityManager) => Promise<{ status: number; body: unknown }>,
): Promise<Answer> {
  if (!key) return { ...(await inTransaction(ds, fn)), replayed: false };
  if (!KEY_RE.test(key)) throw new AppError('bad_request', 'Idempotency-Key: 1-100 printable ASCII characters');
  const hash = crypto.createHash('sha256').update(canonical(body)).digest('hex');
  const replay = async (): Promise<Answer | null> => {
    const row = await ds.getRepository(IdempotencyKey).findOneBy({ scope, idemKey: key });
    if (!row) return null;
    if (row.requestHash !== hash) throw new AppError('idempotency_conflict', 'this Idempotency-Key was used with a different body');
    return { status: row.statusCode, body: JSON.parse(row.response), replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const out = await inTransaction(ds, async (m) => {
      const repo = m.getRepository(IdempotencyKey);
      await repo.insert({ scope, idemKey: key, requestHash: hash, statusCode: 0, response: '', createdAt: now });
      const r = await fn(m);
      await repo.update({ scope, idemKey: key }, { statusCode: r.status, response: JSON.stringify(r.body) });
      return r;
    });
    return { ...out, replayed: false };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const twin = await replay();
    if (!twin) throw e;
    return twin;
  }
}
