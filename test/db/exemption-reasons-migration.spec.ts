import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { testDataSource, clearTables } from '../helpers/db';
import { ExemptionApplication } from '../../entities';
import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import { ExemptionReasons1764140000630 } from '../../src/db/migrations/1764140000630-ExemptionReasons';
import { REASONS } from '../../src/exemptions/rules';

const NOW = new Date('2026-11-26T01:00:00Z');

describe('migration: exemption reasons to the Art. 6-8 lists', () => {
  let ds: DataSource;
  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => clearTables(ds));

  const OLD: Array<[AdjustmentKind, string, string | null]> = [
    ['add', 'new_legal_basis', null],
    ['add', 'data_sharing_available', null],
    ['add', 'commitment_applicable', '已签订承诺书'],
    ['add', 'verification_applicable', ''],
    ['change', 'basis_amended', null],
    ['change', 'method_changed', null],
    ['change', 'unit_reorganised', null],
    ['change', 'name_changed', null],
    ['cancel', 'basis_repealed', null],
    ['cancel', 'item_abolished', null],
    ['cancel', 'certificate_abolished', null],
    ['cancel', 'issuer_unavailable', '出具单位已撤并'],
  ];

  async function rows(): Promise<Array<[string | null, string | null, string | null]>> {
    return (await ds.getRepository(ExemptionApplication).find({ order: { id: 'ASC' } })).map((a) => [a.kind, a.reason, a.note]);
  }

  it('maps every old code to a reason of its kind, explains the ones that become "other", and the down restores them', async () => {
    await ds.getRepository(ExemptionApplication).insert(
      OLD.map(([kind, reason, note]) => ({ unitCode: 'RSJ', initiator: 'unit' as const, kind, reason, note, causeDate: '2026-11-20', dueAt: NOW, late: false, status: 'approved' as const, createdAt: NOW, updatedAt: NOW, version: 1 })),
    );
    const qr = ds.createQueryRunner();
    try {
      const m = new ExemptionReasons1764140000630();
      await m.up(qr);
      const after = await rows();
      expect(after.map(([k, r]) => [k, r])).to.deep.equal([
        ['add', 'law_requires'],
        ['add', 'other'],
        ['add', 'other'],
        ['add', 'other'],
        ['change', 'other'],
        ['change', 'method_changed'],
        ['change', 'unit_changed'],
        ['change', 'item_renamed'],
        ['cancel', 'law_removes_item'],
        ['cancel', 'government_abolished_item'],
        ['cancel', 'other'],
        ['cancel', 'other'],
      ]);
      for (const [k, r, note] of after) {
        expect(REASONS[k as AdjustmentKind], `${k} ${r}`).to.include(r);
        if (r === 'other') expect(note, 'other carries its explanation').to.match(/原调整原因/);
      }
      expect(after[1][2]).to.equal('〔原调整原因：可通过数据共享获取（data_sharing_available）〕');
      expect(after[2][2]).to.equal('已签订承诺书\n〔原调整原因：可实行告知承诺（commitment_applicable）〕');
      await m.down(qr);
      expect(await rows()).to.deep.equal(OLD.map(([k, r, n]) => [k, r, n === '' ? null : n]));
    } finally {
      await qr.release();
    }
  });
});
