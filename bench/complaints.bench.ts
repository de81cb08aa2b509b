import fs from 'fs';
import http from 'http';
import inspector from 'inspector';
import os from 'os';
import path from 'path';
import { AddressInfo } from 'net';
import Koa from 'koa';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { Unit } from '../entities';
import { WeComEmulator } from '../src/sandbox';
import { createKfWorker } from '../src/complaints';
import { ConversationState, step } from '../src/complaints/flow';
import { BenchResult } from './types';

export type ComplaintsBenchResult = BenchResult;

const KF = 'wkSANDBOXKF';

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
 * BENCH_CPU_PROFILE=file.cpuprofile: a V8 CPU profile of the whole-path phase alone (the
 * baseline and worker-alone phases left out), for `node --cpu-prof`-style analysis.
 */
async function startProfile(file: string | undefined): Promise<() => Promise<void>> {
  if (!file) return async () => undefined;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((res, rej) => session.post(method, params ?? {}, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/**
 * Every citizen talks at once, each sending the next message when the reply to the last
 * one has arrived (a closed loop, as people do). Returns the seconds it took.
 */
async function converse(people: string[], say: (p: string, content: string, menuId: string | undefined, replies: number) => Promise<void>, replied: Replies, timeoutMs: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: the conversations did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      timeout,
      Promise.all(
        people.map(async (p, i) => {
          for (const [content, menuId, replies] of CONVERSATION) {
            const before = replied.count(p);
            await say(p, content === 'PHONE' ? `139${String(i).padStart(8, '0')}` : content, menuId, replies);
            await replied.until(p, before + replies);
          }
        }),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Conversation steps per second through the whole path on the real server: the emulator
 * posts kf_msg_or_event (encrypted), the inbox records "sync needed", the kf worker pulls
 * kf/sync_msg, runs flow.step (registering a complaint on the last step) and queues the
 * replies, and the outbox sends them with kf/send_msg; workers run as in production.
 * Baseline, same run, same emulator, same closed loop: the callback answered by a bare Koa
 * handler and one direct kf/send_msg per step (the transport alone). Database:
 * BENCH_DATABASE_URL, else TEST_DATABASE_URL, else a fresh SQLite file.
 * Target (issue 5): >= 300 steps/s on MariaDB.
 */
export async function benchComplaints(citizens = Number(process.env.BENCH_CITIZENS ?? 100)): Promise<ComplaintsBenchResult[]> {
  const dbUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || `sqlite:${path.join(os.tmpdir(), `nocert-bench-compl-${process.pid}.sqlite`)}`;
  const config = loadConfig({ DATABASE_URL: dbUrl, LOG_LEVEL: 'silent', INSTANCE_ID: `bench-${process.pid}` }, { allowSandboxOnMysql: true });
  const sys = await startSystem({ config, log: silentLogger, port: 0, workers: false });
  const emu = sys.emulator as WeComEmulator;
  const now = new Date();
  await sys.dataSource.getRepository(Unit).save([
    { code: 'BENCH-A', name: '县压测事务服务中心', isOffice: false, createdAt: now, updatedAt: now },
    { code: 'BENCH-B', name: '县压测备用中心', isOffice: false, createdAt: now, updatedAt: now },
  ]);
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
  const BASE_KF = `wkBASE${tag}`;
  const baseCpu0 = process.cpuUsage();
  emu.addKfAccount(BASE_KF);
  const baseSent = new Map<string, number>();
  const baseSeconds = await converse(
    people.map((p) => `${p}x`),
    async (p, content, menuId, replies) => {
      await emu.kfCustomerSays(BASE_KF, p, content, menuId ? { menuId } : undefined);
      for (let r = 0; r < replies; r++) {
        await sys.client.kfSendMsg({ touser: p, open_kfid: BASE_KF, msgtype: 'text', text: { content: '收到' } });
        baseSent.set(p, (baseSent.get(p) ?? 0) + 1);
      }
    },
    { count: (p) => baseSent.get(p) ?? 0, until: async () => undefined },
    timeoutMs,
  );
  const baseCpu = process.cpuUsage(baseCpu0);
  await new Promise((r) => bareServer.close(r));

  emu.setCallbackUrl(`${sys.url}/wecom/callback`);
  const worker = createKfWorker(sys.deps, sys.client, { instanceId: `bench-${process.pid}` });

  // ---- the worker alone: every message already queued at WeCom, replies left in the outbox
  const WORK_KF = `wkWORK${tag}`;
  emu.addKfAccount(WORK_KF);
  const workers = people.map((p) => `${p}w`);
  for (const [i, p] of workers.entries()) {
    for (const [content, menuId] of CONVERSATION) {
      await emu.kfCustomerSays(WORK_KF, p, content === 'PHONE' ? `138${String(i).padStart(8, '0')}` : content, menuId ? { menuId } : undefined);
    }
  }
  await sys.inbox.drain();
  const w0 = process.hrtime.bigint();
  let handled = 0;
  for (let guard = 0; handled < total && guard < 100_000; guard++) {
    const r = await worker.runOnce();
    handled += r.processed;
  }
  const workerSeconds = Number(process.hrtime.bigint() - w0) / 1e9;
  // Its baseline: the same steps through flow.step alone, in memory.
  const agencies = [
    { code: 'BENCH-A', name: '县压测事务服务中心' },
    { code: 'BENCH-B', name: '县压测备用中心' },
  ];
  const s0 = process.hrtime.bigint();
  const at = new Date();
  for (const [i] of workers.entries()) {
    let state: ConversationState | null = null;
    for (const [content, menuId] of CONVERSATION) {
      const r = step(state, { type: 'text', content: content === 'PHONE' ? `138${String(i).padStart(8, '0')}` : content, ...(menuId ? { menuId } : {}) }, at, { agencies });
      state = r.state;
      if (r.effects.length) state = step(state, { type: 'effect_result', kind: 'file_complaint', ok: true, number: 'TS20261126-0001' }, at, { agencies }).state;
    }
  }
  const stepSeconds = Number(process.hrtime.bigint() - s0) / 1e9;
  // Send what that phase queued before the next one starts its clock.
  for (let guard = 0; guard < 10_000; guard++) {
    const o = await sys.outbox.runOnce();
    if (!o.sent && !o.failed && !o.deferred) break;
  }

  // ---- the whole path, workers running
  worker.start(5);
  sys.outbox.start(5);
  sys.inbox.start(1000);
  // Process CPU and SQL statements per step of this phase (the emulator shares the process).
  // BENCH_STATEMENTS=1 also prints the statements by shape (the most frequent first).
  let statements = 0;
  const shapes = new Map<string, number>();
  const byShape = !!process.env.BENCH_STATEMENTS;
  sys.dataSource.subscribers.push({
    beforeQuery: (e: { query: string }) => {
      statements++;
      if (byShape) {
        const k = e.query.replace(/\s+/g, ' ').replace(/SELECT .*? FROM/, 'SELECT … FROM').replace(/\(\?(, \?)*\)/g, '(?…)').slice(0, 140);
        shapes.set(k, (shapes.get(k) ?? 0) + 1);
      }
    },
  } as never);
  const replies = replyCounter(emu);
  const profile = await startProfile(process.env.BENCH_CPU_PROFILE);
  const cpu0 = process.cpuUsage();
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
    await worker.stop();
  }
  const cpu = process.cpuUsage(cpu0);
  await profile();
  const statementsSeen = statements;
  if (byShape) for (const [k, n] of [...shapes].sort((a, b) => b[1] - a[1])) console.error(`${(n / total).toFixed(2).padStart(6)}/step  ${k}`);
  const registered = people.filter((p) => emu.kfSent(p).some((m) => m.msgtype === 'text' && /编号：TS\d{8}-\d{4}/.test(String(m.payload.content)))).length;
  await sys.close();

  const value = Math.round(total / seconds);
  const baseline = Math.round(total / baseSeconds);
  const workerValue = Math.round(total / workerSeconds);
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
        steps: total,
        seconds: Math.round(seconds * 100) / 100,
        complaintsRegistered: registered,
        cpuMsPerStep: Math.round(((cpu.user + cpu.system) / 1000 / total) * 100) / 100,
        statementsPerStep: Math.round((statementsSeen / total) * 10) / 10,
        baselineCpuMsPerStep: Math.round(((baseCpu.user + baseCpu.system) / 1000 / total) * 100) / 100,
      },
    },
    {
      name: 'kf worker steps/s (sync_msg -> step -> state + replies queued, one transaction each)',
      value: workerValue,
      unit: 'steps/s',
      baseline: stepBaseline,
      ratio: Math.round((workerValue / stepBaseline) * 100_000) / 100_000,
      extra: { database: dbUrl.split(':')[0], steps: total, handled, seconds: Math.round(workerSeconds * 100) / 100, baselineIs: 'flow.step in memory' },
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
