import fs from 'fs';
import path from 'path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { VerificationRequest } from '../../entities';
import { startSystem, System } from '../../src/system';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { createApiKey } from '../../src/http/auth';
import { clearTables, testDataSource } from '../helpers/db';
import { Api } from '../helpers/api';
import { createRequest } from '../helpers/scheduler';
import { startHarness } from '../helpers/system';
import { consoleMembers } from './console-mother';
import { CHROMIUM, SHOTS, launchChromium } from './browser-mother';

declare const document: any;


describe('sandbox phones page: every person at once, through the real callback path', function () {
  this.timeout(120_000);
  let sys: System;
  let browser: Browser | null = null;

  before(async () => {
    const ds = await testDataSource();
    await clearTables(ds);
    // Sandbox mode with its workers: clicks and messages travel inbox -> handler -> outbox -> emulator on their own.
    sys = await startSystem({ config: loadConfig({ LOG_LEVEL: 'silent', SPOOL_DIR: fs.mkdtempSync(path.join(require('os').tmpdir(), 'nocert-spool-')) }), dataSource: ds, log: silentLogger, port: 0 });
    (sys.config as { publicUrl: string }).publicUrl = sys.url;
  });
  after(async () => {
    await browser?.close();
    await sys?.close();
    await clearTables(sys.dataSource);
  });

  it('refuses a form without its token, and an unknown card click is reported, not thrown', async () => {
    const page = await fetch(`${sys.url}/sandbox-phones/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-security-policy')).to.include("script-src 'self'");
    const html = await page.text();
    expect(html).to.include('办公室值班员').and.include('liaison.rsj').and.include('wkSANDBOXKF').and.include('办公室群');
    expect(html).not.to.match(/<script>(?!<)/);
    const cookie = page.headers.getSetCookie()[0].split(';')[0];
    const token = /name="csrf" value="([0-9a-f]+)"/.exec(html)![1];
    const post = (form: Record<string, string>, withCookie = true) =>
      fetch(`${sys.url}/sandbox-phones/kf`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(withCookie ? { cookie } : {}) }, body: new URLSearchParams(form).toString() });
    const before = sys.emulator!.kfQueue().length;
    expect((await post({ content: '你好' })).status).to.equal(403);
    expect((await post({ content: '你好', csrf: token }, false)).status).to.equal(403);
    expect(sys.emulator!.kfQueue().length).to.equal(before);
    const click = await fetch(`${sys.url}/sandbox-phones/click`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ csrf: token, userid: 'liaison.rsj', taskId: 'nope', key: 'x' }).toString() });
    expect(click.status).to.equal(302);
    expect(click.headers.get('location')).to.match(/^\/sandbox-phones\/\?error=.*#phone-liaison\.rsj$/);
    // The sandbox ships a small published list, so a lookup finds something.
    const list = await (await fetch(`${sys.url}/exemptions?q=${encodeURIComponent('户籍证明')}`)).text();
    expect(list).to.include('失业保险金申领').and.include('第 1 版');
  });

  it('a liaison accepts a request by clicking 受理 and the card changes; a citizen types 你好 and sees the menu', async function () {
    if (!fs.existsSync(CHROMIUM)) return this.skip();
    browser = await launchChromium();
    const gaj = new Api(sys.url, await createApiKey(sys.dataSource, 'phones GAJ', 'GAJ', new Date()));
    const req = await createRequest(gaj, { requesterUnit: 'GAJ', issuerUnit: 'RSJ' });
    await sys.emulator!.waitFor(() => sys.emulator!.cardsOf('liaison.rsj').length > 0, 10_000);
    const errors: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
    await page.goto(`${sys.url}/sandbox-phones/`);
    const phone = page.locator('[id="phone-liaison.rsj"]');
    const card = phone.locator('.wcard').first();
    expect(await card.innerText()).to.include(req.number);
    await card.getByRole('button', { name: '受理' }).click();
    // The polling script reloads once the server's card update reached the emulator.
    await page.waitForFunction(() => ![...document.querySelectorAll('[id="phone-liaison.rsj"] .wcard button')].some((b: any) => b.textContent === '受理'), null, { timeout: 20_000 });
    expect(await phone.locator('.wcard').first().innerText()).to.include('答复');
    expect(await sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: req.id })).to.include({ status: 'accepted', assignee: 'liaison.rsj' });
    await page.locator('[id="phone-liaison.rsj"]').screenshot({ path: path.join(SHOTS, 'sandbox-phone-liaison.png') });
    await page.locator('#phone-in-citizen').fill('你好');
    await page.locator('#phone-citizen').getByRole('button', { name: '发送' }).click();
    await page.locator('#phone-citizen form[action="/sandbox-phones/kf"] button.secondary').first().waitFor({ timeout: 20_000 });
    const chat = await page.locator('#phone-citizen .chat').innerText();
    expect(chat).to.include('你好').and.include('投诉');
    await page.screenshot({ path: path.join(SHOTS, 'sandbox-phones-1280.png'), fullPage: false });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('does not exist outside sandbox mode', async () => {
    const h = await startHarness({ members: consoleMembers() });
    try {
      expect((await fetch(`${h.sys.url}/sandbox-phones/`)).status).to.equal(404);
    } finally {
      await h.close();
    }
  });
});
