import 'reflect-metadata';
import os from 'os';
import { benchCallbacks } from './callbacks.bench';
import { benchCalendar } from './calendar.bench';
import { benchComplaints } from './complaints.bench';
import { benchScheduler } from './scheduler.bench';
import { benchVerification } from './verification.bench';
import { benchExemptions } from './exemptions.bench';

/**
 * `npm run bench [name]`: every figure is printed as one JSON line beside a baseline
 * measured in the same run (the ratio is the figure to compare across machines).
 * BENCH_DATABASE_URL picks the database (default: a temporary SQLite file); use MariaDB for
 * the issue targets, e.g. BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/nocert_bench.
 * The benches clear the tables of the database they are given.
 */
const BENCHES: Record<string, (db: string) => Promise<unknown>> = {
  calendar: () => benchCalendar(),
  callbacks: (db) => benchCallbacks(db),
  verification: () => benchVerification(),
  exemptions: (db) => benchExemptions(db),
  complaints: () => benchComplaints(),
  scheduler: (db) => benchScheduler(db),
};

async function main() {
  const db = process.env.BENCH_DATABASE_URL || `sqlite:${os.tmpdir()}/nocert-bench-${process.pid}.sqlite`;
  const only = process.argv[2];
  if (only && !BENCHES[only]) throw new Error(`unknown bench ${only}; one of ${Object.keys(BENCHES).join(', ')}`);
  for (const [name, run] of Object.entries(BENCHES)) {
    if (only && only !== name) continue;
    const out = await run(db);
    for (const r of Array.isArray(out) ? out : [out]) console.log(JSON.stringify({ bench: name, ...(r as object) }));
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
