import path from 'path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { VerificationRequest } from '../../entities';
import { SHOTS, sandboxBrowser } from './browser-mother';

declare const document: any;


/**
 * Issue 13: a newcomer walks a request end to end on the phones page alone: the approval
 * platform's panel opens it through the REST API, the issuing liaison accepts and answers
 * with the card's buttons, and the requesting unit's liaison sees the result.
 */
describe('sandbox phones page: a request walked end to end without leaving the page', function () {
  this.timeout(180_000);
  const env = sandboxBrowser();

  /** Waits (through the page's own polling reload) until the phone shows a button of that name. */
  const button = async (page: Page, userid: string, name: string) => {
    const b = page.locator(`[id="phone-${userid}"] .wcard`).first().getByRole('button', { name, exact: true });
    await b.waitFor({ timeout: 30_000 });
    return b;
  };

  it('the platform opens a request, the issuing liaison accepts and answers 核验一致 with 确认, the requesting liaison gets the result', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${env.sys.url}/sandbox-phones/`);
    const panel = page.locator('#phone-platform');
    // A certificate without a data service: people answer.
    await panel.getByLabel('证明材料').fill('无犯罪记录证明');
    await panel.getByLabel('核验内容').fill('申请人是否有犯罪记录？');
    await panel.getByRole('button', { name: '发起协查' }).click();
    const done = await page.getByRole('status').innerText();
    const number = /HC\d{8}-\d{4}/.exec(done)?.[0];
    expect(number, done).to.be.a('string');
    const req = await env.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ number: number! });
    expect(req).to.include({ requesterUnit: 'RSJ', issuerUnit: 'GAJ', certificate: '无犯罪记录证明', status: 'pending' });

    await (await button(page, 'liaison.gaj', '受理')).click();
    await (await button(page, 'liaison.gaj', '核验一致')).click();
    // The answer is echoed first and becomes final only with 确认.
    await (await button(page, 'liaison.gaj', '确认')).click();
    for (let i = 0; i < 60 && (await env.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: req.id })).status !== 'answered'; i++) await new Promise((r) => setTimeout(r, 500));
    // The requesting liaison is told of 受理 and of the result (notice cards, shown as sent).
    await page.waitForFunction((n: string) => [...document.querySelectorAll('[id="phone-liaison.rsj"] .chat')].some((c: any) => c.textContent.includes(n) && c.textContent.includes('核验一致')), number!, { timeout: 30_000 });
    expect(await env.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: req.id })).to.include({ status: 'answered', result: 'match', assignee: 'liaison.gaj' });
    // The requesting liaison's phone names the request and the result; the applicant's number is masked.
    const rsj = await page.locator('[id="phone-liaison.rsj"] .chat').innerText();
    expect(rsj).to.include(number!).and.include('已受理').and.not.include(req.applicantIdNumber);
    await page.locator('#phones').screenshot({ path: path.join(SHOTS, 'sandbox-phones-walk-1280.png') });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('a request the API refuses (bad ID number) is reported on the page and nothing is opened', async () => {
    const page = await env.browser.newPage({ viewport: { width: 390, height: 900 }, locale: 'zh-CN' });
    const before = await env.sys.dataSource.getRepository(VerificationRequest).count();
    await page.goto(`${env.sys.url}/sandbox-phones/`);
    const panel = page.locator('#phone-platform');
    await panel.getByLabel('申请人身份证号码').fill('370323199003071231');
    await panel.getByRole('button', { name: '发起协查' }).click();
    expect(await page.getByRole('alert').innerText()).to.include('审批系统发起失败（422）');
    expect(await env.sys.dataSource.getRepository(VerificationRequest).count()).to.equal(before);
    // Without the page's token the platform's form is refused.
    const res = await fetch(`${env.sys.url}/sandbox-phones/request`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'requesterUnit=RSJ', redirect: 'manual' });
    expect(res.status).to.equal(403);
    await page.close();
  });
});
