/**
 * The fault suite's tools: the real server as a child process (`node dist/src/main.js`,
 * as `npm start` runs it) against a WeCom emulator in this process, real signals, and a
 * callback sender that behaves as WeCom does (resends on a connection error or time-out).
 */
import net from 'net';
import path from 'path';
import { ChildProcess, spawn } from 'child_process';
import { AddressInfo } from 'net';
import { WeComEmulator } from '../../src/sandbox';
import { textMessageXml, cardEventXml } from '../../src/sandbox/callback-xml';
import { freshWeComKeys } from '../helpers/keys';
import { DataSource } from 'typeorm';
import { clearTables, isMysqlRun, sharedTestUrl, testDataSource } from '../helpers/db';
import { DirectoryMother, UnitSpec } from '../helpers/mothers/directory';
import { seedDirectory } from '../helpers/seed';

export const ROOT = path.resolve(__dirname, '../../..');
export { slowProxy } from '../helpers/slow-proxy';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The figure each fault test prints, in one recognisable line. */
export function figure(name: string, text: string): void {
  console.log(`      faults: ${name}: ${text}`);
}

/** Fault tests need MariaDB/MySQL (SQLite has one writer and no server to restart). */
export function mysqlOnly(ctx: Mocha.Context): void {
  if (!isMysqlRun()) ctx.skip();
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export interface Emu {
  emu: WeComEmulator;
  keys: ReturnType<typeof freshWeComKeys>;
  base: string;
  close(): Promise<void>;
}

export async function startEmu(members?: Array<{ userid: string; name: string }>): Promise<Emu> {
  const keys = freshWeComKeys();
  const emu = new WeComEmulator({ corpId: keys.corpId, agentId: keys.agentId, secret: keys.secret, kfSecret: keys.kfSecret, token: keys.token, encodingAESKey: keys.aesKey, members, kfAccounts: ['wkFAULTKF'] });
  const base = await emu.listen(0);
  return { emu, keys, base, close: () => emu.close() };
}

export interface App {
  url: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
  /** Resolves when /readyz answers 200; the ms it took. */
  ready(timeoutMs?: number): Promise<number>;
}

/** The server as `npm start` runs it, in live mode against the emulator. */
export function spawnApp(e: Emu, opts: { port: number; instanceId: string; databaseUrl?: string; apiBase?: string; env?: Record<string, string> }): App {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: opts.databaseUrl ?? sharedTestUrl(),
    PORT: String(opts.port),
    PUBLIC_URL: `http://127.0.0.1:${opts.port}`,
    INSTANCE_ID: opts.instanceId,
    LOG_LEVEL: 'error',
    WECOM_CORP_ID: e.keys.corpId,
    WECOM_AGENT_ID: String(e.keys.agentId),
    WECOM_SECRET: e.keys.secret,
    WECOM_KF_SECRET: e.keys.kfSecret,
    WECOM_TOKEN: e.keys.token,
    WECOM_AES_KEY: e.keys.aesKey,
    WECOM_API_BASE: opts.apiBase ?? e.base,
    ...opts.env,
  };
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  proc.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${opts.port}`;
  // WeCom refuses template cards (43012) to an app whose callback URL is not set.
  e.emu.setCallbackUrl(`${url}/wecom/callback`);
  return {
    url,
    proc,
    output: () => out,
    exited,
    signal: (sig) => void proc.kill(sig),
    ready: (timeoutMs = 30_000) =>
      until(
        `instance ${opts.instanceId} ready`,
        async () => {
          if (proc.exitCode !== null) throw new Error(`instance ${opts.instanceId} exited ${proc.exitCode}: ${out}`);
          try {
            return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).status === 200;
          } catch {
            return false;
          }
        },
        timeoutMs,
        25,
      ),
  };
}

export interface FaultEnv {
  ds: DataSource;
  e: Emu;
  app: App | null;
}

/**
 * The hooks every fault test shares (call inside a `describe`): MariaDB only, tables
 * cleared (and `units` seeded) and a fresh emulator before each test, the app stopped after.
 */
export function faultEnv(units?: UnitSpec[]): FaultEnv {
  const env = { app: null } as FaultEnv;
  before(async function () {
    mysqlOnly(this);
    env.ds = await testDataSource();
  });
  beforeEach(async () => {
    await clearTables(env.ds);
    if (units) await seedDirectory(env.ds, units);
    env.e = await startEmu(units ? DirectoryMother.members(units) : undefined);
  });
  afterEach(async () => {
    await stopApp(env.app);
    env.app = null;
    await env.e?.close();
  });
  return env;
}

export async function stopApp(app: App | null | undefined): Promise<void> {
  if (!app || app.proc.exitCode !== null || app.proc.signalCode !== null) return;
  app.signal('SIGTERM');
  const t = setTimeout(() => app.signal('SIGKILL'), 10_000);
  await app.exited;
  clearTimeout(t);
}

export interface Sent {
  status: number;
  tries: number;
}

/**
 * Posts one callback as WeCom does: the same bytes again after a connection error or a
 * time-out (up to `tries`, `gapMs` apart); an HTTP answer, whatever its status, ends it.
 */
export async function postLikeWeCom(url: string, built: { query: Record<string, string>; body: string }, tries = 5, gapMs = 1000, timeoutMs = 5000): Promise<Sent> {
  const u = new URL(`${url}/wecom/callback`);
  for (const [k, v] of Object.entries(built.query)) u.searchParams.set(k, v);
  for (let i = 1; ; i++) {
    try {
      const r = await fetch(u, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: built.body, signal: AbortSignal.timeout(timeoutMs) });
      await r.text();
      return { status: r.status, tries: i };
    } catch {
      if (i >= tries) return { status: 0, tries: i };
      await sleep(gapMs);
    }
  }
}

export function textCallback(e: Emu, from: string, content: string, msgId: string, createTime = Math.floor(Date.now() / 1000)) {
  return e.emu.buildCallback(textMessageXml({ corpId: e.keys.corpId, fromUser: from, createTime, agentId: e.keys.agentId, content, msgId }));
}

export function clickCallback(e: Emu, from: string, taskId: string, eventKey: string, responseCode: string, createTime = Math.floor(Date.now() / 1000)) {
  return e.emu.buildCallback(
    cardEventXml({ corpId: e.keys.corpId, fromUser: from, createTime, agentId: e.keys.agentId, event: 'template_card_event', eventKey, taskId, cardType: 'button_interaction', responseCode, selectedItems: [] }),
  );
}

/** Runs `jobs` with at most `width` at once. */
export async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}
