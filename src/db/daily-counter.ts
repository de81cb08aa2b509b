import { EntityManager } from 'typeorm';
import { isSqlite } from './tx';
import { AppError } from '../errors';

/**
 * The next number of an office-local day in one series: `HC20261126-0001`,
 * `TS20261126-0003`. The day's counter row is upserted in the caller's transaction (row
 * lock on MySQL/MariaDB until commit, one writer on SQLite), so numbers are unique across
 * instances and a rolled-back caller gives its number back: no gaps. Callers take it as
 * late as possible, since the row stays locked until they commit.
 *
 * One statement on each dialect, on the caller's connection: an upsert with
 * LAST_INSERT_ID(expr) on MySQL/MariaDB (the new value comes back as the statement's
 * insert id), ON CONFLICT ... RETURNING on SQLite. Creating the row from a second
 * connection would need a free pool connection while this one holds locks, and a burst of
 * first numbers of a day could then exhaust the pool. Two first numbers of a day may still
 * meet as a deadlock on MySQL; callers run their transaction through retryOnLockError.
 */
export async function nextDailyNumber(m: EntityManager, series: string, localDate: string): Promise<string> {
  return (await nextDailyNumbers(m, series, localDate, 1))[0];
}

/**
 * `count` consecutive numbers of one day in one statement (a batch of creations sharing one
 * transaction): the counter moves by `count` under the same row lock, so the numbers are
 * still gap-free and unique; a rollback gives them all back.
 */
export async function nextDailyNumbers(m: EntityManager, series: string, localDate: string, count: number): Promise<string[]> {
  if (!Number.isSafeInteger(count) || count < 1) throw new AppError('internal', `daily counter: bad count ${count}`);
  const day = localDate.replace(/-/g, '');
  const e = (x: string) => m.connection.driver.escape(x);
  const [table, cSeries, cDay, cSeq] = [e('daily_counters'), e('series'), e('day'), e('last_seq')];
  let last: number;
  if (isSqlite(m.connection)) {
    const rows = (await m.query(
      `INSERT INTO ${table} (${cSeries}, ${cDay}, ${cSeq}) VALUES (?, ?, ?) ON CONFLICT (${cSeries}, ${cDay}) DO UPDATE SET ${cSeq} = ${cSeq} + ? RETURNING ${cSeq} AS n`,
      [series, day, count, count],
    )) as Array<{ n: number }>;
    last = Number(rows[0]?.n);
  } else {
    const r = (await m.query(`INSERT INTO ${table} (${cSeries}, ${cDay}, ${cSeq}) VALUES (?, ?, LAST_INSERT_ID(?)) ON DUPLICATE KEY UPDATE ${cSeq} = LAST_INSERT_ID(${cSeq} + ?)`, [
      series,
      day,
      count,
      count,
    ])) as { insertId?: number | string };
    last = Number(r.insertId);
  }
  if (!Number.isSafeInteger(last) || last < count) throw new AppError('internal', `daily counter ${series}${day} returned no value`);
  return Array.from({ length: count }, (_, i) => `${series}${day}-${String(last - count + 1 + i).padStart(4, '0')}`);
}
