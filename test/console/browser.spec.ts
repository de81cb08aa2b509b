import path from 'path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { OfficeOrder } from '../../entities';
import { COLORS } from '../../src/console/assets';
import { seedConsole } from './console-mother';
import { SHOTS, browserHarness } from './browser-mother';

// Page-side code below runs in the browser; these names exist there (the project compiles without the DOM lib).
declare const document: any;
declare function getComputedStyle(el: any): any;
type HTMLElement = any;


/** WCAG 2 relative luminance contrast of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describe('console in a real headless Chromium: sign in, dashboard, 督办, screenshots, accessibility', function () {
  this.timeout(120_000);
  const env = browserHarness((h) => seedConsole(h));
  const errors = env.errors;
  const signIn = (width: number, userid = 'office.duty'): Promise<Page> => env.signIn(width, userid);

  it('signs in through the emulator, shows the dashboard with a live countdown and the chart, at 1280 and 390 px', async () => {
    for (const width of [1280, 390]) {
      const page = await signIn(width);
      await page.getByRole('heading', { name: '工作台' }).waitFor();
      expect(await page.locator('#h-today + .table-wrap').innerText()).to.include(env.seeded.other.number);
      // The script island rewrote the countdown in office time.
      const countdown = page.locator('[data-remaining]').first();
      await page.waitForFunction(() => /分钟|已到期/.test(document.querySelector('[data-remaining]')?.textContent ?? ''));
      expect(await countdown.innerText()).to.match(/\d+ 分钟/);
      expect(await page.locator('#h-overdue + ul').innerText()).to.include(env.seeded.escalated.number).and.include('1 级上报');
      // ECharts (served from the package) drew the on-time chart.
      await page.locator('.chart svg').first().waitFor();
      // Nothing spills sideways at phone width.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${width}px`).to.be.at.most(0);
      await page.screenshot({ path: path.join(SHOTS, `console-dashboard-${width}.png`), fullPage: true });
      await page.close();
    }
    expect(errors, 'no script or CSP errors').to.deep.equal([]);
  });

  it('opens the escalated request and presses 督办: the order is recorded and shown', async () => {
    for (const width of [1280, 390]) {
      const page = await signIn(width);
      await page.getByRole('link', { name: env.seeded.escalated.number }).first().click();
      await page.getByRole('heading', { name: `协查核验 ${env.seeded.escalated.number}` }).waitFor();
      expect(await page.locator('main').innerText()).to.include('张小三').and.include('核验时限').and.include('发起单位办件时钟');
      if (width === 1280) {
        await page.getByRole('form', { name: '督办' }).getByLabel('备注').fill('请今天内答复');
        await page.getByRole('form', { name: '督办' }).getByRole('button', { name: '督办' }).click();
        await page.getByText('已督办。').waitFor();
        expect(await page.locator('#h-trail + ol').innerText()).to.include('办公室督办');
        const orders = await env.h.sys.dataSource.getRepository(OfficeOrder).find();
        expect(orders.map((o) => [o.kind, o.actor, o.note])).to.deep.equal([['urge', 'office.duty', '请今天内答复']]);
      }
      await page.screenshot({ path: path.join(SHOTS, `console-verification-${width}.png`), fullPage: true });
      await page.close();
    }
    expect(errors).to.deep.equal([]);
  });

  it('accessibility smoke: every control is labelled, keyboard focus is visible, text contrast meets WCAG AA', async () => {
    const page = await signIn(1280);
    for (const url of ['/console/', '/console/verifications', `/console/verifications/${env.seeded.escalated.id}`, '/console/complaints', '/console/exemptions', '/console/directory',
      '/console/calendar', '/console/supervision', '/console/accountability', '/console/meetings', '/console/verifications/ledger', '/console/directory/import', '/console/directory/staff/rsj.a', '/exemptions']) {
      const res = await page.goto(`${env.h.sys.url}${url}`);
      expect(res?.status(), url).to.equal(200);
      // Every page has one main heading and its landmark.
      expect(await page.locator('h1').count(), `${url}: one h1`).to.equal(1);
      expect(await page.locator('main').count(), `${url}: a main landmark`).to.equal(1);
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter((el) => !el.closest('label') && !el.getAttribute('aria-label') && !(el.id && document.querySelector(`label[for="${el.id}"]`)))
          .map((el) => el.outerHTML),
      );
      expect(unlabelled, url).to.deep.equal([]);
      const buttons = await page.evaluate(() => [...document.querySelectorAll('button')].filter((b) => !b.textContent?.trim() && !b.getAttribute('aria-label')).length);
      expect(buttons, `${url}: buttons without a name`).to.equal(0);
      // Text contrast as computed: each visible text against the first opaque background behind it.
      const pairs: Array<{ fg: string; bg: string; text: string }> = await page.evaluate(() => {
        const hex = (rgb: string) => '#' + (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('');
        const opaque = (rgb: string) => !/rgba\(.*,\s*0\)$/.test(rgb) && rgb !== 'transparent';
        const out: Array<{ fg: string; bg: string; text: string }> = [];
        for (const el of [...document.querySelectorAll('body *')] as HTMLElement[]) {
          const text = [...el.childNodes].filter((n: any) => n.nodeType === 3).map((n: any) => n.textContent.trim()).join('');
          if (!text || !el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
          let bgEl = el;
          while (bgEl && !opaque(getComputedStyle(bgEl).backgroundColor)) bgEl = bgEl.parentElement;
          out.push({ fg: hex(getComputedStyle(el).color), bg: bgEl ? hex(getComputedStyle(bgEl).backgroundColor) : '#ffffff', text: text.slice(0, 30) });
        }
        return out;
      });
      const low = pairs.filter((x) => contrast(x.fg, x.bg) < 4.5).map((x) => `${x.text}: ${x.fg} on ${x.bg}`);
      expect(low, `${url}: text below 4.5:1`).to.deep.equal([]);
      // The first Tab lands on a link or control with a visible focus ring.
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement as HTMLElement);
        return { tag: (document.activeElement as HTMLElement).tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      expect(ring.tag, `${url}: Tab reaches a control`).to.be.oneOf(['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA']);
      expect(ring.style !== 'none' && ring.width >= 2, `${url}: focus ring ${JSON.stringify(ring)}`).to.equal(true);
    }
    await page.goto(`${env.h.sys.url}/console/verifications`);
    await page.screenshot({ path: path.join(SHOTS, 'console-verifications-list-1280.png'), fullPage: true });
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const s = getComputedStyle(el);
      return { tag: el.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(focus.tag).to.equal('A');
    expect(focus.style).to.not.equal('none');
    expect(focus.width).to.be.at.least(2);
    // The palette, and the colours the browser actually computed for body text and links.
    for (const [fg, bg] of [[COLORS.text, COLORS.bg], [COLORS.muted, COLORS.bg], [COLORS.link, COLORS.bg], [COLORS.error, COLORS.bg], [COLORS.warn, COLORS.bg], [COLORS.ok, COLORS.bg], [COLORS.buttonText, COLORS.link], [COLORS.text, COLORS.panel], [COLORS.link, COLORS.panel]]) {
      expect(contrast(fg, bg), `${fg} on ${bg}`).to.be.at.least(4.5);
    }
    const computed = await page.evaluate(() => {
      const hex = (rgb: string) => '#' + (rgb.match(/\d+/g) ?? []).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('');
      return { body: hex(getComputedStyle(document.body).color), bg: hex(getComputedStyle(document.body).backgroundColor), link: hex(getComputedStyle(document.querySelector('main a')!).color) };
    });
    expect(contrast(computed.body, computed.bg)).to.be.at.least(7);
    expect(contrast(computed.link, computed.bg)).to.be.at.least(4.5);
    await page.close();
  });
  it('the navigation at 390 px: all nine links fit and can be tapped, no page spills sideways', async () => {
    const page = await signIn(390);
    const nav = page.getByRole('navigation', { name: '主导航' });
    const links = nav.getByRole('link');
    expect(await links.count()).to.equal(9);
    await page.locator('header').screenshot({ path: path.join(SHOTS, 'console-nav-390.png') });
    for (const box of await links.evaluateAll((els: HTMLElement[]) => els.map((a) => { const r = a.getBoundingClientRect(); return { text: a.textContent, left: r.left, right: r.right, height: r.height }; }))) {
      expect(box.left, `${box.text} inside the screen`).to.be.at.least(0);
      expect(box.right, `${box.text} inside the screen`).to.be.at.most(390);
      // WCAG 2.2 target size (minimum): 24 px.
      expect(box.height, `${box.text} tap target`).to.be.at.least(24);
    }
    const areas = ['/console/', '/console/verifications', '/console/complaints', '/console/exemptions', '/console/directory', '/console/accountability', '/console/meetings', '/console/calendar', '/console/supervision'];
    for (const url of [...areas, `/console/verifications/${env.seeded.escalated.id}`, '/console/verifications/ledger', '/console/directory/import', '/console/directory/staff/rsj.a']) {
      await page.goto(`${env.h.sys.url}${url}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      // Named in the message: the innermost elements reaching past the screen's edge.
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter((el: HTMLElement) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && ![...el.children].some((k: HTMLElement) => k.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5))
          .slice(0, 3)
          .map((el: HTMLElement) => el.outerHTML.slice(0, 120)),
      );
      expect(overflow, `${url}: horizontal overflow at 390 px ${JSON.stringify(wide)}`).to.be.at.most(0);
      // The current area is marked in the navigation.
      if (url === '/console/accountability') await page.screenshot({ path: path.join(SHOTS, 'console-accountability-390.png') });
      if (areas.includes(url)) expect(await nav.locator('[aria-current=page]').count(), url).to.equal(1);
    }
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});
