import { expect } from 'chai';
import { DataSource, QueryRunner } from 'typeorm';
import { clearTables, extraDataSource, isMysqlRun, testDataSource } from '../helpers/db';
import { isRetryableLockError, isUniqueViolation } from '../../src/db/errors';
import { retryOnLockError } from '../../src/db/tx';
import { DailyCounter } from '../../entities';

interface RawSqlite {
  exec(sql: string): void;
  close(): void;
  readonly inTransaction: boolean;
}
// A second, raw connection to the SQLite file, without the busy timeout TypeORM's connection sets.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string, o: { timeout: number }) => RawSqlite;

/** The rejection of p (fails the test when p resolves). */
async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail('expected an error'),
    (e: unknown) => e,
  );
}

describe('db: error classifiers on real driver errors', () => {
  let ds: DataSource;
  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => {
    await clearTables(ds);
    await ds.getRepository(DailyCounter).insert([
      { series: 'A', day: '20261126', lastSeq: 0 },
      { series: 'B', day: '20261126', lastSeq: 0 },
    ]);
  });

  /** Runs fn with an open transaction on each of two connection pools, rolled back after. */
  async function withTwoTransactions(fn: (q1: QueryRunner, q2: QueryRunner) => Promise<void>): Promise<void> {
    const other = await extraDataSource();
    const [q1, q2] = [ds.createQueryRunner(), other.createQueryRunner()];
    try {
      await q1.startTransaction();
      await q2.startTransaction();
      await fn(q1, q2);
    } finally {
      for (const q of [q1, q2]) {
        if (q.isTransactionActive) await q.rollbackTransaction().catch(() => undefined);
        await q.release();
      }
      await other.destroy();
    }
  }

  const bump = (qr: QueryRunner, series: string) => qr.query(`UPDATE daily_counters SET last_seq = last_seq + 1 WHERE series = '${series}'`);

  it('a duplicate key is a unique violation, not a lock conflict', async () => {
    const e = await errorOf(ds.getRepository(DailyCounter).insert({ series: 'A', day: '20261126', lastSeq: 1 }));
    expect(isUniqueViolation(e)).to.equal(true);
    expect(isRetryableLockError(e)).to.equal(false);
    expect(isRetryableLockError(new Error('boom'))).to.equal(false);
    expect(isUniqueViolation(null)).to.equal(false);
  });

  it('MariaDB/MySQL: a deadlock victim is retryable, and retryOnLockError runs it again', async function () {
    if (!isMysqlRun()) this.skip();
    await withTwoTransactions(async (q1, q2) => {
      await bump(q1, 'A');
      await bump(q2, 'B');
      const results = await Promise.allSettled([bump(q1, 'B'), bump(q2, 'A')]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed).to.have.length(1);
      expect(isRetryableLockError(failed[0].reason)).to.equal(true);
      expect(isUniqueViolation(failed[0].reason)).to.equal(false);
      let runs = 0;
      const out = await retryOnLockError(async () => {
        runs++;
        if (runs === 1) throw failed[0].reason;
        return 'second run';
      });
      expect([out, runs]).to.deep.equal(['second run', 2]);
    });
  });

  it('MariaDB/MySQL: a lock wait timeout is retryable', async function () {
    if (!isMysqlRun()) this.skip();
    await withTwoTransactions(async (q1, q2) => {
      await q2.query('SET SESSION innodb_lock_wait_timeout = 1');
      await bump(q1, 'A');
      const e = await errorOf(bump(q2, 'A'));
      expect(isRetryableLockError(e)).to.equal(true);
    });
  });

  it('SQLite: a busy database is retryable', function () {
    if (isMysqlRun()) this.skip();
    const file = String((ds.options as { database: string }).database);
    const [a, b] = [new Database(file, { timeout: 0 }), new Database(file, { timeout: 0 })];
    try {
      a.exec('BEGIN IMMEDIATE');
      let e: unknown = null;
      try {
        b.exec("UPDATE daily_counters SET last_seq = 1 WHERE series = 'A'");
      } catch (err) {
        e = err;
      }
      expect(isRetryableLockError(e)).to.equal(true);
      expect(isUniqueViolation(e)).to.equal(false);
    } finally {
      if (a.inTransaction) a.exec('ROLLBACK');
      a.close();
      b.close();
    }
  });
});
