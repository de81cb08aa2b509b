import http from 'http';
import os from 'os';
import { AddressInfo } from 'net';
import Koa from 'koa';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { ExemptionEntry, Unit } from '../entities';
import { inTransaction } from '../src/db/tx';
import { publish } from '../src/exemptions/versions';
import { BenchResult } from './types';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }>;

export type ExemptionBenchResult = BenchResult & { opsPerSec: number; p50Ms: number; p99Ms: number; baselineOpsPerSec: number; baselineP50Ms: number; baselineP99Ms: number };

const ITEMS = ['失业保险金申领', '城乡居民养老保险参保登记', '个体工商户设立登记', '最低生活保障申请', '残疾人证办理', '建设工程规划许可', '出生医学证明补发', '义务教育入学登记', '住房公积金提取', '医疗救助申请'];
const CERTS = ['户籍证明', '无犯罪记录证明', '婚姻状况证明', '收入证明', '居住证明', '亲属关系证明', '死亡证明', '学历证明'];
const METHODS = ['verification', 'sharing', 'commitment', 'other'] as const;
/** What people search: common words (many hits), exact names (few), and misses. */
const QUERIES = ['户籍证明', '失业保险', '婚姻', '证明', '残疾人证办理（37）', '住房公积金 收入', '不存在的证明', '出生医学证明补发（1200）', '登记', '养老'];

async function seed(ds: import('typeorm').DataSource, n: number, now: Date): Promise<void> {
  for (const t of ['exemption_version_entries', 'exemption_versions', 'exemption_applications', 'exemption_entries']) await ds.query(`DELETE FROM ${t}`);
  for (const [code, name] of [['RSJ', '县人社局'], ['GAJ', '县公安局'], ['MZJ', '县民政局']]) {
    await ds.getRepository(Unit).save({ code, name, isOffice: false, createdAt: now, updatedAt: now });
  }
  const rows = Array.from({ length: n }, (_, i) => ({
    serviceItem: `${ITEMS[i % ITEMS.length]}（${Math.floor(i / ITEMS.length) + 1}）`,
    certificate: CERTS[i % CERTS.length],
    requesterUnit: ['RSJ', 'MZJ'][i % 2],
    issuerUnit: 'GAJ',
    method: METHODS[i % 4],
    legalBasis: `《某某条例》第${(i % 90) + 1}条`,
    defaultCategory: 'digital' as const,
    status: 'active' as const,
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));
  for (let i = 0; i < rows.length; i += 500) await ds.getRepository(ExemptionEntry).insert(rows.slice(i, i + 500));
  await inTransaction(ds, (m) => publish(m, { kind: 'office', unitCode: null, name: 'bench' }, {}, now));
}

function requests(): Array<{ method: string; path: string; headers: Record<string, string> }> {
  // many clients (X-Forwarded-For), so the per-client limit is not what is measured
  return Array.from({ length: 5000 }, (_, i) => ({
    method: 'GET',
    path: `/api/v1/exemptions?q=${encodeURIComponent(QUERIES[i % QUERIES.length])}&pageSize=20`,
    headers: { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
  }));
}

/** Full speed over 20 connections, or a steady rate spread over 10 connections (no bursts). */
async function load(url: string, seconds: number, rate?: number) {
  const reqs = requests();
  let i = 0;
  return autocannon({
    url,
    connections: rate ? 10 : 20,
    duration: seconds,
    ...(rate ? { connectionRate: rate / 10 } : {}),
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const r = reqs[i++ % reqs.length];
          return { ...req, method: r.method, path: r.path, headers: r.headers };
        },
      },
    ],
  });
}

/**
 * Public search over a 20,000-entry published list through the running server (rate
 * limiter, validation, database, JSON), at full speed and at a steady 200 requests/s
 * (the target: p99 < 20 ms on MariaDB), beside a bare Koa handler answering a page of
 * the same size, in the same run.
 */
export async function benchExemptions(dbUrl = process.env.BENCH_DATABASE_URL || `sqlite:${os.tmpdir()}/nocert-bench-exm-${process.pid}.sqlite`, seconds = 8, entries = 20_000): Promise<ExemptionBenchResult[]> {
  const config = loadConfig({ DATABASE_URL: dbUrl, LOG_LEVEL: 'silent', TRUST_PROXY: '1' }, { allowSandboxOnMysql: true });
  const sys = await startSystem({ config, log: silentLogger, port: 0, workers: false });
  await seed(sys.dataSource, entries, new Date());
  const sample = await fetch(`${sys.url}/api/v1/exemptions?q=${encodeURIComponent('证明')}&pageSize=20`, { headers: { 'x-forwarded-for': '10.255.0.1' } });
  if (sample.status !== 200) throw new Error(`search answered ${sample.status}`);
  const page = await sample.text();

  const bare = new Koa();
  bare.use((ctx) => {
    ctx.type = 'application/json';
    ctx.body = page;
  });
  const bareServer = http.createServer(bare.callback());
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;

  try {
    const baseFull = await load(bareUrl, seconds);
    const full = await load(sys.url, seconds);
    const baseSteady = await load(bareUrl, seconds, 200);
    const steady = await load(sys.url, seconds, 200);
    const db = dbUrl.startsWith('mysql') ? 'MariaDB/MySQL' : 'SQLite';
    return [
      {
        name: `public list search, ${entries} entries, max throughput (${db})`,
        value: full.requests.average,
        unit: 'req/s',
        baseline: baseFull.requests.average,
        ratio: full.requests.average / baseFull.requests.average,
        opsPerSec: full.requests.average,
        p50Ms: full.latency.p50,
        p99Ms: full.latency.p99,
        baselineOpsPerSec: baseFull.requests.average,
        baselineP50Ms: baseFull.latency.p50,
        baselineP99Ms: baseFull.latency.p99,
        extra: { non2xx: full.non2xx, errors: full.errors, connections: 20 },
      },
      {
        name: `public list search, ${entries} entries, at 200 req/s (${db})`,
        value: steady.latency.p99,
        unit: 'ms p99',
        baseline: baseSteady.latency.p99,
        ratio: steady.latency.p99 / Math.max(baseSteady.latency.p99, 1),
        target: 'p99 < 20 ms at 200 req/s on MariaDB',
        opsPerSec: steady.requests.average,
        p50Ms: steady.latency.p50,
        p99Ms: steady.latency.p99,
        baselineOpsPerSec: baseSteady.requests.average,
        baselineP50Ms: baseSteady.latency.p50,
        baselineP99Ms: baseSteady.latency.p99,
        extra: { non2xx: steady.non2xx, errors: steady.errors },
      },
    ];
  } finally {
    await sys.close();
    await new Promise((r) => bareServer.close(r));
  }
}

if (require.main === module) {
  benchExemptions(process.argv[2], Number(process.argv[3] ?? 8)).then(
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
