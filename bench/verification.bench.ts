import http from 'http';
import os from 'os';
import path from 'path';
import { AddressInfo } from 'net';
import Koa from 'koa';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { createApiKey } from '../src/http/auth';
import { inTransaction } from '../src/db/tx';
import { Staff, Unit, OutboxMessage, VerificationRequest } from '../entities';
import { idCheckChar } from '../src/verification/id-number';
import { loadInChild } from './load-child';

export interface VerificationBenchResult {
  name: string;
  opsPerSec: number;
  baselineOpsPerSec: number;
  ratio: number;
  target?: string;
  pass?: boolean;
  extra?: Record<string, unknown>;
}

/** The load runs in a process of its own (loadInChild): the server is measured from outside. */
function load(url: string, key: string, body: string, seconds: number, connections: number) {
  return loadInChild(url, [{ method: 'POST', path: '/api/v1/verifications', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } }], seconds, connections);
}

/**
 * Requests created per second through POST /api/v1/verifications on the real server
 * (validation, number, deadline, routing, events, one queued card per recipient, one
 * transaction each), on TEST_DATABASE_URL or a fresh SQLite file, beside a bare Koa handler
 * answering 201 to the same requests in the same run. Target (issue 14): >= 1,000/s on MariaDB.
 */
export async function benchVerification(seconds = Number(process.env.BENCH_SECONDS ?? 6), connections = 20): Promise<VerificationBenchResult[]> {
  const dbUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || `sqlite:${path.join(os.tmpdir(), `nocert-bench-verif-${process.pid}.sqlite`)}`;
  const first17 = '37032319900307123';
  const body = JSON.stringify({
    requesterUnit: 'BENCHREQ',
    issuerUnit: 'BENCHISS',
    serviceItem: '压测事项',
    certificate: '压测证明',
    category: 'digital',
    applicant: { name: '张小三', idNumber: `${first17}${idCheckChar(first17)}` },
    question: '压测',
  });

  const bare = new Koa();
  bare.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    ctx.status = 201;
    ctx.body = { id: 1, number: 'HC20261126-0001', status: 'pending', dueAt: '2026-11-26T09:30:00+08:00' };
  });
  const bareServer = http.createServer(bare.callback());
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;

  // A weekday inside office hours, so the bench does not depend on the day it runs.
  const now = new Date('2026-11-26T01:00:00Z');
  const config = loadConfig({ DATABASE_URL: dbUrl, LOG_LEVEL: 'silent' }, { allowSandboxOnMysql: true });
  const sys = await startSystem({ config, log: silentLogger, port: 0, workers: false, now: () => now });
  try {
    const ds = sys.dataSource;
    await inTransaction(ds, async (m) => {
      for (const code of ['BENCHREQ', 'BENCHISS']) await m.getRepository(Unit).save({ code, name: `压测单位${code}`, isOffice: false, createdAt: now, updatedAt: now });
      for (const [userid, role, ab] of [['bench.liaison', 'liaison', null], ['bench.a', 'deputy', 'A'], ['bench.b', 'deputy', 'B']] as const) {
        await m.getRepository(Staff).save({ userid, unitCode: 'BENCHISS', name: userid, role, ab, mobile: null, away: false, awayUntil: null, trainedOn: null, createdAt: now, updatedAt: now });
      }
    });
    const key = await createApiKey(ds, 'bench', 'BENCHREQ', now);
    const requestsBefore = await ds.getRepository(VerificationRequest).count();
    const cardsBefore = await ds.getRepository(OutboxMessage).countBy({ refType: 'verification_card' });

    await load(bareUrl, key, body, 1, connections); // warm-up
    const base = await load(bareUrl, key, body, seconds, connections);
    await load(sys.url, key, body, 1, connections);
    const countNow = () => ds.getRepository(VerificationRequest).count();
    const runBefore = await countNow();
    // Server process CPU per request created (the load generator runs in its own process):
    // steadier than requests/s when other work shares the machine.
    const cpu0 = process.cpuUsage();
    const res = await load(sys.url, key, body, seconds, connections);
    const cpu = process.cpuUsage(cpu0);
    const inRun = (await countNow()) - runBefore;

    const created = (await ds.getRepository(VerificationRequest).count()) - requestsBefore;
    const cards = (await ds.getRepository(OutboxMessage).countBy({ refType: 'verification_card' })) - cardsBefore;
    return [
      {
        name: 'verification requests created/s (API, cards queued)',
        opsPerSec: Math.round(res.requests.average),
        baselineOpsPerSec: Math.round(base.requests.average),
        ratio: res.requests.average / base.requests.average,
        target: '>= 1000/s on MariaDB',
        ...(dbUrl.startsWith('mysql') ? { pass: res.requests.average >= 1000 } : {}),
        extra: { database: dbUrl.split(':')[0], processCpuMsPerRequest: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, inRun)) * 100) / 100, non2xx: res.non2xx, errors: res.errors, p99ms: res.latency.p99, created, cardsQueued: cards },
      },
    ];
  } finally {
    await sys.close();
    await new Promise((r) => bareServer.close(r));
  }
}

if (require.main === module) {
  benchVerification().then(
    (r) => {
      for (const line of r) console.log(JSON.stringify(line));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
