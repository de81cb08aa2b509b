/** Art. 12-13: counts per month by ground, agency, channel and outcome; repeated agencies flagged; hotline apart; xlsx. */
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { buildCalendar } from '../../src/calendar';
import { monthRange } from '../../src/complaints/stats';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { KfHarness, startKfHarness } from '../helpers/kf';

describe('complaints: analysis (Art. 12-13)', () => {
  describe('monthRange', () => {
    const cal = buildCalendar({ tz: 'Asia/Shanghai' });
    const now = new Date('2026-11-30T17:00:00Z'); // 2026-12-01 01:00 in Shanghai
    it('defaults to the 12 months up to the current office-local month', () => {
      const r = monthRange(undefined, undefined, cal, now);
      expect(r).to.include({ from: '2026-01', to: '2026-12' });
      expect(r.start.toISOString()).to.equal('2025-12-31T16:00:00.000Z');
      expect(r.end.toISOString()).to.equal('2026-12-31T16:00:00.000Z');
    });
    it('reads a date as its month and refuses bad ranges', () => {
      expect(monthRange('2026-10-15', '2026-11', cal, now)).to.include({ from: '2026-10', to: '2026-11' });
      for (const [f, t] of [
        ['2026-13', '2026-11'],
        ['2026-11', '2026-10'],
        ['2023-01', '2026-11'],
        ['last year', undefined],
      ]) {
        expect(() => monthRange(f, t, cal, now)).to.throw().with.property('code', 'validation_failed');
      }
    });
  });

  describe('GET /api/v1/stats/complaints', () => {
    let kh: KfHarness;
    before(async () => {
      kh = await startKfHarness();
    });
    after(async () => kh.close());
    beforeEach(async () => kh.reset());

    async function register(over: Record<string, unknown>): Promise<any> {
      const res = await kh.office.post('/complaints', ComplaintMother.hotline(over as any));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body;
    }

    async function seed(): Promise<void> {
      // October: three different complaints against HRSS (flagged), one hotline case against PSB, one duplicate.
      const first = await register({ channel: 'letter', receivedAt: '2026-10-08T10:00:00+08:00', phone: '13900000001' });
      await register({ channel: 'window', receivedAt: '2026-10-09T10:00:00+08:00', phone: '13900000002', ground: 'ignores_exemption_list', facts: ComplaintMother.otherFacts });
      await register({ channel: 'email', receivedAt: '2026-10-31T23:30:00+08:00', phone: '13900000003', ground: 'verification_late', facts: '核验超过时限，窗口让我等了三天，至今没有结果。' });
      await register({ channel: 'hotline_12345', receivedAt: '2026-10-20T10:00:00+08:00', phone: '13900000004', agencyCode: 'PSB', ground: 'refuses_certificate_outside_county', facts: '需要到外县办事，派出所拒绝出具户籍证明。' });
      const dup = await register({ channel: 'sms', receivedAt: '2026-10-10T10:00:00+08:00', phone: '13900000001', facts: ComplaintMother.sameFactsAgain });
      expect(dup.duplicateOf.id).to.equal(first.id);
      // November (office time; 00:30 on the 1st is still 31 October in UTC): one resolved on time, one rejected.
      const a = await register({ channel: 'hotline_12345', receivedAt: '2026-11-01T00:30:00+08:00', phone: '13900000005', facts: '社保窗口要求提供无犯罪记录证明才能办理。' });
      await kh.office.post(`/complaints/${a.id}/accept`);
      await kh.office.post(`/complaints/${a.id}/resolve`, { result: '已纠正' });
      const b = await register({ channel: 'letter', receivedAt: '2026-11-02T09:00:00+08:00', phone: '13900000006', ground: 'other', facts: '说不清楚的事情。' });
      await kh.office.post(`/complaints/${b.id}/reject`, { ground: 'too_vague' });
    }

    it('counts per month, flags agencies with 3 or more in a month, and counts hotline cases apart', async () => {
      await seed();
      const res = await kh.office.get('/stats/complaints?from=2026-10&to=2026-11');
      expect(res.status).to.equal(200);
      const s = res.body;
      expect(s).to.include({ from: '2026-10', to: '2026-11', threshold: 3 });
      expect(s.totals).to.deep.include({ complaints: 6, duplicates: 1, hotline: 2 });
      const [oct, nov] = s.months;
      expect(oct).to.include({ month: '2026-10', total: 4, duplicates: 1 });
      expect(oct.byChannel).to.deep.equal({ letter: 1, window: 1, email: 1, hotline_12345: 1 });
      expect(oct.byGround).to.deep.equal({ still_requires_certificate: 1, ignores_exemption_list: 1, verification_late: 1, refuses_certificate_outside_county: 1 });
      expect(oct.byOutcome).to.deep.equal({ registered: 4 });
      expect(oct.byAgency).to.deep.equal([
        { agencyCode: 'HRSS', agencyName: '县人力资源和社会保障局', count: 3, flagged: true },
        { agencyCode: 'PSB', agencyName: '县公安局', count: 1, flagged: false },
      ]);
      expect(oct.hotline).to.deep.equal({ total: 1, byOutcome: { registered: 1 }, resolvedOnTime: 0, resolvedLate: 0 });
      expect(nov).to.include({ month: '2026-11', total: 2, duplicates: 0, resolvedOnTime: 1, resolvedLate: 0 });
      expect(nov.byOutcome).to.deep.equal({ resolved: 1, rejected: 1 });
      expect(nov.byAgency[0]).to.include({ agencyCode: 'HRSS', count: 2, flagged: false });
      expect(nov.hotline).to.deep.equal({ total: 1, byOutcome: { resolved: 1 }, resolvedOnTime: 1, resolvedLate: 0 });
      expect(s.flaggedAgencies).to.deep.equal([{ month: '2026-10', agencyCode: 'HRSS', agencyName: '县人力资源和社会保障局', count: 3 }]);
    });

    it('exports the same figures as xlsx, complainants masked', async () => {
      await seed();
      const res = await kh.office.get('/stats/complaints.xlsx?from=2026-10&to=2026-11');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.contain('spreadsheetml');
      expect(res.headers.get('content-disposition')).to.contain('complaints-2026-10-2026-11.xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.raw as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['按月汇总', '按单位', '投诉明细']);
      const sum = wb.getWorksheet('按月汇总')!;
      expect(sum.getRow(2).values).to.include.members(['2026-10', 4, 1]);
      const agencies = wb.getWorksheet('按单位')!;
      expect(agencies.getRow(2).values).to.include.members(['2026-10', 'HRSS', 3, '同月被投诉3件及以上']);
      const cases = wb.getWorksheet('投诉明细')!;
      expect(cases.rowCount).to.equal(1 + 7);
      const all = JSON.stringify(cases.getSheetValues());
      expect(all).to.contain('139****0001').and.contain('张*三');
      expect(all).not.to.contain('13900000001');
      expect((await kh.office.get('/stats/complaints?from=2026-10&to=2026-11&format=xlsx')).headers.get('content-type')).to.contain('spreadsheetml');
    });

    it('refuses bad ranges and non-office keys', async () => {
      expect((await kh.office.get('/stats/complaints?from=2026-13')).status).to.equal(422);
      expect((await kh.office.get('/stats/complaints?from=2026-11&to=2026-01')).status).to.equal(422);
      const unit = await kh.unitKey('HRSS');
      expect((await unit.get('/stats/complaints')).status).to.equal(403);
      const s = (await kh.office.get('/stats/complaints')).body;
      expect(s.months).to.have.length(12);
      expect(s.months.at(-1).month).to.equal('2026-11');
    });
  });
});
