import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Browser, Page } from 'playwright-core';
import { startHarness, Harness } from '../helpers/system';
import { consoleMembers } from './console-mother';
import { startSystem, System } from '../../src/system';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { clearTables, testDataSource } from '../helpers/db';

/** Debian's Chromium (Playwright's own download is not reachable here); `.ci/run` installs it. */
export const CHROMIUM = '/usr/bin/chromium';
/** Headless, and none of Chromium's background connections (the network is closed here). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * The README's pictures are refreshed on purpose (UPDATE_SCREENSHOTS=1); a plain test run
 * writes its screenshots under dist/ so the work tree stays clean.
 */
export const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.resolve(__dirname, '../../../docs/screenshots') : path.resolve(__dirname, '../../screenshots');

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface SignInOptions {
  /** Statuses the test provokes on purpose (refusals under test): not counted as errors. */
  expected?: number[];
  /** Answers of 400 and more are not errors either (a page that tests bad input). */
  ignoreStatuses?: boolean;
}

export interface BrowserEnv<S> {
  h: Harness;
  browser: Browser;
  /** Script errors, CSP violations and unexpected error statuses seen by any page. */
  errors: string[];
  seeded: S;
  /** Signs in through the emulator's OAuth page (as WeCom's browser would) and lands on the console. */
  signIn(width: number, userid?: string, o?: SignInOptions): Promise<Page>;
}

/**
 * A server in sandbox-like test mode with the console's members, a headless Chromium, and
 * `seed` run once (or before each test with `each`). Skips the suite without Chromium.
 */
export function browserHarness<S>(seed: (h: Harness) => Promise<S>, o: { each?: boolean } = {}): BrowserEnv<S> {
  const env = { errors: [] as string[] } as BrowserEnv<S>;
  const reseed = async () => {
    await env.h.reset();
    env.seeded = await seed(env.h);
    env.errors.length = 0;
  };
  before(async function () {
    if (!fs.existsSync(CHROMIUM)) return this.skip();
    env.browser = await launchChromium();
    env.h = await startHarness({ members: consoleMembers() });
    // The browser must reach the OAuth redirect_uri: PUBLIC_URL is this server.
    (env.h.sys.config as { publicUrl: string }).publicUrl = env.h.sys.url;
    fs.mkdirSync(SHOTS, { recursive: true });
    if (!o.each) await reseed();
  });
  beforeEach(async () => {
    if (o.each) await reseed();
    else env.errors.length = 0;
  });
  after(async () => {
    await env.browser?.close();
    await env.h?.close();
  });
  env.signIn = async (width, userid = 'office.duty', so = {}) => {
    const page = await env.browser.newPage({ viewport: { width, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const errors = env.errors;
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    page.on('response', (r) => !so.ignoreStatuses && r.status() >= 400 && !(so.expected ?? []).includes(r.status()) && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${env.h.sys.url}/console/`);
    if (new URL(page.url()).pathname !== '/console/login') throw new Error(`signed out, /console/ should open the sign-in page, not ${page.url()}`);
    await page.getByRole('link', { name: '在企业微信中打开（网页授权）' }).click();
    if (new URL(page.url()).pathname !== '/connect/oauth2/authorize') throw new Error(`the sign-in should go through the emulator's OAuth page, not ${page.url()}`);
    await page.getByLabel('成员 UserID').fill(userid);
    await page.getByRole('button', { name: '确认登录' }).click();
    await page.waitForURL(`${env.h.sys.url}/console/`);
    return page;
  };
  return env;
}

export interface SandboxBrowserEnv {
  sys: System;
  browser: Browser;
}

/**
 * The system as `npm start` runs it in sandbox mode (its own workers: inbox, outbox, emulator,
 * on the real clock) and a headless Chromium, for the phones page. Skips without Chromium.
 */
export function sandboxBrowser(): SandboxBrowserEnv {
  const env = {} as SandboxBrowserEnv;
  before(async function () {
    if (!fs.existsSync(CHROMIUM)) return this.skip();
    const ds = await testDataSource();
    await clearTables(ds);
    env.sys = await startSystem({ config: loadConfig({ LOG_LEVEL: 'silent', SPOOL_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-spool-')) }), dataSource: ds, log: silentLogger, port: 0 });
    (env.sys.config as { publicUrl: string }).publicUrl = env.sys.url;
    fs.mkdirSync(SHOTS, { recursive: true });
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    if (env.sys) {
      await env.sys.close();
      await clearTables(env.sys.dataSource);
    }
  });
  return env;
}
