import path from 'path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { CalendarDay } from '../../entities';
import { AUDITOR, seedConsole } from './console-mother';
import { SHOTS, browserHarness } from './browser-mother';
import { answerSeeded } from './supervision-mother';

// Page-side code below runs in the browser; these names exist there (the project compiles without the DOM lib).
declare const document: any;

describe('console in a real headless Chromium: the calendar, supervision and response-time pages', function () {
  this.timeout(120_000);
  const env = browserHarness(async (h) => answerSeeded(h, await seedConsole(h)));
  const errors = env.errors;
  /** `expected` statuses (refusals under test) are not errors. */
  const signIn = (width: number, userid = 'office.duty', expected: number[] = []): Promise<Page> => env.signIn(width, userid, { expected });

  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it('office: opens the calendar, switches years, adds and removes an override; screenshots at 1280 and 390 px', async () => {
    for (const width of [1280, 390]) {
      const page = await signIn(width);
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '工作日历' }).click();
      await page.getByRole('heading', { name: '工作日历 · 2026 年' }).waitFor();
      expect(await page.locator('main').innerText()).to.include('工作日历即将用完').and.include('08:30-12:00，13:30-17:30');
      expect(await page.locator('table.month').count()).to.equal(12);
      expect(await page.locator('td[data-date="2026-10-01"]').getAttribute('class')).to.include('k-holiday');
      expect(await page.locator('td[data-date="2026-10-10"]').innerText()).to.include('班');
      // The year selector: 2027 is derived from the regulation and says so.
      await page.getByLabel('年份').selectOption('2027');
      await page.getByRole('button', { name: '查看' }).click();
      await page.getByRole('heading', { name: '工作日历 · 2027 年' }).waitFor();
      expect(await page.locator('main').innerText()).to.include('2027 年尚无国务院节假日安排');
      expect(await page.locator('td[data-date="2027-10-01"]').getAttribute('class')).to.include('prov');
      await page.getByLabel('年份').selectOption('2026');
      await page.getByRole('button', { name: '查看' }).click();
      await page.getByRole('heading', { name: '工作日历 · 2026 年' }).waitFor();
      if (width === 1280) {
        const form = page.getByRole('form', { name: '新增或修改调整' });
        await form.getByLabel('日期').fill('2026-12-18');
        await form.getByLabel('设为').selectOption({ label: '休息' });
        await form.getByLabel('备注').fill('县庆放假');
        await form.getByRole('button', { name: '保存' }).click();
        await page.getByText('已保存该日期的调整。').waitFor();
        expect(await page.locator('td[data-date="2026-12-18"]').getAttribute('class')).to.include('k-override');
        expect(await page.locator('#overrides').innerText()).to.include('县庆放假').and.include('office.duty');
        expect((await env.h.sys.dataSource.getRepository(CalendarDay).find()).map((d) => [d.date, !!d.working, d.note])).to.deep.equal([['2026-12-18', false, '县庆放假']]);
      }
      expect(await overflow(page), `horizontal overflow at ${width}px`).to.be.at.most(0);
      await page.screenshot({ path: path.join(SHOTS, `console-calendar-${width}.png`), fullPage: true });
      if (width === 390) {
        await page.getByRole('button', { name: '删除 2026-12-18 的调整' }).click();
        await page.getByText('已删除该日期的调整。').waitFor();
        expect(await env.h.sys.dataSource.getRepository(CalendarDay).count()).to.equal(0);
        expect(await page.locator('td[data-date="2026-12-18"]').getAttribute('class')).to.equal('k-workday on');
      }
      await page.close();
    }
    expect(errors, 'no script or CSP errors').to.deep.equal([]);
  });

  it('refusals: the auditor has no form and its POST is refused; a form without its CSRF token is refused; nothing changes', async () => {
    const auditor = await signIn(1280, AUDITOR, [403]);
    await auditor.goto(`${env.h.sys.url}/console/calendar`);
    expect(await auditor.locator('main').innerText()).to.include('只读：仅办公室人员可以调整工作日历。');
    expect(await auditor.getByRole('form', { name: '新增或修改调整' }).count()).to.equal(0);
    // The auditor's own session and token, posted from its browser as a forged form would be.
    const csrf = await auditor.locator('input[name=csrf]').first().inputValue();
    const res = await auditor.request.post(`${env.h.sys.url}/console/calendar/days`, { form: { csrf, date: '2026-12-18', working: 'false' }, maxRedirects: 0 });
    expect(res.status()).to.equal(403);
    expect(await res.text()).to.include('您无权执行此操作。');
    await auditor.close();

    const office = await signIn(1280, 'office.duty', [403]);
    await office.goto(`${env.h.sys.url}/console/calendar`);
    const form = office.getByRole('form', { name: '新增或修改调整' });
    await form.locator('input[name=csrf]').evaluate((el: any) => el.remove());
    await form.getByLabel('日期').fill('2026-12-21');
    await form.getByRole('button', { name: '保存' }).click();
    await office.getByRole('heading', { name: '表单已失效，请刷新页面后重试。' }).waitFor();
    await office.close();
    expect(await env.h.sys.dataSource.getRepository(CalendarDay).count()).to.equal(0);
    expect(errors).to.deep.equal([]);
  });

  it('office: opens supervision, filters by quarter, downloads the xlsx; a unit user is refused another unit; screenshots', async () => {
    for (const width of [1280, 390]) {
      const page = await signIn(width);
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '统计监督' }).click();
      await page.getByRole('heading', { name: '统计监督（第十三条）' }).waitFor();
      await page.locator('select[name=period]').selectOption({ label: '按季度' });
      await page.locator('select[name=quarter]').selectOption({ label: '第 4 季度' });
      await page.getByRole('button', { name: '查询' }).click();
      await page.getByText('统计期间：2026-10-01 至 2026-12-31').waitFor();
      expect(await page.locator('#units').innerText()).to.include('县人社局').and.include('县公安局').and.include('100.0%');
      expect(await page.locator('#people').innerText()).to.include('人社代办A');
      if (width === 1280) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 Excel（.xlsx）' }).click()]);
        expect(download.suggestedFilename()).to.equal('verification-stats-all-2026-10-01-2026-12-31.xlsx');
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile((await download.path())!);
        const codes: unknown[] = [];
        wb.getWorksheet('单位统计')!.eachRow((r, i) => i > 2 && codes.push(r.getCell(1).value));
        expect(codes.sort()).to.deep.equal(['GAJ', 'RSJ']);
      }
      expect(await overflow(page), `horizontal overflow at ${width}px`).to.be.at.most(0);
      await page.screenshot({ path: path.join(SHOTS, `console-supervision-${width}.png`), fullPage: true });
      await page.close();
    }
    const unit = await signIn(390, 'rsj.liaison', [403]);
    await unit.goto(`${env.h.sys.url}/console/supervision`);
    expect(await unit.locator('#units').innerText()).to.include('县人社局').and.not.include('县公安局');
    expect(await unit.locator('select[name=unit]').count()).to.equal(0);
    const refused = await unit.goto(`${env.h.sys.url}/console/supervision?unit=GAJ`);
    expect(refused!.status()).to.equal(403);
    await unit.getByRole('heading', { name: '您无权执行此操作。' }).waitFor();
    await unit.close();
    expect(errors).to.deep.equal([]);
  });

  it('dashboard: ECharts draws the response-time distribution, its table carries the same numbers; the new pages are labelled', async () => {
    const page = await signIn(1280);
    await page.locator('[data-chart="chart-response"] svg').waitFor();
    const rows = await page.locator('#response-times tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).to.deep.equal(['30 分钟内 1', '2 小时内 0', '1 个工作日内 1', '3 个工作日内 0', '超过 3 个工作日 0']);
    await page.locator('section[aria-labelledby="h-response"]').screenshot({ path: path.join(SHOTS, 'console-response-times-1280.png') });
    for (const url of ['/console/calendar', '/console/supervision', '/console/supervision?period=custom&from=2026-11-01&to=2026-12-31']) {
      await page.goto(`${env.h.sys.url}${url}`);
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter((el: any) => !el.closest('label') && !el.getAttribute('aria-label') && !(el.id && document.querySelector(`label[for="${el.id}"]`)))
          .map((el: any) => el.outerHTML),
      );
      expect(unlabelled, url).to.deep.equal([]);
      const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, a')].filter((b: any) => !b.textContent?.trim() && !b.getAttribute('aria-label')).length);
      expect(unnamed, `${url}: controls without a name`).to.equal(0);
    }
    await page.close();
    expect(errors).to.deep.equal([]);
  });
});
