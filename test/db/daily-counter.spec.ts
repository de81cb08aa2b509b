import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { clearTables, extraDataSource, testDataSource } from '../helpers/db';
import { inTransaction, inTransactionRetrying } from '../../src/db/tx';
import { nextDailyNumber } from '../../src/db/daily-counter';
import { DailyCounter } from '../../entities';
import { DailyCounters1764140000610 } from '../../src/db/migrations/1764140000610-DailyCounters';

describe('db: gap-free daily counter', () => {
  let ds: DataSource;
  const extra: DataSource[] = [];

  before(async () => {
    ds = await testDataSource();
    for (let i = 0; i < 2; i++) extra.push(await extraDataSource());
  });
  after(async () => {
    for (const e of extra) await e.destroy();
  });
  beforeEach(() => clearTables(ds));

  it('numbers each series and day from 0001, independently', async () => {
    const take = (series: string, day: string) => inTransaction(ds, (m) => nextDailyNumber(m, series, day));
    expect(await take('HC', '2026-11-26')).to.equal('HC20261126-0001');
    expect(await take('HC', '2026-11-26')).to.equal('HC20261126-0002');
    expect(await take('TS', '2026-11-26')).to.equal('TS20261126-0001');
    expect(await take('HC', '2026-11-27')).to.equal('HC20261127-0001');
    expect(await take('TS', '20261126')).to.equal('TS20261126-0002');
  });

  it('gives a rolled-back number back: no gap', async () => {
    await inTransaction(ds, (m) => nextDailyNumber(m, 'HC', '2026-11-26'));
    const failed = inTransaction(ds, async (m) => {
      expect(await nextDailyNumber(m, 'HC', '2026-11-26')).to.equal('HC20261126-0002');
      throw new Error('caller failed after taking its number');
    });
    const err = await failed.then(() => null, (e: Error) => e);
    expect(err?.message).to.equal('caller failed after taking its number');
    expect(await inTransaction(ds, (m) => nextDailyNumber(m, 'HC', '2026-11-26'))).to.equal('HC20261126-0002');
  });

  it('stays unique and gap-free with 30 transactions on 3 connection pools at once, from a new day', async () => {
    const pools = [ds, ...extra];
    const taken = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        inTransactionRetrying(pools[i % pools.length], async (m) => {
          const n = await nextDailyNumber(m, 'TS', '2026-11-28');
          // Hold the row a moment so the others queue on it.
          await new Promise((r) => setTimeout(r, 2));
          return n;
        }, 10),
      ),
    );
    expect([...taken].sort()).to.deep.equal(Array.from({ length: 30 }, (_, i) => `TS20261128-${String(i + 1).padStart(4, '0')}`));
    const row = await ds.getRepository(DailyCounter).findOneByOrFail({ series: 'TS', day: '20261128' });
    expect(row.lastSeq).to.equal(30);
  });

  it('its migration moves the per-module counters into the one table and back', async () => {
    await ds.getRepository(DailyCounter).insert([
      { series: 'HC', day: '20261126', lastSeq: 7 },
      { series: 'TS', day: '20261126', lastSeq: 3 },
      { series: 'TS', day: '20261127', lastSeq: 12 },
    ]);
    const migration = new DailyCounters1764140000610();
    const qr = ds.createQueryRunner();
    try {
      await migration.down(qr);
      const old = async (t: string) => ((await qr.query(`SELECT day, last_seq AS n FROM ${t} ORDER BY day`)) as Array<{ day: string; n: number }>).map((r) => `${r.day}:${Number(r.n)}`);
      expect(await old('verification_counters')).to.deep.equal(['20261126:7']);
      expect(await old('complaint_day_counters')).to.deep.equal(['20261126:3', '20261127:12']);
      await migration.up(qr);
    } finally {
      await qr.release();
    }
    const rows = await ds.getRepository(DailyCounter).find({ order: { series: 'ASC', day: 'ASC' } });
    expect(rows.map((r) => `${r.series}${r.day}:${r.lastSeq}`)).to.deep.equal(['HC20261126:7', 'TS20261126:3', 'TS20261127:12']);
    expect(await inTransaction(ds, (m) => nextDailyNumber(m, 'TS', '2026-11-27'))).to.equal('TS20261127-0013');
  });
});
