import { expect } from 'chai';
import { AccountabilityCase, AccountabilityEvent } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { accept, answer, createRequest, noOfficeGroup, sweep } from '../helpers/scheduler';

describe('accountability: every missed deadline is a case; the office records outcome, appeal, exemption (SPEC 4)', () => {
  let h: Harness;
  let rsj: Api;
  let gaj: Api;
  let office: Api;
  const units = SchedulerMother.units();
  const t = (hhmm: string, d = '2026-11-26') => `${d}T${hhmm}:00+08:00`;

  const env = directoryHarness(units, { start: t('09:00') });
  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    gaj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'gaj-system', 'GAJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    noOfficeGroup(h);
  });

  /** Three misses: unowned at the deadline, owned at the deadline, and answered late between sweeps. */
  async function threeMisses() {
    const unowned = await createRequest(rsj);
    const owned = await createRequest(rsj);
    await h.sys.settle();
    h.clock.set(t('09:05'));
    await accept(h, 'gaj.a', owned.id);
    await sweep(h, t('09:06'));
    await sweep(h, t('09:30'));
    // A paper request answered late on Friday evening; its deadline stage is held to Monday 08:30.
    h.clock.set(t('16:00'));
    const paper = await createRequest(rsj, { category: 'paper' });
    await h.sys.settle();
    await sweep(h, t('16:01'));
    h.clock.set(t('16:05'));
    await accept(h, 'gaj.liaison', paper.id);
    h.clock.set(t('18:00', '2026-11-27'));
    await answer(h, 'gaj.liaison', paper.number);
    const lines = await sweep(h, t('08:30', '2026-11-30'));
    expect(lines.find((l) => l.requestId === paper.id)).to.deep.include({ stage: 'closed_late', action: 'case_opened' });
    // Requests are handled in parallel on MySQL: order the cases by request.
    const cases = await h.sys.dataSource.getRepository(AccountabilityCase).find({ order: { requestId: 'ASC' } });
    return { unowned, owned, paper, cases };
  }

  it('opens a case per missed deadline against the unit and the owner, or the liaison when nobody accepted', async () => {
    const { unowned, owned, paper, cases } = await threeMisses();
    expect(cases.map((c) => [c.requestId, c.unitCode, c.personUserid, c.personRole, c.ground, c.status])).to.deep.equal([
      [unowned.id, 'GAJ', 'gaj.liaison', 'liaison', 'verification_overdue', 'open'],
      [owned.id, 'GAJ', 'gaj.a', 'owner', 'verification_overdue', 'open'],
      [paper.id, 'GAJ', 'gaj.liaison', 'owner', 'verification_overdue', 'open'],
    ]);
    expect(JSON.parse(cases[2].facts)).to.deep.include({ number: paper.number, dueAt: '2026-11-27 17:30', closedAt: '2026-11-27 18:00', statusWhenRecorded: 'answered', lateOfficeMinutes: 0 });
    const got = await office.get(`/accountability/cases/${cases[0].id}`);
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.include({ unit: 'GAJ', person: 'gaj.liaison', status: 'open', countsForAppraisal: true, groundLabel: '未在规定时间内完成部门核验（第四条第三项）' });
    expect(got.body.events.map((e: any) => e.type)).to.deep.equal(['opened']);
    // A unit reads its own cases only.
    expect((await gaj.get('/accountability/cases')).body.cases).to.have.length(3);
    expect((await rsj.get('/accountability/cases')).body.cases).to.have.length(0);
    expect((await rsj.get(`/accountability/cases/${cases[0].id}`)).status).to.equal(404);
    const filtered = await office.get('/accountability/cases?person=gaj.a&from=2026-11-26&to=2026-11-26');
    expect(filtered.body.cases.map((c: any) => c.requestId)).to.deep.equal([owned.id]);
  });

  it('records a decision (Art. 5), an appeal that leaves it standing (Art. 6), its revision, and an exemption with its ground (Art. 8)', async () => {
    const { cases } = await threeMisses();
    const [a, b] = cases;
    h.clock.set(t('10:00', '2026-12-01'));
    const decided = await office.post(`/accountability/cases/${a.id}/decision`, { outcome: 'rectify', rectifyBy: '2026-12-15', decidedBy: '县公安局党委', note: '未及时受理' });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    expect(decided.body).to.deep.include({ status: 'decided', countsForAppraisal: true });
    expect(decided.body.decision).to.deep.include({ outcome: 'rectify', label: '责令限期整改', rectifyBy: '2026-12-15', decidedBy: '县公安局党委' });
    const appealed = await office.post(`/accountability/cases/${a.id}/appeal`, { reason: '当日系统故障，未收到卡片' });
    expect(appealed.body).to.deep.include({ status: 'decided' });
    expect(appealed.body.appeal).to.deep.include({ state: 'pending' });
    expect(appealed.body.decision.outcome, 'the decision stands meanwhile').to.equal('rectify');
    const revised = await office.post(`/accountability/cases/${a.id}/appeal/decision`, { result: 'revised', outcome: 'written_review', note: '改为书面检查' });
    expect(revised.body.decision.outcome).to.equal('written_review');
    expect(revised.body.appeal.state).to.equal('revised');
    expect(revised.body.events.map((e: any) => e.type)).to.deep.equal(['opened', 'decided', 'appealed', 'appeal_decided']);

    const exempted = await office.post(`/accountability/cases/${b.id}/exemption`, { ground: 'harm_remedied', note: '当日补办并主动说明情况', decidedBy: '县公安局党委' });
    expect(exempted.status).to.equal(200);
    expect(exempted.body).to.deep.include({ status: 'exempted', countsForAppraisal: false, statusLabel: '已免责（不影响考核）' });
    expect(exempted.body.exemption).to.deep.include({ ground: 'harm_remedied', label: '主动挽回损失、消除不良影响或有效阻止危害结果发生' });
  });

  it('refuses bad input with a code and changes nothing', async () => {
    const { cases } = await threeMisses();
    const [a] = cases;
    const snapshot = async () => JSON.stringify([await h.sys.dataSource.getRepository(AccountabilityCase).find({ order: { id: 'ASC' } }), await h.sys.dataSource.getRepository(AccountabilityEvent).count()]);
    const before = await snapshot();
    const tries: Array<[string, unknown, number, string]> = [
      ['decision', { outcome: 'fired', decidedBy: 'x' }, 422, 'validation_failed'],
      ['decision', { outcome: 'rectify', decidedBy: '县公安局党委' }, 422, 'validation_failed'],
      ['decision', { outcome: 'rectify', rectifyBy: '2026-02-30', decidedBy: 'x' }, 422, 'validation_failed'],
      ['appeal', { reason: '不服' }, 409, 'accountability_invalid_state'],
      ['appeal/decision', { result: 'upheld' }, 409, 'accountability_invalid_state'],
      ['exemption', { ground: 'bored', note: 'x', decidedBy: 'x' }, 422, 'validation_failed'],
      ['exemption', { ground: 'other_lawful', note: '', decidedBy: 'x' }, 422, 'validation_failed'],
    ];
    for (const [path, body, status, code] of tries) {
      const res = await office.post(`/accountability/cases/${a.id}/${path}`, body);
      expect([path, res.status, res.body.error?.code]).to.deep.equal([path, status, code]);
    }
    const asUnit = await gaj.post(`/accountability/cases/${a.id}/exemption`, { ground: 'other_lawful', note: '自行免责', decidedBy: 'x' });
    expect(asUnit.status).to.equal(403);
    const missing = await office.post('/accountability/cases/99999/decision', { outcome: 'written_review', decidedBy: 'x' });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('accountability_case_not_found');
    expect(await snapshot()).to.equal(before);
    // Revoked on appeal: no exemption afterwards.
    await office.post(`/accountability/cases/${a.id}/decision`, { outcome: 'written_review', decidedBy: '县纪委监委' });
    await office.post(`/accountability/cases/${a.id}/appeal`, { reason: '不服' });
    const revoked = await office.post(`/accountability/cases/${a.id}/appeal/decision`, { result: 'revoked' });
    expect(revoked.body).to.deep.include({ status: 'revoked', countsForAppraisal: false });
    expect((await office.post(`/accountability/cases/${a.id}/exemption`, { ground: 'other_lawful', note: 'x', decidedBy: 'x' })).status).to.equal(409);
  });
});
