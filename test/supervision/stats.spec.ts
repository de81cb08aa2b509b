import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { AccountabilityCase, SchedulerClaim } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { accept, answer, createRequest, noOfficeGroup, sweep, useOfficeChat } from '../helpers/scheduler';

describe('supervision: on-time rate, response times, overdue counts per unit and person (SPEC 1 Art. 13)', () => {
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

  /**
   * GAJ: r1 on time (20 min), r2 late (nobody until 09:40, answered 09:50), r3 on time (10 min),
   * r5 paper still open in time. SCJ: r4 late (45 min), its case exempted.
   */
  async function world() {
    const r1 = await createRequest(rsj);
    const r2 = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    h.clock.set(t('09:05'));
    await accept(h, 'gaj.a', r1.id);
    h.clock.set(t('09:20'));
    await answer(h, 'gaj.a', r1.number);
    await sweep(h, t('09:30'));
    h.clock.set(t('09:40'));
    await accept(h, 'gaj.liaison', r2.id);
    h.clock.set(t('09:50'));
    await answer(h, 'gaj.liaison', r2.number);
    h.clock.set(t('10:00'));
    const r3 = await createRequest(rsj);
    const r4 = await createRequest(rsj, { issuerUnit: 'SCJ' });
    await h.sys.settle();
    h.clock.set(t('10:01'));
    await accept(h, 'gaj.liaison', r3.id);
    await accept(h, 'scj.a', r4.id);
    h.clock.set(t('10:10'));
    await answer(h, 'gaj.liaison', r3.number);
    await sweep(h, t('10:30'));
    h.clock.set(t('10:45'));
    await answer(h, 'scj.a', r4.number);
    h.clock.set(t('11:00'));
    const r5 = await createRequest(rsj, { category: 'paper' });
    await h.sys.settle();
    const c4 = await h.sys.dataSource.getRepository(AccountabilityCase).findOneByOrFail({ requestId: r4.id });
    const ex = await office.post(`/accountability/cases/${c4.id}/exemption`, { ground: 'harm_remedied', note: '当即补正', decidedBy: '县市场局党组' });
    expect(ex.status).to.equal(200);
    h.clock.set(t('11:30'));
    return { r1, r2, r3, r4, r5 };
  }

  it('GET /api/v1/stats/verifications: per unit and per person; the exempted miss is not counted', async () => {
    await world();
    const res = await office.get('/stats/verifications?from=2026-11-26&to=2026-11-26');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const s = res.body;
    expect(s.period).to.deep.equal({ from: '2026-11-26', to: '2026-11-26' });
    expect(s.totals).to.deep.equal({ requests: 5, answered: 4, returned: 0, openInTime: 1, onTime: 2, overdue: 1, exempted: 1, onTimeRate: 0.6667, medianMinutes: 20, p90Minutes: 50 });
    const gajRow = s.units.find((u: any) => u.unit === 'GAJ');
    expect(gajRow).to.deep.equal({ unit: 'GAJ', name: '县公安局', requests: 4, answered: 3, returned: 0, openInTime: 1, onTime: 2, overdue: 1, exempted: 0, onTimeRate: 0.6667, medianMinutes: 20, p90Minutes: 50, automaticAnswers: 0, automaticShare: 0 });
    const scjRow = s.units.find((u: any) => u.unit === 'SCJ');
    expect(scjRow).to.deep.include({ requests: 1, answered: 1, onTime: 0, overdue: 0, exempted: 1, onTimeRate: null, medianMinutes: 45 });
    const person = (u: string) => s.people.find((p: any) => p.userid === u);
    expect(person('gaj.liaison')).to.deep.include({ name: '公安联络员', unit: 'GAJ', requests: 2, answered: 2, onTime: 1, overdue: 1, medianMinutes: 10, p90Minutes: 50 });
    expect(person('gaj.a')).to.deep.include({ requests: 1, onTime: 1, overdue: 0, medianMinutes: 20 });
    expect(person('scj.a')).to.deep.include({ overdue: 0, exempted: 1 });
    expect(s.overdue.map((o: any) => [o.issuerUnit, o.person, o.caseStatus, o.countsForAppraisal])).to.deep.equal([
      ['GAJ', 'gaj.liaison', 'open', true],
      ['SCJ', 'scj.a', 'exempted', false],
    ]);
    expect(JSON.stringify(s)).not.to.include('张小三');
    // A unit's key sees its own figures only.
    const own = await gaj.get('/stats/verifications?from=2026-11-26&to=2026-11-26');
    expect(own.body.units.map((u: any) => u.unit)).to.deep.equal(['GAJ']);
    expect((await gaj.get('/stats/verifications?unit=SCJ')).status).to.equal(403);
    expect((await office.get('/stats/verifications?from=2026-11-27&to=2026-11-26')).status).to.equal(422);
    expect((await office.get('/stats/verifications?from=26.11.2026')).status).to.equal(422);
  });

  it('exports the same figures as .xlsx', async () => {
    await world();
    const res = await fetch(`${h.sys.url}/api/v1/stats/verifications/export?from=2026-11-26&to=2026-11-26`, { headers: { authorization: `Bearer ${office.key}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.include('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['单位统计', '个人统计', '超时明细', '约谈记录', '数据自动答复']);
    const unitsSheet = wb.getWorksheet('单位统计')!;
    const rows = unitsSheet.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(rows[1]).to.deep.equal(['单位代码', '单位名称', '协查件数', '已答复', '已退回', '办理中（未超时）', '按时办结', '超时（计入考核）', '超时已免责', '按时办结率(%)', '答复用时中位数（办公分钟）', '答复用时P90（办公分钟）']);
    expect(rows.find((r) => r[0] === 'GAJ')).to.deep.equal(['GAJ', '县公安局', 4, 3, 0, 1, 2, 1, 0, 66.7, 20, 50]);
    const over = wb.getWorksheet('超时明细')!;
    expect(over.rowCount).to.equal(3);
  });

  it('the weekly summary reaches the office group on Monday at 09:00, once', async () => {
    await world();
    const chat = await useOfficeChat(h);
    const before = h.emu.appchatMessages(chat).length;
    expect((await sweep(h, t('08:59', '2026-11-30'))).filter((l) => l.job === 'supervision-weekly')).to.deep.equal([]);
    const lines = await sweep(h, t('09:00', '2026-11-30'));
    expect(lines.filter((l) => l.job === 'supervision-weekly')).to.deep.equal([{ job: 'supervision-weekly', action: 'weekly_summary', week: '2026-11-30', delivered: 'appchat' }]);
    await sweep(h, t('09:05', '2026-11-30'));
    await sweep(h, t('16:00', '2026-12-02'));
    await sweep(h, t('09:00', '2026-11-30'));
    const msgs = h.emu.appchatMessages(chat).slice(before).filter((m) => String(m.payload.content).includes('周报'));
    expect(msgs).to.have.length(1);
    const text = msgs[0].payload.content as string;
    // By Monday the paper request r5 (due Friday 17:30) is late too.
    expect(text).to.include('协查核验周报（11-23 至 11-29）').and.include('协查 5 件，按时办结率 50.0%').and.include('另有 1 件已免责').and.include('县公安局：超时 2 件').and.include('尚未办结的超时协查：1 件');
    expect(text, 'the console, not an API path').to.include('[办公室控制台](http://nocert.test/console/)').and.not.include('/api/v1');
    expect(text).not.to.include('张');
  });

  it('without an office group the weekly summary is recorded only', async () => {
    await sweep(h, t('09:30', '2026-11-30'));
    const claim = await h.sys.dataSource.getRepository(SchedulerClaim).findOneByOrFail({ claimKey: 'weekly-summary:2026-11-30' });
    expect(JSON.parse(claim.detail!)).to.deep.include({ delivered: 'none', period: { from: '2026-11-23', to: '2026-11-29' } });
  });
});
