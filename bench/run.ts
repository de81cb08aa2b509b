import 'reflect-metadata';
import os from 'os';
import { benchCallbacks } from './callbacks.bench';
import { benchCalendar } from './calendar.bench';
import { benchComplaints } from './complaints.bench';
import { benchScheduler } from './scheduler.bench';
import { benchVerification } from './verification.bench';
import { benchExemptions } from './exemptions.bench';
import { benchCardLatency } from './card-latency.bench';
import { benchDataServices } from './data-services.bench';
import { waitForQuiet } from './quiet';

/**
 * `npm run bench [name]`: every figure is printed as one JSON line beside a baseline
 * measured in the same run (the ratio is the figure to compare across machines).
 * BENCH_DATABASE_URL picks the database (default: a temporary SQLite file); use MariaDB for
 * the issue targets, e.g. BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/nocert_bench.
 * The benches clear the tables of the database they are given.
 */
const BENCHES: Record<string, (db: string) => Promise<unknown>> = {
  cards: (db) => benchCardLatency(db),
  calendar: () => benchCalendar(),
  callbacks: (db) => benchCallbacks(db),
  verification: () => benchVerification(),
  exemptions: (db) => benchExemptions(db),
  complaints: () => benchComplaints(),
  scheduler: (db) => benchScheduler(db),
  'data-services': (db) => benchDataServices(db),
};

async function main() {
  const db = process.env.BENCH_DATABASE_URL || `sqlite:${os.tmpdir()}/nocert-bench-${process.pid}.sqlite`;
  const only = process.argv[2];
  if (only && !BENCHES[only]) throw new Error(`unknown bench ${only}; one of ${Object.keys(BENCHES).join(', ')}`);
  for (const [name, run] of Object.entries(BENCHES)) {
    if (only && only !== name) continue;
    const waited = await waitForQuiet(db);
    if (waited > 1000) console.error(`bench: waited ${(waited / 1000).toFixed(1)} s for a quiet machine before ${name}`);
    const out = await run(db);
    for (const r of Array.isArray(out) ? out : [out]) {
      console.log(JSON.stringify({ bench: name, ...(r as object) }));
      table.push(row(r as Record<string, any>));
    }
  }
  console.log(`\nmachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; database: ${db.split(':')[0]}`);
  console.table(table);
}

/** One table row per figure: the figure, the baseline measured in the same run, the target and whether it is met. */
const table: Array<Record<string, string>> = [];
function row(r: Record<string, any>): Record<string, string> {
  const value = r.value ?? r.opsPerSec;
  const baseline = r.baseline ?? r.baselineOpsPerSec;
  const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(1)) : String(v ?? ''));
  const target = r.target ?? r.extra?.target ?? '';
  return { figure: r.name, value: `${fmt(value)} ${r.unit ?? ''}`.trim(), baseline: fmt(baseline), target, result: r.pass === undefined ? (target ? 'see value' : '') : r.pass ? 'pass' : 'FAIL' };
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
