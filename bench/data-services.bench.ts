import path from 'path';
import os from 'os';
import crypto from 'crypto';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { createApiKey } from '../src/http/auth';
import { DEMO_CERTIFICATE, DEMO_REGISTER, startDemoRegister } from '../src/data-services/demo';
import { callHttpService } from '../src/data-services/call';
import { BenchResult } from './types';
import { openDataSource } from '../src/db/data-source';

/** The other benches leave their own units behind: start from empty tables, so the sandbox seeds its demo directory. */
async function emptyTables(dbUrl: string): Promise<void> {
  const ds = await openDataSource(dbUrl);
  const qr = ds.createQueryRunner();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const mysql = ds.options.type !== 'better-sqlite3';
    if (mysql) await qr.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const m of ds.entityMetadatas) await qr.query(`DELETE FROM ${ds.driver.escape(m.tableName)}`);
    if (mysql) await qr.query('SET FOREIGN_KEY_CHECKS = 1');
  } finally {
    await qr.release();
    await ds.destroy();
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
}

/**
 * 秒核 (issue 15): a digital request for 户籍证明 created through POST /api/v1/verifications
 * -> the request answered by the sandbox's demo household register, as the requesting system
 * sees it (GET /api/v1/verifications/:id polled every 5 ms), with the server's own workers
 * running as in production. Baseline: one signed call straight to a demo register (the
 * floor any path pays). Target: p99 < 1 s.
 */
export async function benchDataServices(dbUrl: string, sequential = Number(process.env.BENCH_DS ?? 50), rounds = 5): Promise<BenchResult[]> {
  // The real clock: the demo register checks the signed timestamp against its own clock,
  // and an automatic answer does not wait for office hours.
  const now = () => new Date();
  const config = loadConfig(
    { DATABASE_URL: dbUrl, LOG_LEVEL: 'silent', DATA_SERVICE_KEY: crypto.randomBytes(32).toString('base64'), SPOOL_DIR: path.join(os.tmpdir(), `nocert-bench-spool-${process.pid}`) },
    { allowSandboxOnMysql: true },
  );
  await emptyTables(dbUrl);
  const sys = await startSystem({ config, log: silentLogger, port: 0, now });
  const floorSecret = crypto.randomBytes(24).toString('base64url');
  const floorService = await startDemoRegister(floorSecret);
  try {
    const key = await createApiKey(sys.dataSource, 'bench-data-services', 'RSJ', now());
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    let n = 0;
    const one = async (): Promise<number> => {
      const p = DEMO_REGISTER[n++ % DEMO_REGISTER.length];
      const start = performance.now();
      const res = await fetch(`${sys.url}/api/v1/verifications`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ requesterUnit: 'RSJ', issuerUnit: DEMO_CERTIFICATE.issuerUnit, serviceItem: '就业登记', certificate: DEMO_CERTIFICATE.certificate, category: 'digital', applicant: { name: p.name, idNumber: p.idNumber }, question: '申请人户籍是否在本县' }),
      });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      const { id } = (await res.json()) as { id: number };
      for (;;) {
        const got = (await (await fetch(`${sys.url}/api/v1/verifications/${id}`, { headers })).json()) as { status: string };
        if (got.status === 'answered') return performance.now() - start;
        if (got.status !== 'pending') throw new Error(`request ${id} became ${got.status}, not answered`);
        if (performance.now() - start > 10_000) throw new Error(`request ${id} not answered within 10 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };

    const body = JSON.stringify({ requestId: 1, number: 'HC20261126-0001', certificate: DEMO_CERTIFICATE.certificate, applicant: { name: DEMO_REGISTER[0].name, idNumber: DEMO_REGISTER[0].idNumber }, question: '申请人户籍是否在本县' });
    const floor: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      const out = await callHttpService(floorService.url, floorSecret, body, () => Math.floor(Date.now() / 1000));
      if (!out.ok) throw new Error(`demo register: ${out.failure}`);
      floor.push(performance.now() - s);
    }

    for (let i = 0; i < 3; i++) await one(); // warm-up
    const seq: number[] = [];
    for (let i = 0; i < sequential; i++) seq.push(await one());
    // Four at a time: the in-flight limit of one service.
    const par: number[] = [];
    for (let r = 0; r < rounds; r++) par.push(...(await Promise.all(Array.from({ length: 4 }, () => one()))));

    const floorP50 = pct(floor, 50);
    const floorP99 = pct(floor, 99);
    return [
      { name: 'request -> automatic answer (demo 户籍 service), one at a time (p50)', value: pct(seq, 50), unit: 'ms', baseline: floorP50, ratio: pct(seq, 50) / floorP50, extra: { n: seq.length } },
      { name: 'request -> automatic answer (demo 户籍 service), one at a time (p99)', value: pct(seq, 99), unit: 'ms', baseline: floorP99, ratio: pct(seq, 99) / floorP99, target: 'p99 < 1 s', pass: pct(seq, 99) < 1000, extra: { n: seq.length } },
      { name: 'request -> automatic answer (demo 户籍 service), 4 at a time (p99)', value: pct(par, 99), unit: 'ms', baseline: floorP99, ratio: pct(par, 99) / floorP99, target: 'p99 < 1 s', pass: pct(par, 99) < 1000, extra: { n: par.length, p50: pct(par, 50) } },
    ];
  } finally {
    await floorService.close();
    await sys.close();
  }
}
