import { AsyncLocalStorage } from 'async_hooks';
import { DataSource, EntityManager, SelectQueryBuilder, ObjectLiteral, QueryRunner } from 'typeorm';
import { isRetryableLockError } from './errors';

// Existing callers import the classifier from here; src/db/errors.ts is its home.
export { isUniqueViolation } from './errors';

export function isSqlite(ds: DataSource): boolean {
  return ds.options.type === 'better-sqlite3';
}

/**
 * SQLite has one writer and TypeORM's better-sqlite3 driver one connection: a write issued
 * while another flow's transaction is open would silently join (and roll back with) that
 * transaction, and better-sqlite3 blocks the event loop while another connection holds the
 * write lock. So every SQLite write, and every transaction, runs through one queue per
 * database file. The queue is re-entrant (AsyncLocalStorage): code already inside it runs
 * directly. On MySQL/MariaDB this is a plain call; the database orders writes itself.
 */
const queues = new Map<string, Promise<unknown>>();
const held = new AsyncLocalStorage<ReadonlySet<string>>();

function fileOf(ds: DataSource): string {
  const db = (ds.options as { database?: unknown }).database;
  return typeof db === 'string' ? db : String(db);
}

export function sqliteSerial<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  if (!isSqlite(ds)) return fn();
  const file = fileOf(ds);
  const mine = held.getStore();
  if (mine?.has(file)) return fn();
  const prev = queues.get(file) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(() => held.run(new Set([...(mine ?? []), file]), fn));
  const tail = run.catch(() => undefined);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  return run;
}

/** Runs fn in one transaction (queued on SQLite, see sqliteSerial). */
export function inTransaction<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  return sqliteSerial(ds, () => ds.transaction(fn));
}

/**
 * Work to do once the caller's transaction has committed (a wake-up for a worker that will
 * read what it wrote): never before, since a worker woken early would not see the rows yet,
 * and never after a rollback. Outside a transaction the write is already committed, so fn
 * runs at once. Hooks are keyed by query runner and run when its outermost transaction
 * commits, whichever helper opened it (TypeORM broadcasts every commit to subscribers).
 * The same fn registered twice in one transaction runs once.
 */
export function afterCommit(manager: EntityManager, fn: () => void): void {
  const qr = manager.queryRunner;
  if (!qr || !qr.isTransactionActive) {
    fn();
    return;
  }
  installCommitHooks(manager.connection);
  let set = commitHooks.get(qr);
  if (!set) commitHooks.set(qr, (set = new Set()));
  set.add(fn);
}

const commitHooks = new WeakMap<QueryRunner, Set<() => void>>();
const hooked = new WeakSet<DataSource>();

function installCommitHooks(ds: DataSource): void {
  if (hooked.has(ds)) return;
  hooked.add(ds);
  // A savepoint's commit or rollback leaves the outer transaction open: wait for the outermost.
  ds.subscribers.push({
    afterTransactionCommit(e) {
      if (e.queryRunner.isTransactionActive) return;
      const set = commitHooks.get(e.queryRunner);
      commitHooks.delete(e.queryRunner);
      set?.forEach((fn) => fn());
    },
    afterTransactionRollback(e) {
      if (!e.queryRunner.isTransactionActive) commitHooks.delete(e.queryRunner);
    },
  });
}

/**
 * Row claim for work queues shared by several instances: `FOR UPDATE SKIP LOCKED` on
 * MySQL 8 / MariaDB 10.6+; SQLite has one writer, so the surrounding transaction suffices.
 */
export function claimLock<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, ds: DataSource): SelectQueryBuilder<T> {
  return isSqlite(ds) ? qb : qb.setLock('pessimistic_write').setOnLocked('skip_locked');
}

/** Runs fn again (up to `tries` times, with a short jittered pause) when it lost a lock conflict. */
export async function retryOnLockError<T>(fn: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= tries || !isRetryableLockError(e)) throw e;
      await new Promise((r) => setTimeout(r, 10 * i + Math.floor(Math.random() * 20)));
    }
  }
}

/** inTransaction, run again whole when the database picked it as a deadlock victim. */
export function inTransactionRetrying<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>, tries = 3): Promise<T> {
  return retryOnLockError(() => inTransaction(ds, fn), tries);
}
