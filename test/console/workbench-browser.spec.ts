import path from 'path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { Complaint, ComplaintEvent, ExemptionApplication, ExemptionVersion } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { REJECTION_LABELS } from '../../src/complaints/lifecycle-messages';
import { Api } from '../helpers/api';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { ExemptionMother } from '../helpers/mothers/exemptions';
import type { Harness } from '../helpers/system';
import { seedConsole } from './console-mother';
import { SHOTS, browserHarness } from './browser-mother';

/** Two registered complaints (GAJ by hotline, RSJ by letter) and a pending RSJ list application. */
async function seedWorkbenches(h: Harness) {
  await seedConsole(h);
  const office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
  const a = await office.post('/complaints', ComplaintMother.hotline({ agencyCode: 'GAJ' }));
  const b = await office.post('/complaints', ComplaintMother.letter({ agencyCode: 'RSJ' }));
  expect([a.status, b.status], JSON.stringify([a.body, b.body])).to.deep.equal([201, 201]);
  const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-list', 'RSJ', h.clock.now));
  const app = await rsj.post('/exemptions/applications', ExemptionMother.addBody());
  expect(app.status, JSON.stringify(app.body)).to.equal(201);
  await h.sys.settle();
  return { gaj: { id: a.body.id as number, number: a.body.number as string }, rsj: { id: b.body.id as number, number: b.body.number as string }, appId: app.body.id as number };
}

describe('console in a real headless Chromium: the complaint workbench and the exemption list', function () {
  this.timeout(120_000);
  const env = browserHarness(seedWorkbenches, { each: true });
  const complaint = (id: number) => env.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ id });
  const info = (page: Page) => page.locator('section[aria-labelledby="h-cinfo"]').innerText();

  it('the office accepts a complaint and resolves it, and refuses another on an Art. 8 ground, seeing each effect', async () => {
    const page = await env.signIn(1280);
    await page.getByRole('navigation').getByRole('link', { name: '投诉举报' }).click();
    await page.getByRole('heading', { name: '投诉举报', exact: true }).waitFor();
    const list = await page.locator('main').innerText();
    expect(list).to.include(env.seeded.gaj.number).and.include(env.seeded.rsj.number);

    // Accept, then resolve.
    await page.getByRole('link', { name: env.seeded.gaj.number }).click();
    await page.getByRole('heading', { name: `投诉举报 ${env.seeded.gaj.number}` }).waitFor();
    expect(await info(page)).to.include('已登记').and.include('张小三');
    await page.getByRole('form', { name: '受理', exact: true }).getByRole('button', { name: '受理', exact: true }).click();
    await page.getByText('已受理。', { exact: true }).waitFor();
    expect(await info(page)).to.include('已受理');
    expect((await complaint(env.seeded.gaj.id)).status).to.equal('accepted');
    // Only what the new status allows: no 受理 any more, 办结 now.
    expect(await page.getByRole('form', { name: '受理', exact: true }).count()).to.equal(0);
    const resolve = page.getByRole('form', { name: '办结', exact: true });
    await resolve.getByLabel('办理结果').fill('已责成窗口不再索要居住证明，并当面向投诉人说明。');
    await resolve.getByLabel('投诉是否属实').selectOption('yes');
    await resolve.getByRole('button', { name: '办结', exact: true }).click();
    await page.getByText('已办结。', { exact: true }).waitFor();
    expect(await info(page)).to.include('已办结').and.include('已责成窗口不再索要居住证明');
    expect(await page.locator('#h-ctrail + ol').innerText()).to.include('受理').and.include('办结').and.include('office.duty');
    expect(await complaint(env.seeded.gaj.id)).to.include({ status: 'resolved', result: '已责成窗口不再索要居住证明，并当面向投诉人说明。' });
    await page.screenshot({ path: path.join(SHOTS, 'console-complaint-1280.png'), fullPage: true });

    // Refuse on an Art. 8 ground: the ground and the reason are shown and recorded.
    await page.goto(`${env.h.sys.url}/console/complaints/${env.seeded.rsj.id}`);
    const reject = page.getByRole('form', { name: '不予受理', exact: true });
    await reject.getByLabel('不予受理理由（第八条）').selectOption('litigation_arbitration_review');
    await reject.getByLabel('说明').fill('投诉人已就此事申请行政复议。');
    await reject.getByRole('button', { name: '不予受理' }).click();
    await page.getByText('已决定不予受理。', { exact: true }).waitFor();
    expect(await info(page)).to.include('不予受理').and.include(REJECTION_LABELS.litigation_arbitration_review).and.include('投诉人已就此事申请行政复议。');
    expect(await complaint(env.seeded.rsj.id)).to.include({ status: 'rejected', closingGround: 'litigation_arbitration_review' });
    const events = await env.h.sys.dataSource.getRepository(ComplaintEvent).findBy({ complaintId: env.seeded.rsj.id, type: 'rejected' });
    expect(events.map((e) => e.actor)).to.deep.equal(['wecom:office.duty']);

    // The list shows both closed, and filters by status.
    await page.goto(`${env.h.sys.url}/console/complaints?status=registered`);
    const open = await page.locator('main').innerText();
    expect(open).to.not.include(env.seeded.gaj.number).and.not.include(env.seeded.rsj.number);
    expect(env.errors).to.deep.equal([]);
    await page.close();
  });

  it('the office approves a list application and publishes; the public page finds the entry without sign-in', async () => {
    const page = await env.signIn(1280);
    await page.getByRole('navigation').getByRole('link', { name: '免提交清单' }).click();
    expect(await page.locator('main').innerText()).to.include('失业保险金申领').and.include('清单尚未公布');
    const review = page.getByRole('form', { name: `审核决定 ${env.seeded.appId}` });
    // A return without a comment is refused with a clear message; nothing changes.
    await review.getByLabel('审核决定').selectOption('return');
    await review.getByRole('button', { name: '提交' }).click();
    await page.getByText('填写有误：退回或不予通过须填写审核意见。').waitFor();
    expect((await env.h.sys.dataSource.getRepository(ExemptionApplication).findOneByOrFail({ id: env.seeded.appId })).status).to.equal('pending');
    await page.getByRole('form', { name: `审核决定 ${env.seeded.appId}` }).getByLabel('审核决定').selectOption('approve');
    await page.getByRole('form', { name: `审核决定 ${env.seeded.appId}` }).getByRole('button', { name: '提交' }).click();
    await page.getByText('已通过，调整已进入工作清单，待下次公布。').waitFor();
    expect((await env.h.sys.dataSource.getRepository(ExemptionApplication).findOneByOrFail({ id: env.seeded.appId })).status).to.equal('approved');

    // Publish the working list as version 1, from the working list's page.
    await page.getByRole('navigation', { name: '清单子页面' }).getByRole('link', { name: '工作清单与公布' }).click();
    const publish = page.getByRole('form', { name: '公布新版本（第五条）' });
    await publish.getByLabel('公布说明（可不填）').fill('新增失业保险金申领的户籍证明');
    await publish.getByRole('button', { name: '公布新版本（第五条）' }).click();
    await page.getByText('已公布第 1 版，公众查询页面已可查到。').waitFor();
    const versions = await env.h.sys.dataSource.getRepository(ExemptionVersion).find();
    expect(versions.map((v) => [v.number, v.publishedBy, v.note, v.added])).to.deep.equal([[1, 'office.duty', '新增失业保险金申领的户籍证明', 1]]);
    // Nothing changed since: a second publish is refused unless confirmed.
    await page.getByRole('navigation', { name: '清单子页面' }).getByRole('link', { name: '工作清单与公布' }).click();
    await page.getByRole('form', { name: '公布新版本（第五条）' }).getByRole('button', { name: '公布新版本（第五条）' }).click();
    await page.getByText('与最新公布版本相比没有变化').first().waitFor();
    expect(await env.h.sys.dataSource.getRepository(ExemptionVersion).count()).to.equal(1);
    await page.goto(`${env.h.sys.url}/console/exemptions`);
    expect(await page.locator('section[aria-labelledby="h-list"]').innerText()).to.include('第 1 版').and.include('失业保险金申领');
    await page.screenshot({ path: path.join(SHOTS, 'console-exemptions-1280.png'), fullPage: true });

    // Anyone, signed out, in a fresh browser context at phone width.
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 800 }, locale: 'zh-CN' });
    const pub = await ctx.newPage();
    await pub.goto(`${env.h.sys.url}/exemptions`);
    await pub.getByLabel('事项或证明名称').fill('户籍证明');
    await pub.getByRole('button', { name: '查询' }).click();
    await pub.waitForURL(/q=/);
    const found = await pub.locator('main').innerText();
    expect(found).to.include('失业保险金申领').and.include('第 1 版');
    await pub.getByLabel('事项或证明名称').fill('结婚证');
    await pub.getByRole('button', { name: '查询' }).click();
    await pub.getByText('没有查到相关事项。').waitFor();
    await ctx.close();
    expect(env.errors).to.deep.equal([]);
    await page.close();
  });

  it('refusals in the browser: an auditor sees no review or publish form, and a forged publish is refused', async () => {
    const page = await env.signIn(1280, 'audit.jw', { expected: [403] });
    await page.goto(`${env.h.sys.url}/console/exemptions`);
    expect(await page.getByRole('form', { name: `审核决定 ${env.seeded.appId}` }).count()).to.equal(0);
    await page.goto(`${env.h.sys.url}/console/exemptions/draft`);
    expect(await page.getByRole('form', { name: '公布新版本（第五条）' }).count()).to.equal(0);
    // With the auditor's own valid token: refused for the role, not for a missing token.
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute('value');
    expect(csrf).to.match(/^[0-9a-f]+$/);
    const status = await page.evaluate(async (t: string) => (await fetch('/console/exemptions/publish', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${t}&note=x` })).status, csrf!);
    expect(status).to.equal(403);
    expect(await env.h.sys.dataSource.getRepository(ExemptionVersion).count()).to.equal(0);
    await page.close();
  });
});
