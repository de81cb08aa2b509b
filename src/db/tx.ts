import { DataSource, EntityManager, SelectQueryBuilder, ObjectLiteral } from 'typeorm';

/**
 * Runs fn in one transaction. On SQLite there is a single writer: transactions from this
 * process are queued here, so two async flows never interleave inside one connection.
 */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

export function isSqlite(ds: DataSource): boolean {
  return ds.options.type === 'better-sqlite3';
}

export async function inTransaction<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  if (!isSqlite(ds)) return ds.transaction(fn);
  const prev = sqliteQueues.get(ds) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(() => ds.transaction(fn));
  sqliteQueues.set(ds, run.catch(() => undefined));
  return run;
}

/**
 * Row claim for work queues shared by several instances: `FOR UPDATE SKIP LOCKED` on
 * MySQL 8 / MariaDB 10.6+; SQLite has one writer, so the surrounding transaction suffices.
 */
export function claimLock<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, ds: DataSource): SelectQueryBuilder<T> {
  return isSqlite(ds) ? qb : qb.setLock('pessimistic_write').setOnLocked('skip_locked');
}

/** True when err is a unique-key violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; driverError?: { code?: string; errno?: number }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed|Duplicate entry/.test(e?.message ?? '');
}
