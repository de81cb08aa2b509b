import path from 'path';
import os from 'os';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { createApiKey } from '../src/http/auth';
import { inTransaction } from '../src/db/tx';
import { enqueueMany } from '../src/wecom/outbox';
import { textPayload } from '../src/wecom/messaging';
import { Staff, Unit } from '../entities';
import { idCheckChar } from '../src/verification/id-number';
import { WeComEmulator } from '../src/sandbox';
import { BenchResult } from './types';

const UNITS = 24;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
}

/**
 * Request created through POST /api/v1/verifications -> its card received by the WeCom
 * emulator (the moment the emulator has recorded the message, polled every millisecond),
 * with the server's own workers running as in production. Baseline: a card sent straight
 * to the emulator with the same WeCom client (the floor any path has to pay). Each request
 * goes to its own issuing unit in turn, so WeCom's 30-per-minute pacing never applies.
 */
export async function benchCardLatency(dbUrl: string, sequential = Number(process.env.BENCH_CARDS ?? 60), rounds = 4, burst = Number(process.env.BENCH_CARDS_BURST ?? 10_000)): Promise<BenchResult[]> {
  const t0 = Date.now();
  // A weekday inside office hours, running at real speed.
  const base = new Date('2026-11-26T01:00:00Z').getTime();
  const now = () => new Date(base + (Date.now() - t0));
  const config = loadConfig({ DATABASE_URL: dbUrl, LOG_LEVEL: 'silent', SPOOL_DIR: path.join(os.tmpdir(), `nocert-bench-spool-${process.pid}`) }, { allowSandboxOnMysql: true });
  const sys = await startSystem({ config, log: silentLogger, port: 0, now });
  const emu = sys.emulator as WeComEmulator;
  try {
    const ds = sys.dataSource;
    // Every run starts at the same simulated minute: what an earlier run left in the outbox or
    // the pacer's send log (members at their cap, deferred burst rows) would change this one.
    for (const t of ['outbox_messages', 'wecom_send_log']) await ds.query(`DELETE FROM ${ds.driver.escape(t)}`);
    const staffOf = new Map<string, string>();
    await inTransaction(ds, async (m) => {
      await m.getRepository(Unit).save({ code: 'BENCHREQ', name: '压测申请单位', isOffice: false, createdAt: now(), updatedAt: now() });
      for (let u = 0; u < UNITS; u++) {
        const code = `BLAT${u}`;
        await m.getRepository(Unit).save({ code, name: `压测出具单位${u}`, isOffice: false, createdAt: now(), updatedAt: now() });
        for (const [suffix, role, ab] of [['l', 'liaison', null], ['a', 'deputy', 'A'], ['b', 'deputy', 'B']] as const) {
          const userid = `blat${u}.${suffix}`;
          staffOf.set(userid.toLowerCase(), code);
          await m.getRepository(Staff).save({ userid, unitCode: code, name: userid, role, ab, mobile: null, away: false, awayUntil: null, trainedOn: null, createdAt: now(), updatedAt: now() });
        }
      }
    });
    const key = await createApiKey(ds, 'bench-latency', 'BENCHREQ', now());
    const first17 = '37032319900307123';
    const body = (unit: string) =>
      JSON.stringify({ requesterUnit: 'BENCHREQ', issuerUnit: unit, serviceItem: '压测事项', certificate: '压测证明', category: 'digital', applicant: { name: '张小三', idNumber: `${first17}${idCheckChar(first17)}` }, question: '压测' });

    // Cards received, by unit: the first one after a request's creation ends its clock.
    const waiting = new Map<string, { start: number; done: (ms: number) => void }>();
    // Read only what is new each millisecond: copying the emulator's whole log every poll
    // would eat the very CPU the server under test needs (it runs in this process).
    let seen = emu.deliveredSince(0).next;
    let polling = true;
    const poll = () => {
      const { next, items } = emu.deliveredSince(seen);
      seen = next;
      for (const d of items) {
        if (d.msgtype !== 'template_card') continue;
        const unit = staffOf.get(String(d.touser).split('|')[0].toLowerCase());
        const w = unit ? waiting.get(unit) : undefined;
        if (w) {
          waiting.delete(unit!);
          w.done(performance.now() - w.start);
        }
      }
      if (polling) setTimeout(poll, 1);
    };
    poll();
    let next = 0;
    const answered: number[] = [];
    const one = async (): Promise<number> => {
      const unit = `BLAT${next++ % UNITS}`;
      const start = performance.now();
      const received = new Promise<number>((resolve) => waiting.set(unit, { start, done: resolve }));
      const res = await fetch(`${sys.url}/api/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: body(unit) });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      answered.push(performance.now() - start);
      return received;
    };

    const floor: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      await sys.client.sendMessage({ touser: 'bench.floor', msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: '基线' }, task_id: `floor_${t0}_${i}`, card_action: { type: 1, url: 'http://x' } } } as any);
      floor.push(performance.now() - s);
    }

    for (let i = 0; i < 5; i++) await one(); // warm-up
    const seq: number[] = [];
    for (let i = 0; i < sequential; i++) seq.push(await one());
    const par: number[] = [];
    for (let r = 0; r < rounds; r++) par.push(...(await Promise.all(Array.from({ length: 20 }, () => one()))));

    // Right after a burst: 10,000 texts to five members committed through the outbox at once
    // (WeCom's 30-per-minute cap defers all but 150 of them), then requests for other people
    // one after another, measured from the moment the burst has committed.
    const members = Array.from({ length: 5 }, (_, i) => `burst.member${i}`);
    const burstStart = performance.now();
    await inTransaction(ds, (m) => enqueueMany(m, Array.from({ length: burst }, (_, i) => ({ channel: 'message' as const, payload: textPayload(members[i % members.length], `压测消息 ${i}`), refType: 'bench_burst', refId: String(i), now: now() }))));
    const burstCommitMs = performance.now() - burstStart;
    const afterBurst: number[] = [];
    for (let i = 0; i < Math.max(20, Math.round(sequential / 2)); i++) afterBurst.push(await one());
    const burstSent = emu.delivered().filter((d) => String(d.touser).startsWith('burst.member')).length;
    polling = false;

    const floorP99 = pct(floor, 99);
    return [
      { name: 'request created -> card received, one at a time (p50)', value: pct(seq, 50), unit: 'ms', baseline: pct(floor, 50), ratio: pct(seq, 50) / pct(floor, 50), extra: { n: seq.length, apiAnsweredP50: pct(answered, 50) } },
      { name: 'request created -> card received, one at a time (p99)', value: pct(seq, 99), unit: 'ms', baseline: floorP99, ratio: pct(seq, 99) / floorP99, target: 'p99 < 100 ms', pass: pct(seq, 99) < 100, extra: { n: seq.length } },
      {
        name: `request created -> card received, right after a burst of ${burst.toLocaleString('en')} member texts (p99)`,
        value: pct(afterBurst, 99),
        unit: 'ms',
        baseline: floorP99,
        ratio: pct(afterBurst, 99) / floorP99,
        target: 'p99 < 1 s',
        pass: pct(afterBurst, 99) < 1000,
        extra: { n: afterBurst.length, p50: pct(afterBurst, 50), burstCommitMs, burstTextsSentMeanwhile: burstSent },
      },
      { name: 'request created -> card received, 20 at a time (p99)', value: pct(par, 99), unit: 'ms', baseline: floorP99, ratio: pct(par, 99) / floorP99, target: 'p99 < 300 ms', pass: pct(par, 99) < 300, extra: { n: par.length, p50: pct(par, 50) } },
    ];
  } finally {
    await sys.close();
  }
}
