/**
 * The units and the office's understanding terms, cached in the process for the kf worker
 * (issue 14: every pass read them all again). This process's own changes are seen at once,
 * another instance's within the check interval, and nothing is read while nothing changed.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { UnderstandingTerm, Unit } from '../../entities';
import { inTransaction } from '../../src/db/tx';
import { VocabularyCache, replaceTable } from '../../src/complaints/understand-store';
import { upsertUnit } from '../../src/directory/service';
import { clearTables, testDataSource } from '../helpers/db';
import { QueryCounter } from '../helpers/query-count';

describe('complaints: the cached vocabulary (units and understanding terms)', () => {
  let ds: DataSource;
  let qc: QueryCounter;
  let t: number;
  let cache: VocabularyCache;
  const at = new Date('2026-11-26T01:00:00Z');

  before(async () => {
    ds = await testDataSource();
    qc = new QueryCounter(ds);
  });
  after(() => qc.detach());
  beforeEach(async () => {
    await clearTables(ds);
    await ds.getRepository(Unit).insert([
      { code: 'GAJ', name: '县公安局', isOffice: false, createdAt: at, updatedAt: at },
      { code: 'RSJ', name: '县人力资源和社会保障局', isOffice: false, createdAt: at, updatedAt: at },
    ]);
    t = 0;
    cache = new VocabularyCache(ds, 1000, () => t);
  });

  /** The vocabulary, and the statements it took. */
  async function get() {
    qc.start();
    const v = await cache.get();
    return { v, statements: qc.stop() };
  }

  it('reads once, then nothing within the interval, then a one-statement probe while nothing changed', async () => {
    const first = await get();
    expect(first.v.agencies.map((a) => a.code)).to.deep.equal(['GAJ', 'RSJ']);
    expect(first.statements).to.have.length(3);
    t = 999;
    expect((await get()).statements).to.have.length(0);
    t = 1000;
    const probed = await get();
    expect(probed.statements, probed.statements.join('\n')).to.have.length(1);
    expect(probed.v).to.equal(first.v);
  });

  it("another instance's unit or terms: seen at the first probe after the interval, not before", async () => {
    await get();
    // Written past the cache, as another instance would.
    await ds.getRepository(Unit).insert({ code: 'MZJ', name: '县民政局', isOffice: false, createdAt: at, updatedAt: new Date(at.getTime() + 1) });
    t = 500;
    expect((await get()).v.agencies.map((a) => a.code)).to.deep.equal(['GAJ', 'RSJ']);
    t = 1500;
    const seen = await get();
    expect(seen.v.agencies.map((a) => a.code)).to.deep.equal(['GAJ', 'MZJ', 'RSJ']);
    expect(seen.statements).to.have.length(3);
    // A table replaced elsewhere (delete and insert: new ids, maybe the same count and time).
    const terms = ds.getRepository(UnderstandingTerm);
    await terms.insert({ kind: 'alias', word: '大厅', value: JSON.stringify('县民政局'), updatedBy: 'other', updatedAt: at });
    t = 3000;
    expect((await get()).v.tables.aliases).to.deep.equal({ 大厅: '县民政局' });
    await terms.createQueryBuilder().delete().execute();
    await terms.insert({ kind: 'alias', word: '大厅', value: JSON.stringify('县公安局'), updatedBy: 'other', updatedAt: at });
    t = 4500;
    expect((await get()).v.tables.aliases).to.deep.equal({ 大厅: '县公安局' });
  });

  it("this process's changes are seen at once, and only once they are committed", async () => {
    await get();
    t = 10;
    await inTransaction(ds, (m) => replaceTable(m, 'alias', { 大厅: '县民政局' }, 'office', at));
    expect((await get()).v.tables.aliases).to.deep.equal({ 大厅: '县民政局' });
    await inTransaction(ds, (m) => upsertUnit(m, 'GAJ', { name: '县公安局（更名）' }, at));
    expect((await get()).v.agencies.find((a) => a.code === 'GAJ')?.name).to.equal('县公安局（更名）');
    // Rolled back: nothing moved, nothing is read.
    await inTransaction(ds, async (m) => {
      await replaceTable(m, 'alias', { 大厅: '县人社局' }, 'office', at);
      throw new Error('rolled back');
    }).catch(() => undefined);
    const after = await get();
    expect(after.statements).to.have.length(0);
    expect(after.v.tables.aliases).to.deep.equal({ 大厅: '县民政局' });
  });
});
