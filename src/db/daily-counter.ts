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
  const day = localDate.replace(/-/g, '');
  const e = (x: string) => m.connection.driver.escape(x);
  const [table, cSeries, cDay, cSeq] = [e('daily_counters'), e('series'), e('day'), e('last_seq')];
  let seq: number;
  if (isSqlite(m.connection)) {
    const rows = (await m.query(
      `INSERT INTO ${table} (${cSeries}, ${cDay}, ${cSeq}) VALUES (?, ?, 1) ON CONFLICT (${cSeries}, ${cDay}) DO UPDATE SET ${cSeq} = ${cSeq} + 1 RETURNING ${cSeq} AS n`,
      [series, day],
    )) as Array<{ n: number }>;
    seq = Number(rows[0]?.n);
  } else {
    const r = (await m.query(`INSERT INTO ${table} (${cSeries}, ${cDay}, ${cSeq}) VALUES (?, ?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE ${cSeq} = LAST_INSERT_ID(${cSeq} + 1)`, [
      series,
      day,
    ])) as { insertId?: number | string };
    seq = Number(r.insertId);
  }
  if (!Number.isSafeInteger(seq) || seq < 1) throw new AppError('internal', `daily counter ${series}${day} returned no value`);
  return `${series}${day}-${String(seq).padStart(4, '0')}`;
}
