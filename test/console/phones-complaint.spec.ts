import path from 'path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { Complaint, ComplaintEvent, ComplaintNotice } from '../../entities';
import { GROUND_LABELS, T } from '../../src/complaints/messages';
import { CITIZEN, LIAISON } from '../../src/complaints/lifecycle-messages';
import { SHOTS, sandboxBrowser } from './browser-mother';

declare const document: any;

/**
 * Issue 13: a newcomer walks a complaint end to end on the phones page alone: the citizen
 * files it in the WeChat box (real kf callbacks), the complained-about agency's liaison
 * accepts and resolves it with the card's buttons and a chat reply, and the citizen's
 * chat shows the outcome.
 */
describe('sandbox phones page: a complaint walked end to end without leaving the page', function () {
  this.timeout(240_000);
  const env = sandboxBrowser();

  const citizenChat = (page: Page) => page.locator('#phone-citizen .chat');
  /** Waits (through the page's polling reload) until the citizen's chat shows the text. */
  const citizenSees = (page: Page, text: string) =>
    page.waitForFunction((t: string) => (document.querySelector('#phone-citizen .chat')?.textContent ?? '').includes(t), text, { timeout: 30_000 });
  /** The citizen types in the WeChat box and sends. */
  const citizenSays = async (page: Page, text: string, expectNext: string) => {
    await page.locator('#phone-in-citizen').fill(text);
    await page.locator('#phone-citizen form.say').getByRole('button', { name: '发送' }).click();
    await citizenSees(page, expectNext);
  };
  /** The citizen taps an option of the newest menu. */
  const citizenTaps = async (page: Page, option: string, expectNext: string) => {
    await page.locator('#phone-citizen .chat > li').first().getByRole('button', { name: option, exact: true }).click();
    await citizenSees(page, expectNext);
  };
  const cardButton = async (page: Page, userid: string, name: string) => {
    const b = page.locator(`[id="phone-${userid}"] .wcard`).first().getByRole('button', { name, exact: true });
    await b.waitFor({ timeout: 30_000 });
    return b;
  };
  const complaintOf = (number: string) => env.sys.dataSource.getRepository(Complaint).findOneByOrFail({ number });
  const waitStatus = async (number: string, status: string) => {
    for (let i = 0; i < 60 && (await complaintOf(number)).status !== status; i++) await new Promise((r) => setTimeout(r, 500));
    return complaintOf(number);
  };

  it('the citizen files a complaint in chat, the agency liaison accepts and resolves it on the card, the citizen is told', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    await page.goto(`${env.sys.url}/sandbox-phones/`);

    // The citizen: greeting and menu, then the seven questions.
    await citizenSays(page, '你好', T.greeting);
    await citizenTaps(page, '投诉举报', T.questions.ground);
    await citizenTaps(page, GROUND_LABELS.still_requires_certificate, T.questions.agency);
    await citizenSays(page, '公安局', T.agencyMatched('县公安局'));
    expect(await citizenChat(page).innerText()).to.include(T.questions.facts);
    await citizenSays(page, '12月1日在政务服务大厅办理户口迁移，窗口要求到派出所开具无犯罪记录证明。', T.questions.request);
    await citizenSays(page, '希望不再要求提供无犯罪记录证明。', T.questions.name);
    await citizenSays(page, '张小三', T.questions.phone);
    await citizenSays(page, '13812345678', T.questions.proxy);
    await citizenTaps(page, '本人', T.summaryTitle);
    const summary = await citizenChat(page).innerText();
    expect(summary).to.include('县公安局').and.include('希望不再要求提供无犯罪记录证明。');
    await citizenTaps(page, '确认提交', '您的投诉已登记，编号：');
    const number = /TS\d{8}-\d{4}/.exec(await citizenChat(page).innerText())?.[0] as string;
    expect(number).to.be.a('string');
    expect(await citizenChat(page).innerText()).to.include(`查询进度请回复：查询进度 ${number}`);
    expect(await complaintOf(number)).to.include({ channel: 'kf', status: 'registered', ground: 'still_requires_certificate', agencyCode: 'GAJ', complainantName: '张小三', isProxy: false });

    // The agency's liaison: the card on their phone, with the complainant masked.
    const accept = await cardButton(page, 'liaison.gaj', '受理');
    const card = await page.locator('[id="phone-liaison.gaj"] .wcard').first().innerText();
    expect(card).to.include(`投诉 ${number}`).and.include('张*三').and.include('138****5678').and.not.include('13812345678');
    expect(await page.locator('[id="phone-liaison.gaj"] .wcard').first().getByRole('button').allInnerTexts()).to.deep.equal(['受理', '不予受理']);
    await accept.click();
    const resolve = await cardButton(page, 'liaison.gaj', '办结');
    expect(await page.locator('[id="phone-liaison.gaj"] .wcard').first().getByRole('button').allInnerTexts()).to.deep.equal(['办结', '申请延期', '终止办理']);
    expect((await waitStatus(number, 'accepted')).status).to.equal('accepted');
    // The citizen is told it was accepted (Art. 10: each step as it happens).
    await citizenSees(page, `您的投诉（编号：${number}）已受理，将于`);

    // 办结: the liaison is asked for the result, and types it as the next chat message.
    await resolve.click();
    await page.waitForFunction((t: string) => (document.querySelector('[id="phone-liaison.gaj"] .chat')?.textContent ?? '').includes(t), LIAISON.askResult(number), { timeout: 30_000 });
    const result = '已向窗口核实并当面说明，户口迁移不再要求提供无犯罪记录证明，已办结。';
    await page.locator('[id="phone-in-liaison.gaj"]').fill(result);
    await page.locator('[id="phone-liaison.gaj"] form.say').getByRole('button', { name: '发送' }).click();
    const done = await waitStatus(number, 'resolved');
    expect(done).to.include({ status: 'resolved', result });
    await page.waitForFunction(() => (document.querySelector('[id="phone-liaison.gaj"] .wcard .greyed')?.textContent ?? '') === '已办结', null, { timeout: 30_000 });
    expect(await page.locator('[id="phone-liaison.gaj"] .wcard').first().getByRole('button').count()).to.equal(0);

    // The citizen's chat shows the outcome, and the case records that they were told.
    await citizenSees(page, CITIZEN.final(number, CITIZEN.outcome.resolved(result)).split('\n')[0]);
    expect(await citizenChat(page).innerText()).to.include(result).and.include('感谢您的监督');
    const events = await env.sys.dataSource.getRepository(ComplaintEvent).find({ where: { complaintId: done.id }, order: { id: 'ASC' } });
    expect(events.map((e) => e.type)).to.include.members(['registered', 'agency_notified', 'accepted', 'resolved']);
    expect(events.filter((e) => ['accepted', 'resolved'].includes(e.type)).map((e) => e.actor)).to.deep.equal(['wecom:liaison.gaj', 'wecom:liaison.gaj']);
    let notices: ComplaintNotice[] = [];
    for (let i = 0; i < 40 && !notices.some((n) => n.status === 'sent' && n.message.includes(result)); i++) {
      await new Promise((r) => setTimeout(r, 250));
      notices = await env.sys.dataSource.getRepository(ComplaintNotice).find({ where: { complaintId: done.id } });
    }
    expect(notices.filter((n) => n.message.includes(result)).map((n) => n.status)).to.deep.equal(['sent']);
    // The case records that the complainant was told (the workbench's 已告知投诉人).
    let told = await complaintOf(number);
    for (let i = 0; i < 40 && !told.resultDelivered; i++) {
      await new Promise((r) => setTimeout(r, 250));
      told = await complaintOf(number);
    }
    expect(told.resultDelivered).to.equal(true);
    await page.locator('#phones').screenshot({ path: path.join(SHOTS, 'sandbox-phones-complaint-1280.png') });
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});
