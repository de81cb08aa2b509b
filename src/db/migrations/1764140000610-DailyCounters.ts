import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** One gap-free daily counter table for every numbered series (HC requests, TS complaints). */
export class DailyCounters1764140000610 implements MigrationInterface {
  name = 'DailyCounters1764140000610';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'daily_counters', [col.str('series', 8, { isPrimary: true }), col.str('day', 8, { isPrimary: true }), col.int('last_seq')]);
    const [t, s, d, n] = ['daily_counters', 'series', 'day', 'last_seq'].map((x) => qr.connection.driver.escape(x));
    for (const [series, old] of OLD_TABLES) {
      await qr.query(`INSERT INTO ${t} (${s}, ${d}, ${n}) SELECT '${series}', ${d}, ${n} FROM ${qr.connection.driver.escape(old)}`);
      await qr.dropTable(old);
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    const [t, s, d, n] = ['daily_counters', 'series', 'day', 'last_seq'].map((x) => qr.connection.driver.escape(x));
    for (const [series, old] of OLD_TABLES) {
      await createTable(qr, old, [col.str('day', 8, { isPrimary: true }), col.int('last_seq')]);
      await qr.query(`INSERT INTO ${qr.connection.driver.escape(old)} (${d}, ${n}) SELECT ${d}, ${n} FROM ${t} WHERE ${s} = '${series}'`);
    }
    await qr.dropTable('daily_counters');
  }
}

/** The per-module tables this one replaces, with the series each held. */
const OLD_TABLES: ReadonlyArray<[string, string]> = [
  ['HC', 'verification_counters'],
  ['TS', 'complaint_day_counters'],
];
