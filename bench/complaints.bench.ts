import http from 'http';
import os from 'os';
import path from 'path';
import { AddressInfo } from 'net';
import Koa from 'koa';
import { WeComEmulator } from '../src/sandbox';
import { sandboxCredentials } from '../src/system';
import { WeComClient } from '../src/wecom/client';
import type { TokenProvider } from '../src/wecom/token-cache';
import { ConversationState, step } from '../src/complaints/flow';
import { BenchResult } from './types';
import { spawnServer } from './server-process';

export type ComplaintsBenchResult = BenchResult;

const KF = 'wkSANDBOXKF';
/**
 * Citizens talking at the same time (BENCH_AT_ONCE). BENCH_CITIZENS (default 300) file one
 * complaint each, AT_ONCE of them at a time: 2,700 steps, long enough for a steady figure.
 */
const AT_ONCE = Number(process.env.BENCH_AT_ONCE ?? 100);
const AGENCIES = [
  { code: 'BENCH-A', name: '县压测事务服务中心' },
  { code: 'BENCH-B', name: '县压测备用中心' },
];

/**
 * One complaint filed in chat: 9 steps, the last registers the case (Art. 7); the number is
 * how many messages the step answers with. PHONE: the citizen's own number.
 */
const CONVERSATION: Array<[string, string | undefined, number]> = [
  ['投诉举报', 'menu_complain', 1],
  ['仍要求提供证明（直接或变相）', 'ground_1', 1],
  ['县压测事务服务中心', undefined, 1],
  ['11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明。', undefined, 1],
  ['希望不再要求提供居住证明，尽快办理。', undefined, 1],
  ['张小三', undefined, 1],
  ['PHONE', undefined, 1],
  ['本人', 'proxy_self', 2],
  ['确认提交', 'confirm_submit', 1],
];

/** How many replies each citizen has had, and a wait for the n-th. */
interface Replies {
  count(p: string): number;
  /** Resolves once p has had n replies. */
  until(p: string, n: number): Promise<void>;
}

/**
 * Replies per citizen, counted as the emulator records each kf send (onKfSent), and the
 * closed loop woken by that same event. Polling cost the process the server shares: once
 * emu.kfSent(p) deep-copied the whole log at every poll and took most of the CPU; an
 * incremental count polled every 2 ms per citizen still woke 100 citizens ~46,000 times a
 * second (about 7% of a core).
 */
function replyCounter(emu: WeComEmulator): Replies & { close(): void } {
  const counts = new Map<string, number>();
  const waiting = new Map<string, { n: number; resolve: () => void }>();
  const close = emu.onKfSent((m) => {
    const n = (counts.get(m.touser) ?? 0) + 1;
    counts.set(m.touser, n);
    const w = waiting.get(m.touser);
    if (w && n >= w.n) {
      waiting.delete(m.touser);
      w.resolve();
    }
  });
  return {
    count: (p) => counts.get(p) ?? 0,
    until: (p, n) => ((counts.get(p) ?? 0) >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(p, { n, resolve }))),
    close,
  };
}

/**
 * `at once` citizens talk at the same time, each sending the next message when the reply to
 * the last one has arrived (a closed loop, as people do); when one has filed, the next
 * citizen takes their place. Returns the seconds it took.
 */
async function converse(people: string[], say: (p: string, content: string, menuId: string | undefined, replies: number) => Promise<void>, replied: Replies, timeoutMs: number, atOnce = AT_ONCE): Promise<number> {
  const t0 = process.hrtime.bigint();
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: the conversations did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      timeout,
      Promise.all(
        Array.from({ length: Math.min(atOnce, people.length) }, async () => {
          for (let i = next++; i < people.length; i = next++) {
            const p = people[i];
            for (const [content, menuId, replies] of CONVERSATION) {
              const before = replied.count(p);
              await say(p, content === 'PHONE' ? `139${String(i).padStart(8, '0')}` : content, menuId, replies);
              await replied.until(p, before + replies);
            }
          }
        }),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** An access_token of the emulator's app, for the baseline's direct sends. */
async function fixedToken(apiBase: string, corpId: string, secret: string): Promise<TokenProvider> {
  const r = (await (await fetch(`${apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`)).json()) as { access_token: string };
  return { getToken: async () => r.access_token, invalidate: async () => undefined };
}

/**
 * Conversation steps per second through the whole path on the real server: the emulator
 * posts kf_msg_or_event (encrypted), the inbox records "sync needed", the kf worker pulls
 * kf/sync_msg, runs flow.step (registering a complaint on the last step) and queues the
 * replies, and the outbox sends them with kf/send_msg. The server runs in live mode in a
 * process of its own (bench/server-child.ts) with its workers started as `npm start` starts
 * them; the WeCom emulator and the citizens live in this process, as WeCom and its users
 * live elsewhere. Baseline, same run, same emulator, same closed loop: the callback
 * answered by a bare Koa handler and one direct kf/send_msg per step (the transport alone).
 * Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else a fresh SQLite file.
 * Target (issue 5): >= 300 steps/s on MariaDB.
 */
export async function benchComplaints(citizens = Number(process.env.BENCH_CITIZENS ?? 300)): Promise<ComplaintsBenchResult[]> {
  const dbUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || `sqlite:${path.join(os.tmpdir(), `nocert-bench-compl-${process.pid}.sqlite`)}`;
  const keys = sandboxCredentials();
  // kf calls use the app's token, as every corp created since 2023-12-01 must (WECOM.md section 6).
  const emu = new WeComEmulator({ corpId: keys.corpId, agentId: keys.agentId, secret: keys.secret, refuseKfSecret: true, token: keys.token, encodingAESKey: keys.aesKey, kfAccounts: [KF] });
  const apiBase = await emu.listen(0);
  const server = await spawnServer(dbUrl, keys, apiBase);
  await server.command(`units ${JSON.stringify(AGENCIES)}`);
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const people = Array.from({ length: citizens }, (_, i) => `wmB${tag}${i}`);
  const total = people.length * CONVERSATION.length;
  const timeoutMs = 10 * 60_000;

  // ---- baseline: the transport alone, on an account of its own (never synced below)
  const bare = new Koa();
  bare.use((ctx) => {
    ctx.status = 200;
    ctx.body = '';
  });
  const bareServer = http.createServer(bare.callback());
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
  emu.setCallbackUrl(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/`);
  const client = new WeComClient({ apiBase, corpId: keys.corpId, agentId: keys.agentId, tokens: await fixedToken(apiBase, keys.corpId, keys.secret) });
  const BASE_KF = `wkBASE${tag}`;
  const baseCpu0 = process.cpuUsage();
  emu.addKfAccount(BASE_KF);
  const baseSent = new Map<string, number>();
  const baseSeconds = await converse(
    people.map((p) => `${p}x`),
    async (p, content, menuId, replies) => {
      await emu.kfCustomerSays(BASE_KF, p, content, menuId ? { menuId } : undefined);
      for (let r = 0; r < replies; r++) {
        await client.kfSendMsg({ touser: p, open_kfid: BASE_KF, msgtype: 'text', text: { content: '收到' } });
        baseSent.set(p, (baseSent.get(p) ?? 0) + 1);
      }
    },
    { count: (p) => baseSent.get(p) ?? 0, until: async () => undefined },
    timeoutMs,
  );
  const baseCpu = process.cpuUsage(baseCpu0);
  await new Promise((r) => bareServer.close(r));

  emu.setCallbackUrl(`${server.url}/wecom/callback`);

  // ---- the worker alone: every message already queued at WeCom, replies left in the outbox
  const WORK_KF = `wkWORK${tag}`;
  emu.addKfAccount(WORK_KF);
  const workers = people.map((p) => `${p}w`);
  for (const [i, p] of workers.entries()) {
    for (const [content, menuId] of CONVERSATION) {
      await emu.kfCustomerSays(WORK_KF, p, content === 'PHONE' ? `138${String(i).padStart(8, '0')}` : content, menuId ? { menuId } : undefined);
    }
  }
  const alone = (await server.command(`kf-alone ${total}`)) as { handled: number; seconds: number };
  // Its baseline: the same steps through flow.step alone, in memory.
  const s0 = process.hrtime.bigint();
  const at = new Date();
  for (const [i] of workers.entries()) {
    let state: ConversationState | null = null;
    for (const [content, menuId] of CONVERSATION) {
      const r = step(state, { type: 'text', content: content === 'PHONE' ? `138${String(i).padStart(8, '0')}` : content, ...(menuId ? { menuId } : {}) }, at, { agencies: AGENCIES });
      state = r.state;
      if (r.effects.length) state = step(state, { type: 'effect_result', kind: 'file_complaint', ok: true, number: 'TS20261126-0001' }, at, { agencies: AGENCIES }).state;
    }
  }
  const stepSeconds = Number(process.hrtime.bigint() - s0) / 1e9;

  // ---- the whole path, the server's workers running as in production
  await server.command('start-workers');
  const replies = replyCounter(emu);
  const profile = process.env.BENCH_PROFILE;
  if (profile) await server.command('profile-start');
  if (process.env.BENCH_STATEMENTS) await server.command('shapes');
  const before = await server.command('mem');
  const emuCpu0 = process.cpuUsage();
  let seconds: number;
  try {
    seconds = await converse(
      people,
      async (p, content, menuId) => {
        await emu.kfCustomerSays(KF, p, content, menuId ? { menuId } : undefined);
      },
      replies,
      timeoutMs,
    );
  } finally {
    replies.close();
  }
  const emuCpu = process.cpuUsage(emuCpu0);
  const after = await server.command('mem');
  if (profile) await server.command(`profile-stop ${path.join(profile, `complaints-${Date.now()}.cpuprofile`)}`);
  if (process.env.BENCH_STATEMENTS) for (const [k, n] of Object.entries((await server.command('shapes')) as Record<string, number>)) console.error(`${(n / total).toFixed(2).padStart(6)}/step  ${k}`);
  const registered = people.filter((p) => emu.kfSent(p).some((m) => m.msgtype === 'text' && /编号：TS\d{8}-\d{4}/.test(String(m.payload.content)))).length;
  await server.close();
  await emu.close();

  const cpuMs = (c: { user: number; system: number }) => (c.user + c.system) / 1000;
  const perStep = (ms: number) => Math.round((ms / total) * 100) / 100;
  const value = Math.round(total / seconds);
  const baseline = Math.round(total / baseSeconds);
  const workerValue = Math.round(total / alone.seconds);
  const stepBaseline = Math.round(total / stepSeconds);
  return [
    {
      name: 'kf conversation steps/s (callback -> sync_msg -> step -> outbox -> send_msg)',
      value,
      unit: 'steps/s',
      baseline,
      ratio: Math.round((value / baseline) * 1000) / 1000,
      target: '>= 300/s on MariaDB',
      ...(dbUrl.startsWith('mysql') ? { pass: value >= 300 } : {}),
      extra: {
        database: dbUrl.split(':')[0],
        citizens: people.length,
        atOnce: Math.min(AT_ONCE, people.length),
        steps: total,
        seconds: Math.round(seconds * 100) / 100,
        complaintsRegistered: registered,
        serverCpuMsPerStep: perStep(cpuMs(after.cpu) - cpuMs(before.cpu)),
        emulatorCpuMsPerStep: perStep(cpuMs(emuCpu)),
        statementsPerStep: Math.round(((after.statements - before.statements) / total) * 10) / 10,
        baselineCpuMsPerStep: perStep(cpuMs(baseCpu)),
      },
    },
    {
      name: 'kf worker steps/s (sync_msg -> step -> state + replies queued, one transaction each)',
      value: workerValue,
      unit: 'steps/s',
      baseline: stepBaseline,
      ratio: Math.round((workerValue / stepBaseline) * 100_000) / 100_000,
      extra: { database: dbUrl.split(':')[0], steps: total, handled: alone.handled, seconds: Math.round(alone.seconds * 100) / 100, baselineIs: 'flow.step in memory' },
    },
  ];
}

if (require.main === module) {
  require('reflect-metadata');
  benchComplaints().then(
    (r) => {
      for (const x of r) console.log(JSON.stringify(x));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
