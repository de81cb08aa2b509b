import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { testDataSource, extraDataSource, clearTables } from '../helpers/db';
import { CalendarMother, show } from '../helpers/mothers/calendar';
import { ExemptionApplication, OutboxMessage, Staff } from '../../entities';
import { inTransaction } from '../../src/db/tx';
import { apply, applicationLimits, recordCause, review, Actor } from '../../src/exemptions/service';
import { diffLists, publish } from '../../src/exemptions/versions';
import { getVerificationEntry, searchPublished, searchPublishedPage, likePattern } from '../../src/exemptions/lookup';
import { dueApplicationReminders, publicationOverdue } from '../../src/exemptions/reminders';
import { ExemptionMother, exemptionUnits } from '../helpers/mothers/exemptions';
import { AppError } from '../../src/errors';
import { publishEntries, seedDirectory, seedEntries } from '../helpers/seed';

const cal = CalendarMother.shanghai();
const NOW = new Date('2026-11-26T09:00:00+08:00');
const OFFICE: Actor = { kind: 'office', unitCode: null, name: 'test-office' };
const RSJ: Actor = { kind: 'unit', unitCode: 'RSJ', name: 'rsj-system' };
const GAJ: Actor = { kind: 'unit', unitCode: 'GAJ', name: 'gaj-system' };

async function fails(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a refusal');
}

describe('exemption list domain (SPEC 2)', () => {
  let ds: DataSource;
  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => {
    await clearTables(ds);
    await seedDirectory(ds, exemptionUnits());
  });

  describe('Art. 9 limit and reminders', () => {
    it('7 working days from the cause; the reminder on the morning after the 5th', () => {
      // Friday cause: Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8
      const l = applicationLimits(cal, '2026-11-27');
      expect(show(cal, l.dueAt)).to.equal('2026-12-08T17:30:00+08:00');
      expect(show(cal, l.remindAt)).to.equal('2026-12-07T08:30:00+08:00');
      // a cause on a Sunday counts from Monday on
      expect(show(cal, applicationLimits(cal, '2026-11-29').dueAt)).to.equal('2026-12-08T17:30:00+08:00');
    });

    it('reminds liaisons (deputies when a unit has none), once; a unit without contacts is reported', async () => {
      await ds.getRepository(Staff).delete({ userid: 'gaj.liaison' });
      await seedDirectory(ds, [{ code: 'EMPTY', name: '县空单位', staff: [] }]);
      const causes = [];
      for (const unitCode of ['RSJ', 'GAJ', 'EMPTY']) causes.push(await inTransaction(ds, (m) => recordCause(m, cal, OFFICE, { unitCode, causeDate: '2026-11-25' }, NOW)));
      const at = new Date('2026-12-03T08:30:00+08:00');
      const r = await dueApplicationReminders(ds, at);
      expect(r.map((x) => [x.unitCode, x.recipients, x.outcome])).to.deep.equal([
        ['RSJ', ['rsj.liaison'], 'reminded'],
        ['GAJ', ['gaj.a', 'gaj.b'], 'reminded'],
        ['EMPTY', [], 'no_contact'],
      ]);
      expect(await ds.getRepository(OutboxMessage).count({ where: { refType: 'exemption_reminder' } })).to.equal(2);
      expect(await dueApplicationReminders(ds, at)).to.deep.equal([]);
      // a cause recorded after its reminder point is reminded at once
      const late = await inTransaction(ds, (m) => recordCause(m, cal, OFFICE, { unitCode: 'RSJ', causeDate: '2026-11-02' }, NOW));
      expect(late.remindAt!.getTime()).to.equal(NOW.getTime());
      expect((await dueApplicationReminders(ds, NOW)).map((x) => x.applicationId)).to.deep.equal([late.id]);
      const card = await ds.getRepository(OutboxMessage).findOneByOrFail({ refType: 'exemption_reminder', refId: String(late.id) });
      expect(JSON.parse(card.payload).template_card.sub_title_text).to.include('已于2026-11-11 17:30届满');
      // due again, but completed by an application first: not reminded
      await ds.getRepository(ExemptionApplication).update({ id: late.id }, { remindedAt: null });
      await inTransaction(ds, (m) => apply(m, cal, RSJ, { ...ExemptionMother.addBody(), draftId: late.id, causeDate: undefined }, NOW));
      expect(await dueApplicationReminders(ds, at)).to.deep.equal([]);
      expect((await ds.getRepository(ExemptionApplication).findOneByOrFail({ id: late.id })).late, 'past its limit').to.equal(true);
    });

    it('a draft of another unit cannot be completed; a used draft cannot be reused', async () => {
      const d = await inTransaction(ds, (m) => recordCause(m, cal, RSJ, { causeDate: '2026-11-25' }, NOW));
      const e = await fails(inTransaction(ds, (m) => apply(m, cal, GAJ, { ...ExemptionMother.addBody({ requesterUnit: 'GAJ' }), draftId: d.id }, NOW)));
      expect(e.code).to.equal('forbidden');
      await inTransaction(ds, (m) => apply(m, cal, RSJ, { ...ExemptionMother.addBody(), draftId: d.id }, NOW));
      expect((await fails(inTransaction(ds, (m) => apply(m, cal, RSJ, { ...ExemptionMother.addBody({ serviceItem: '低保申请' }), draftId: d.id }, NOW)))).code).to.equal('exemption_invalid_state');
      expect((await fails(inTransaction(ds, (m) => recordCause(m, cal, RSJ, { unitCode: 'GAJ', causeDate: '2026-11-25' }, NOW)))).code).to.equal('forbidden');
    });
  });

  describe('Art. 5 publication every half year', () => {
    it('reminds the office members six months after the last publication, then monthly, each once', async () => {
      expect(await publicationOverdue(ds, NOW), 'nothing to publish, nothing to remind').to.equal(null);
      await publishEntries(ds, ExemptionMother.many(2), NOW);
      expect(await publicationOverdue(ds, new Date('2027-05-25T09:00:00+08:00'))).to.equal(null);
      const r = await publicationOverdue(ds, new Date('2027-05-26T09:00:00+08:00'));
      expect(r).to.deep.include({ lastVersion: 1, outcome: 'reminded', recipients: ['office.chief', 'office.duty'] });
      const again = await publicationOverdue(ds, new Date('2027-06-01T09:00:00+08:00'));
      expect(again!.outcome).to.equal('already_reminded');
      expect(await ds.getRepository(OutboxMessage).count({ where: { refType: 'exemption_publication' } })).to.equal(1);
      const row = await ds.getRepository(OutboxMessage).findOneByOrFail({ refType: 'exemption_publication' });
      expect(JSON.parse(row.payload).text.content).to.include('2026-11-26').and.include('2027-05-26');
      expect((await publicationOverdue(ds, new Date('2027-06-26T09:00:00+08:00')))!.outcome).to.equal('reminded');
      // a publication resets the clock
      await inTransaction(ds, (m) => publish(m, OFFICE, { confirmUnchanged: true }, new Date('2027-06-27T09:00:00+08:00')));
      expect(await publicationOverdue(ds, new Date('2027-07-01T09:00:00+08:00'))).to.equal(null);
    });

    it('an unpublished list is due six months after its first entry', async () => {
      await seedEntries(ds, ExemptionMother.many(1), NOW);
      expect((await publicationOverdue(ds, new Date('2027-05-27T09:00:00+08:00')))!).to.deep.include({ lastVersion: null, outcome: 'reminded' });
    });
  });

  describe('the published list: lookup and search', () => {
    it('getVerificationEntry: only published entries with method verification', async () => {
      const [v1, sharing] = await seedEntries(ds, [ExemptionMother.entry(), ExemptionMother.entry({ serviceItem: '低保申请', method: 'sharing' })], NOW);
      expect(await getVerificationEntry(ds.manager, v1), 'not published yet').to.equal(null);
      await inTransaction(ds, (m) => publish(m, OFFICE, {}, NOW));
      expect(await getVerificationEntry(ds.manager, v1)).to.deep.equal({ id: v1, serviceItem: '失业保险金申领', certificate: '户籍证明', requesterUnit: 'RSJ', issuerUnit: 'GAJ', defaultCategory: 'paper' });
      expect(await getVerificationEntry(ds.manager, sharing)).to.equal(null);
      for (const bad of [0, -1, 1.5, NaN, 2 ** 60, 99999]) expect(await getVerificationEntry(ds.manager, bad), String(bad)).to.equal(null);
    });

    it('Chinese search over item and certificate, several terms, wildcards literal, limit and total', async () => {
      await publishEntries(ds, [...ExemptionMother.many(16), ExemptionMother.entry({ serviceItem: '100%退税_申请', certificate: '完税证明' })], NOW);
      expect((await searchPublished(ds, '户籍证明', 50)).length).to.equal(3);
      expect((await searchPublished(ds, '失业保险 户籍', 50)).map((x) => x.certificate)).to.deep.equal(['户籍证明']);
      expect((await searchPublished(ds, '%', 50)).map((x) => x.serviceItem)).to.deep.equal(['100%退税_申请']);
      expect((await searchPublished(ds, '_申请', 50)).map((x) => x.serviceItem)).to.deep.equal(['100%退税_申请']);
      expect(await searchPublished(ds, '户%证明', 50)).to.deep.equal([]);
      expect(await searchPublished(ds, '   ', 5)).to.deep.equal([]);
      expect((await searchPublished(ds, '证明', 5)).length).to.equal(5);
      expect((await searchPublishedPage(ds, '证明', 5)).total).to.equal(17);
      expect(likePattern('a%b_c!')).to.equal('%a!%b!_c!!%');
    });

    it('diff by entry id (pure)', () => {
      const e = (id: number, over = {}) => ({ id, ...ExemptionMother.entry(over) });
      const d = diffLists([e(1), e(2), e(3)], [e(1), e(2, { legalBasis: '新依据' }), e(4)]);
      expect(d.added.map((x) => x.id)).to.deep.equal([4]);
      expect(d.cancelled.map((x) => x.id)).to.deep.equal([3]);
      expect(d.changed.map((x) => [x.id, x.fields.map((f) => f.field)])).to.deep.equal([[2, ['legalBasis']]]);
    });
  });

  describe('concurrency', () => {
    let other: DataSource;
    before(async () => {
      other = await extraDataSource();
    });
    after(async () => other.destroy());

    it('two units apply on the same entry at once: one is filed, the other refused', async () => {
      const [e1] = await publishEntries(ds, ExemptionMother.many(1), NOW);
      const results = await Promise.allSettled([
        inTransaction(ds, (m) => apply(m, cal, RSJ, ExemptionMother.changeBody(e1), NOW)),
        inTransaction(other, (m) => apply(m, cal, GAJ, ExemptionMother.cancelBody(e1), NOW)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((refused.reason as AppError).code).to.equal('exemption_conflict');
      expect(await ds.getRepository(ExemptionApplication).count()).to.equal(1);
    });

    it('two reviewers decide at once: one decision stands', async () => {
      const a = await inTransaction(ds, (m) => apply(m, cal, RSJ, ExemptionMother.addBody(), NOW));
      const results = await Promise.allSettled([
        inTransaction(ds, (m) => review(m, cal, OFFICE, a.id, 'approve', null, NOW)),
        inTransaction(other, (m) => review(m, cal, OFFICE, a.id, 'reject', '不同意', NOW)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const row = await ds.getRepository(ExemptionApplication).findOneByOrFail({ id: a.id });
      const won = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<ExemptionApplication>).value;
      expect(row.status).to.equal(won.status);
      const entries = await ds.query('SELECT COUNT(*) AS n FROM exemption_entries');
      expect(Number(entries[0].n)).to.equal(row.status === 'approved' ? 1 : 0);
    });
  });
});
