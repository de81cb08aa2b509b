import 'reflect-metadata';
import { BenchResult } from './types';
import { benchCallbacks } from './callbacks.bench';
import { benchCalendar } from './calendar.bench';
import { benchExemptions } from './exemptions.bench';
import { benchComplaints } from './complaints.bench';
import { benchScheduler } from './scheduler.bench';
import { benchVerification } from './verification.bench';

/**
 * `npm run bench`: every figure beside a baseline from the same run. BENCH_DATABASE_URL
 * picks the database (default: MariaDB on 127.0.0.1 when reachable is not assumed; SQLite).
 */
async function main() {
  const db = process.env.BENCH_DATABASE_URL || `sqlite:${require('os').tmpdir()}/nocert-bench-${process.pid}.sqlite`;
  const only = process.argv[2];
  const results: BenchResult[] = [];
  if (!only || only === 'calendar') {
    const c = await benchCalendar();
    results.push({ name: 'deadline computations/s', value: c.opsPerSec, unit: 'ops/s', baseline: c.baselineOpsPerSec, ratio: c.ratio, target: '>= 1,000,000/s' });
  }
  if (!only || only === 'callbacks') results.push(...(await benchCallbacks(db)));
  if (!only || only === 'complaints') results.push(...((await benchComplaints()) as unknown as BenchResult[]));
  if (!only || only === 'verification') results.push(...((await benchVerification()) as unknown as BenchResult[]));
  if (!only || only === 'scheduler') results.push(...((await benchScheduler(db)) as unknown as BenchResult[]));
  if (!only || only === 'exemptions') results.push(...((await benchExemptions(db)) as unknown as BenchResult[]));
  for (const r of results) console.log(JSON.stringify(r));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
