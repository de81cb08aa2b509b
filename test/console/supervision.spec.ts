import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { VerificationRequest } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { AUDITOR, ConsoleClient, consoleHarness, seedConsole } from './console-mother';
import { answerSeeded } from './supervision-mother';

/** A figures table of the page: row header -> its cells' text. */
function rowsOf(html: string, id: string): Record<string, string[]> {
  const table = new RegExp(`<table class="stack" id="${id}">(.*?)</table>`).exec(html);
  expect(table, `table #${id}`).to.exist;
  const out: Record<string, string[]> = {};
  for (const tr of table![1].split('<tr>').slice(2)) {
    const head = /<th scope="row"[^>]*>([^<]*)<\/th>/.exec(tr)![1];
    out[head] = [...tr.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  }
  return out;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function sheetRows(res: Response, sheet: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
  const rows: unknown[][] = [];
  wb.getWorksheet(sheet)!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

describe('console: the supervision page (SPEC 1 Art. 13) and the dashboard response times', () => {
  const env = consoleHarness();
  let seeded: Awaited<ReturnType<typeof seedConsole>>;
  beforeEach(async () => {
    // consoleHarness seeded the escalated request first, then the other one.
    const rows = await env.h.sys.dataSource.getRepository(VerificationRequest).find({ order: { id: 'ASC' } });
    seeded = { escalated: { id: rows[0].id, number: rows[0].number }, other: { id: rows[1].id, number: rows[1].number } };
    await answerSeeded(env.h, seeded);
  });

  it('the office sees the figures per unit and per person, the same as the API and the xlsx export', async () => {
    const h = env.h;
    const office = new ConsoleClient(h);
    await office.login('office.duty');
    const res = await office.get('/console/supervision');
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.include('统计期间：2026-12-01 至 2026-12-31');
    const units = rowsOf(html, 'units');
    // 协查 已答复 已退回 办理中 按时 超时 已免责 按时率 中位数 P90 秒核
    expect(units['县人社局']).to.deep.equal(['1', '1', '0', '0', '1', '0', '0', '100.0%', '30 分钟', '30 分钟', '0']);
    expect(units['县公安局'].slice(0, 8)).to.deep.equal(['1', '1', '0', '0', '0', '1', '0', '0.0%']);
    expect(units['县公安局'][8]).to.equal('3 小时 30 分钟');
    const people = rowsOf(html, 'people');
    expect(people['人社代办A']).to.deep.equal(['县人社局', '1', '1', '0', '0', '1', '0', '0', '100.0%', '30 分钟', '30 分钟']);
    // The API's figures for the same period agree.
    const api = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    const stats = (await api.get('/stats/verifications?from=2026-12-01&to=2026-12-31')).body;
    const gaj = stats.units.find((u: { unit: string }) => u.unit === 'GAJ');
    expect(units['县公安局'].slice(0, 7).map(Number)).to.deep.equal([gaj.requests, gaj.answered, gaj.returned, gaj.openInTime, gaj.onTime, gaj.overdue, gaj.exempted]);

    const link = /href="(\/console\/supervision\/export\?[^"]+)"/.exec(html)![1].replace(/&amp;/g, '&');
    expect(link).to.equal('/console/supervision/export?period=month&year=2026&month=12');
    const xlsx = await office.get(link);
    expect(xlsx.status).to.equal(200);
    expect(xlsx.headers.get('content-type')).to.equal(XLSX_TYPE);
    expect(xlsx.headers.get('content-disposition')).to.include('verification-stats-all-2026-12-01-2026-12-31.xlsx');
    const sheet = await sheetRows(xlsx, '单位统计');
    expect(sheet[0]).to.deep.equal(['统计期间：2026-12-01 至 2026-12-31']);
    const rsjRow = sheet.find((r) => r[0] === 'RSJ')!;
    expect(rsjRow.slice(0, 9)).to.deep.equal(['RSJ', '县人社局', 1, 1, 0, 0, 1, 0, 0]);
  });

  it('filters by month, quarter, year and a custom range; a bad range is refused with a clear message', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const nov = await (await office.get('/console/supervision?period=month&year=2026&month=11')).text();
    expect(nov).to.include('统计期间：2026-11-01 至 2026-11-30').and.include('该期间没有协查。').and.not.include('id="units"');
    const q4 = await (await office.get('/console/supervision?period=quarter&year=2026&quarter=4')).text();
    expect(q4).to.include('统计期间：2026-10-01 至 2026-12-31');
    expect(Object.keys(rowsOf(q4, 'units')).sort()).to.deep.equal(['县人社局', '县公安局'].sort());
    const year = await (await office.get('/console/supervision?period=year&year=2026&unit=RSJ')).text();
    expect(year).to.include('统计期间：2026-01-01 至 2026-12-31');
    expect(Object.keys(rowsOf(year, 'units'))).to.deep.equal(['县人社局']);
    const custom = await (await office.get('/console/supervision?period=custom&from=2026-12-01&to=2026-12-01')).text();
    expect(custom).to.include('统计期间：2026-12-01 至 2026-12-01');
    expect(rowsOf(custom, 'units')['县人社局'][0]).to.equal('1');
    const bad = await office.get('/console/supervision?period=custom&from=2026-12-05&to=2026-12-01');
    expect(bad.status).to.equal(400);
    expect(await bad.text()).to.include('统计周期不正确');
    expect((await office.get('/console/supervision/export?period=custom&from=2026-02-30&to=2026-12-01')).status).to.equal(400);
  });

  it('unit staff see and export only their own unit; another unit is refused; the auditor views and exports all', async () => {
    const h = env.h;
    const unit = new ConsoleClient(h);
    await unit.login('rsj.liaison');
    const own = await (await unit.get('/console/supervision?period=quarter&year=2026&quarter=4')).text();
    expect(Object.keys(rowsOf(own, 'units'))).to.deep.equal(['县人社局']);
    expect(own).not.to.include('县公安局').and.not.include('name="unit"');
    for (const url of ['/console/supervision?unit=GAJ', '/console/supervision/export?period=year&year=2026&unit=GAJ']) {
      const res = await unit.get(url);
      expect(res.status, url).to.equal(403);
      expect(await res.text()).to.include('您无权执行此操作。').and.not.include('县公安局</th>');
    }
    const mine = await unit.get('/console/supervision/export?period=year&year=2026');
    expect(mine.status).to.equal(200);
    expect(mine.headers.get('content-disposition')).to.include('verification-stats-RSJ-');
    expect((await sheetRows(mine, '单位统计')).slice(2).map((r) => r[0])).to.deep.equal(['RSJ']);

    const auditor = new ConsoleClient(h);
    await auditor.login(AUDITOR);
    const all = await (await auditor.get('/console/supervision')).text();
    expect(Object.keys(rowsOf(all, 'units')).sort()).to.deep.equal(['县人社局', '县公安局'].sort());
    const x = await auditor.get('/console/supervision/export?period=month&year=2026&month=12&unit=GAJ');
    expect(x.status).to.equal(200);
    expect((await sheetRows(x, '单位统计')).slice(2).map((r) => r[0])).to.deep.equal(['GAJ']);
  });

  it('the dashboard buckets answered requests by response time in office time, as a chart and a table; unit staff see their unit', async () => {
    const h = env.h;
    const office = new ConsoleClient(h);
    await office.login('office.duty');
    const html = await (await office.get('/console/')).text();
    const table = /<table id="response-times">(.*?)<\/table>/.exec(html)![1];
    const counts = [...table.matchAll(/<th scope="row">([^<]*)<\/th><td class="num">(\d+)<\/td>/g)].map((m) => [m[1], Number(m[2])]);
    expect(counts).to.deep.equal([['30 分钟内', 1], ['2 小时内', 0], ['1 个工作日内', 1], ['3 个工作日内', 0], ['超过 3 个工作日', 0]]);
    expect(html).to.include('data-chart="chart-response"').and.include('<script type="application/json" id="chart-response">');
    const unit = new ConsoleClient(h);
    await unit.login('gaj.liaison');
    const theirs = /<table id="response-times">(.*?)<\/table>/.exec(await (await unit.get('/console/')).text())![1];
    expect([...theirs.matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]))).to.deep.equal([0, 0, 1, 0, 0]);
  });
});
