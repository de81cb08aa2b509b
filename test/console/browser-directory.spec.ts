import fs from 'fs';
import os from 'os';
import path from 'path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { PersonalDataRead, Staff, Unit } from '../../entities';
import { AUDITOR, consoleMembers, seedConsole } from './console-mother';
import { SHOTS, browserHarness } from './browser-mother';
import { goodRows, sheetRows, workbook } from './directory-files';

// Page-side code below runs in the browser (the project compiles without the DOM lib).
declare const document: any;

describe('console in a real headless Chromium: ledgers and export, directory import and training records', function () {
  this.timeout(120_000);
  const env = browserHarness((h) => seedConsole(h), { each: true });
  const errors = env.errors;
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-console-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  const signIn = (userid: string, width = 1280): Promise<Page> => env.signIn(width, userid, { ignoreStatuses: true });

  async function download(page: Page, linkName: string): Promise<string[][][]> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: linkName }).click()]);
    const to = path.join(tmp, `${Date.now()}-${file.suggestedFilename()}`);
    await file.saveAs(to);
    return sheetRows(fs.readFileSync(to));
  }

  async function xlsxFile(name: string, rows: unknown[][]): Promise<string> {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, await workbook(rows));
    return p;
  }

  it('the office filters the workbench, opens the ledger and exports it; the xlsx holds the filtered, masked rows', async () => {
    const page = await signIn('office.duty');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '协查核验' }).click();
    await page.getByLabel('单位').selectOption('GAJ');
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByRole('link', { name: '查看台账' }).click();
    await page.getByRole('heading', { name: '协查台账' }).waitFor();
    const register = await page.locator('#h-reg + .table-wrap').innerText();
    expect(register).to.include(env.seeded.escalated.number).and.include('张*三').and.not.include(env.seeded.other.number);
    await page.screenshot({ path: path.join(SHOTS, 'console-ledger-1280.png'), fullPage: true });
    const [reqs, entries] = await download(page, '导出 Excel（当前筛选）');
    expect(reqs[0].slice(0, 3)).to.deep.equal(['编号', '渠道', '需求单位']);
    expect(reqs.slice(1).map((r) => [r[0], r[2], r[3], r[7]])).to.deep.equal([[env.seeded.escalated.number, 'RSJ', 'GAJ', '张*三']]);
    expect(entries).to.have.length(1);
    const logged = await env.h.sys.dataSource.getRepository(PersonalDataRead).find({ where: { reader: 'office.duty', via: 'export' } });
    expect(logged.map((r) => r.requestId)).to.deep.equal([env.seeded.escalated.id]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('a unit user exports only its own unit; the pages are labelled and fit a phone', async () => {
    const page = await signIn('scj.liaison', 390);
    for (const url of ['/console/verifications/ledger', '/console/directory/staff/scj.a', '/console/directory']) {
      await page.goto(`${env.h.sys.url}${url}`);
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el: any) => !el.closest('label') && !el.getAttribute('aria-label')).length);
      expect(unlabelled, url).to.equal(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${url}: horizontal overflow at 390px`).to.be.at.most(0);
    }
    await page.goto(`${env.h.sys.url}/console/verifications/ledger?unit=GAJ`);
    const [reqs] = await download(page, '导出 Excel（当前筛选）');
    expect(reqs.slice(1).map((r) => r[0])).to.deep.equal([env.seeded.other.number]);
    await page.close();
  });

  it('the office imports a good workbook: preview, screenshot, confirm, the staff appear', async () => {
    const page = await signIn('office.duty');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通讯录' }).click();
    await page.getByRole('link', { name: '导入 Excel（xlsx）' }).click();
    const rows = goodRows();
    // One row with an error first, for the screenshot of what the office sees.
    const bad = [...rows.slice(0, 3), ['WJJ', '县卫健局', 'wjj.b', '卫健代办B', '主任', 'B', '', '2026-11-31']];
    await page.getByLabel('选择 xlsx 文件（不超过 2 MB）').setInputFiles(await xlsxFile('有错误.xlsx', bad));
    await page.getByRole('button', { name: '上传并预览' }).click();
    await page.getByRole('heading', { name: '发现 2 处错误，不能导入' }).waitFor();
    const problems = await page.locator('#h-errors ~ .table-wrap').innerText();
    expect(problems).to.include('角色 的值 "主任" 无效').and.include('培训日期 的值 "2026-11-31" 无效');
    expect(await page.getByRole('button', { name: '确认导入' }).count()).to.equal(0);
    // Accessibility smoke on this area's pages: every control labelled, every button named.
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
        .filter((el: any) => (el.tagName === 'BUTTON' ? !el.textContent?.trim() && !el.getAttribute('aria-label') : !el.closest('label') && !el.getAttribute('aria-label')))
        .map((el: any) => el.outerHTML),
    );
    expect(unlabelled).to.deep.equal([]);
    await page.screenshot({ path: path.join(SHOTS, 'console-directory-import-errors-1280.png'), fullPage: true });
    expect(await env.h.sys.dataSource.getRepository(Staff).findOneBy({ userid: 'wjj.a' })).to.equal(null);

    await page.getByRole('link', { name: '修改文件后重新上传' }).click();
    await page.getByLabel('选择 xlsx 文件（不超过 2 MB）').setInputFiles(await xlsxFile('通讯录.xlsx', rows));
    await page.getByRole('button', { name: '上传并预览' }).click();
    await page.getByRole('heading', { name: '导入预览' }).waitFor();
    expect(await page.getByRole('status').innerText()).to.equal('新增人员 3 人，修改 1 人，不变 0 人；涉及单位 2 个。');
    expect(await page.locator('#h-rows + .table-wrap').innerText()).to.include('县卫健局（新单位）').and.include('139****2222');
    await page.screenshot({ path: path.join(SHOTS, 'console-directory-import-preview-1280.png'), fullPage: true });
    expect(await env.h.sys.dataSource.getRepository(Unit).findOneBy({ code: 'WJJ' }), 'nothing saved before confirming').to.equal(null);
    await page.getByRole('button', { name: '确认导入' }).click();
    await page.getByText('已导入：单位 2 个，人员 4 人。').waitFor();
    expect(await page.locator('main').innerText()).to.include('县卫健局').and.include('卫健代办B');
    expect((await env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'wjj.liaison' })).unitCode).to.equal('WJJ');
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('the office records a training date and an absence; a form without its CSRF token is refused (403) and changes nothing', async () => {
    const page = await signIn('office.duty', 390);
    await page.goto(`${env.h.sys.url}/console/directory`);
    await page.getByRole('link', { name: '修改 人社代办A' }).click();
    await page.getByLabel('最近一次培训日期').fill('2026-11-28');
    await page.getByLabel('正在请假').check();
    await page.getByLabel('请假至（含，可不填）').fill('2026-12-02');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存。').waitFor();
    const s = await env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'rsj.a' });
    expect([s.trainedOn, !!s.away, s.awayUntil, s.ab]).to.deep.equal(['2026-11-28', true, '2026-12-02', 'A']);
    // The same form with its token removed.
    // A training recorded through its own form is listed on the page.
    await page.getByLabel('培训日期', { exact: true }).fill('2026-11-30');
    await page.getByLabel('培训内容').fill('协查系统操作复训');
    await page.getByRole('button', { name: '登记培训' }).click();
    await page.getByText('培训记录已登记。').waitFor();
    expect(await page.getByRole('table', { name: '培训经历' }).innerText()).to.include('协查系统操作复训');
    expect((await env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'rsj.a' })).trainedOn).to.equal('2026-11-30');
    await page.evaluate(() => document.querySelector('main form[action="/console/directory/staff/rsj.a"] input[name=csrf]').remove());
    await page.getByLabel('最近一次培训日期').fill('2026-11-01');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { name: '表单已失效，请刷新页面后重试。' }).waitFor();
    expect((await env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'rsj.a' })).trainedOn).to.equal('2026-11-30');
    await page.close();
  });

  it('an auditor cannot import or edit: no controls, and the routes refuse', async () => {
    const page = await signIn(AUDITOR);
    await page.goto(`${env.h.sys.url}/console/directory`);
    expect(await page.getByRole('link', { name: '导入 Excel（xlsx）' }).count()).to.equal(0);
    const res = await page.goto(`${env.h.sys.url}/console/directory/import`);
    expect(res!.status()).to.equal(403);
    await page.goto(`${env.h.sys.url}/console/directory/staff/rsj.a`);
    expect(await page.locator('main').innerText()).to.include('只有办公室人员可以修改通讯录');
    expect(await page.getByRole('button', { name: '保存' }).count()).to.equal(0);
    // A forged form posted from the auditor's own session (a valid token) is still refused.
    await page.evaluate((csrf: string) => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = '/console/directory/staff/rsj.a';
      for (const [k, v] of [['csrf', csrf], ['role', 'liaison'], ['ab', ''], ['trainedOn', '2026-11-01']]) {
        const i = document.createElement('input');
        i.name = k;
        i.value = v;
        f.appendChild(i);
      }
      document.body.appendChild(f);
      f.submit();
    }, await page.locator('header input[name=csrf]').getAttribute('value') as string);
    await page.getByRole('heading', { name: '您无权执行此操作。' }).waitFor();
    const s = await env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'rsj.a' });
    expect([s.role, s.trainedOn]).to.deep.equal(['deputy', null]);
    expect(await env.h.sys.dataSource.getRepository(Staff).count()).to.equal(consoleMembers().length - 2);
    await page.close();
  });
});
