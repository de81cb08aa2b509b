import crypto from 'crypto';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { createRequest } from '../helpers/scheduler';
import { TestDataService } from '../helpers/data-service';
import { DataServiceMother } from '../helpers/mothers/data-services';
import { ConsoleClient } from '../console/console-mother';

describe('data services: the share answered automatically, per month and unit (supervision API, xlsx) and /metrics', function () {
  this.timeout(60_000);
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let svc: TestDataService;
  let serviceId: number;
  const SECRET = 'test-secret-of-gaj-0123456789';
  const env = directoryHarness(SchedulerMother.units());

  beforeEach(async () => {
    h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = crypto.randomBytes(32);
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
    svc = new TestDataService(SECRET, () => Math.floor(h.clock.now.getTime() / 1000));
    const reg = await office.post('/data-services', DataServiceMother.http({ url: await svc.listen(), secret: SECRET }));
    serviceId = reg.body.id;
  });
  afterEach(async () => svc.close());

  /** November: one answered by data, one not in the register, one without a service; December: one answered by data. */
  async function world() {
    await createRequest(rsj);
    await h.sys.settle();
    svc.behave = () => ({ json: { result: 'unknown', reply: '' } });
    await createRequest(rsj);
    await createRequest(rsj, { certificate: '户籍证明' });
    await h.sys.settle();
    h.clock.set('2026-12-03T09:00:00+08:00');
    svc.behave = () => ({ json: { result: 'consistent', reply: '经核查，无犯罪记录' } });
    await createRequest(rsj);
    await h.sys.settle();
  }

  it('the supervision API gives the share per month, all units first, then each unit', async () => {
    await world();
    const s = await office.get('/stats/verifications?from=2026-11-01&to=2026-12-31');
    expect(s.status).to.equal(200);
    expect(s.body.automaticByMonth).to.deep.equal([
      { month: '2026-11', unit: '', name: '', requests: 3, automaticAnswers: 1, automaticShare: 0.3333 },
      { month: '2026-11', unit: 'GAJ', name: '县公安局', requests: 3, automaticAnswers: 1, automaticShare: 0.3333 },
      { month: '2026-12', unit: '', name: '', requests: 1, automaticAnswers: 1, automaticShare: 1 },
      { month: '2026-12', unit: 'GAJ', name: '县公安局', requests: 1, automaticAnswers: 1, automaticShare: 1 },
    ]);
    // A month outside the period is not there; a unit's key sees its own rows only.
    const dec = await office.get('/stats/verifications?from=2026-12-01&to=2026-12-31');
    expect(dec.body.automaticByMonth.map((r: any) => r.month)).to.deep.equal(['2026-12', '2026-12']);
    const rsjOwn = await rsj.get('/stats/verifications?from=2026-11-01&to=2026-12-31');
    expect(rsjOwn.body.automaticByMonth).to.deep.equal([]);
  });

  it('the xlsx has a sheet of the same figures', async () => {
    await world();
    const res = await fetch(`${h.sys.url}/api/v1/stats/verifications/export?from=2026-11-01&to=2026-12-31`, { headers: { authorization: `Bearer ${office.key}` } });
    expect(res.status).to.equal(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
    const rows = wb.getWorksheet('数据自动答复')!.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(rows.slice(1)).to.deep.equal([
      ['月份', '单位代码', '单位名称', '协查件数', '数据自动答复', '自动答复占比(%)'],
      ['2026-11', '全部单位', '全部单位', 3, 1, 33.3],
      ['2026-11', 'GAJ', '县公安局', 3, 1, 33.3],
      ['2026-12', '全部单位', '全部单位', 1, 1, 100],
      ['2026-12', 'GAJ', '县公安局', 1, 1, 100],
    ]);
  });

  it('/metrics: lookups by outcome, latency of the calls made, the circuit as it is when scraped', async () => {
    await world();
    let metrics = await (await fetch(`${h.sys.url}/metrics`)).text();
    expect(metrics).to.include(`nocert_data_service_lookups_total{service="${serviceId}",outcome="answered"} 2`);
    expect(metrics).to.include(`nocert_data_service_lookups_total{service="${serviceId}",outcome="fallback"} 1`);
    expect(metrics).to.include(`nocert_data_service_latency_seconds_count{service="${serviceId}"} 3`);
    expect(metrics).to.include(`nocert_data_service_circuit_open{service="${serviceId}"} 0`);
    svc.behave = () => ({ status: 500, json: {} });
    for (let i = 0; i < 5; i++) {
      await createRequest(rsj);
      await h.sys.settle();
    }
    metrics = await (await fetch(`${h.sys.url}/metrics`)).text();
    expect(metrics).to.include(`nocert_data_service_circuit_open{service="${serviceId}"} 1`);
    expect(metrics).to.include(`nocert_data_service_lookups_total{service="${serviceId}",outcome="fallback"} 6`);
    const figures = (await office.get('/data-services')).body.services[0].figures;
    expect(figures).to.deep.include({ automaticAnswers: 2, overridden: 0, calls: 8, fallbacks: 6, circuit: 'open' });
    expect(metrics).to.include(`nocert_data_service_latency_seconds_count{service="${serviceId}"} ${figures.calls}`);
  });
});

describe('data services: the console dashboard shows the share answered by data', function () {
  this.timeout(60_000);
  const env = directoryHarness(SchedulerMother.units(), { start: '2026-12-03T09:00:00+08:00' });

  it('a bar of all units and a line per unit over the last six months, with its table twin; a unit\'s member sees its own', async () => {
    const h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = crypto.randomBytes(32);
    const office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
    const svc = new TestDataService('test-secret-of-gaj-0123456789', () => Math.floor(h.clock.now.getTime() / 1000));
    try {
      await office.post('/data-services', DataServiceMother.http({ url: await svc.listen(), secret: 'test-secret-of-gaj-0123456789' }));
      await createRequest(rsj);
      await createRequest(rsj, { certificate: '户籍证明' });
      await h.sys.settle();
      const c = new ConsoleClient(h);
      await c.login('office.duty');
      const html = await (await c.get('/console/')).text();
      expect(html).to.include('数据自动答复占比（秒核）');
      const block = /<script type="application\/json" id="chart-automatic">(.*?)<\/script>/.exec(html);
      expect(block, 'the chart data block').to.not.equal(null);
      const option = JSON.parse(block![1]);
      expect(option.xAxis.data).to.deep.equal(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
      expect(option.series.map((s: any) => [s.name, s.type, s.data[5]])).to.deep.equal([
        ['全部单位', 'bar', 50],
        ['县公安局', 'line', 50],
      ]);
      expect(html).to.include('50%（1/2）');
      const gaj = new ConsoleClient(h);
      await gaj.login('gaj.liaison');
      const own = JSON.parse(/id="chart-automatic">(.*?)<\/script>/.exec(await (await gaj.get('/console/')).text())![1]);
      expect(own.series.map((s: any) => s.name)).to.deep.equal(['县公安局']);
    } finally {
      await svc.close();
    }
  });
});
