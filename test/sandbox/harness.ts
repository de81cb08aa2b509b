/** Test harness: an emulator on a random port, a movable clock, a raw HTTP client and a callback receiver. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import { WeComEmulator, type EmulatorOptions } from '../../src/sandbox';

export const CORP_ID = 'wwsandbox0000000001';
export const AGENT_ID = 1000002;
export const SECRET = 'app-secret-for-tests';
export const KF_SECRET = 'kf-secret-for-tests';
export const TOKEN = 'CallbackToken123';
export const AES_KEY = randomBytes(32).toString('base64').replace(/=+$/, '');
export const KF = 'wkSandboxKf01';
export const ROBOT = 'robot-key-1';

export class Clock {
  t = Date.UTC(2025, 0, 6, 2, 0, 0);
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface EmulatorHarness {
  emu: WeComEmulator;
  base: string;
  clock: Clock;
  close(): Promise<void>;
}

export async function startEmulator(over: Partial<EmulatorOptions> = {}): Promise<EmulatorHarness> {
  const clock = new Clock();
  const emu = new WeComEmulator({
    corpId: CORP_ID,
    agentId: AGENT_ID,
    secret: SECRET,
    kfSecret: KF_SECRET,
    token: TOKEN,
    encodingAESKey: AES_KEY,
    members: [
      { userid: 'alice', name: 'Alice' },
      { userid: 'bob', name: 'Bob' },
      { userid: 'carol', name: 'Carol' },
    ],
    kfAccounts: [KF],
    robotKeys: [ROBOT],
    now: clock.now,
    ...over,
  });
  const base = await emu.listen(0);
  return { emu, base, clock, close: () => emu.close() };
}

export interface Reply {
  status: number;
  json: any;
}

export async function get(base: string, path: string, query: Record<string, string> = {}): Promise<Reply> {
  const u = new URL(path, base);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const r = await fetch(u);
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

export async function post(base: string, path: string, body: unknown, query: Record<string, string> = {}): Promise<Reply> {
  const u = new URL(path, base);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const r = await fetch(u, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

export async function appToken(base: string): Promise<string> {
  const r = await get(base, '/cgi-bin/gettoken', { corpid: CORP_ID, corpsecret: SECRET });
  if (r.json.errcode !== 0) throw new Error(`gettoken failed: ${JSON.stringify(r.json)}`);
  return r.json.access_token;
}

export async function kfToken(base: string): Promise<string> {
  const r = await get(base, '/cgi-bin/gettoken', { corpid: CORP_ID, corpsecret: KF_SECRET });
  if (r.json.errcode !== 0) throw new Error(`gettoken failed: ${JSON.stringify(r.json)}`);
  return r.json.access_token;
}

/** POST an API call with the token in the query, as WeCom clients do. */
export function api(base: string, token: string, path: string, body: unknown): Promise<Reply> {
  return post(base, path, body, { access_token: token });
}

export function text(touser: string, content: string, extra: Record<string, unknown> = {}) {
  return { touser, msgtype: 'text', agentid: AGENT_ID, text: { content }, ...extra };
}

export function buttonCard(touser: string, taskId: string, extra: Record<string, unknown> = {}) {
  return {
    touser,
    msgtype: 'template_card',
    agentid: AGENT_ID,
    template_card: {
      card_type: 'button_interaction',
      main_title: { title: '协查请求', desc: 'Z-2025-0001' },
      task_id: taskId,
      button_list: [
        { text: '受理', style: 1, key: `accept:${taskId}` },
        { text: '退回', style: 2, key: `return:${taskId}` },
      ],
      ...extra,
    },
  };
}

export interface Received {
  method: string;
  query: Record<string, string>;
  body: string;
}

/** A tiny Koa app standing in for nocert's callback endpoint. */
export class Receiver {
  readonly received: Received[] = [];
  /** Status codes to answer, in order; 200 once exhausted. */
  statuses: number[] = [];
  delayMs = 0;
  url = '';
  private server?: http.Server;

  async start(): Promise<string> {
    const app = new Koa();
    app.use(async (ctx) => {
      const chunks: Buffer[] = [];
      for await (const c of ctx.req) chunks.push(c as Buffer);
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(ctx.query)) if (typeof v === 'string') query[k] = v;
      this.received.push({ method: ctx.method, query, body: Buffer.concat(chunks).toString('utf8') });
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      ctx.status = this.statuses.shift() ?? 200;
      ctx.body = ctx.method === 'GET' ? 'get-ok' : '';
    });
    this.server = http.createServer(app.callback());
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/wecom/callback`;
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }
}
