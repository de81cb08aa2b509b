import { buildCalendar, computeDeadline, DEADLINE_CATEGORIES, DeadlineCategory } from '../src/calendar';

export interface CalendarBenchResult {
  name: string;
  opsPerSec: number;
  baselineOpsPerSec: number;
  ratio: number;
}

const STARTS = 4096;
const BATCH = 50_000;
const ROUND_MS = 400;
const ROUNDS = 3;

/** Runs `batch` in BATCH-sized chunks for about ROUND_MS and returns operations per second. */
function measure(batch: (offset: number) => number): { opsPerSec: number; sink: number } {
  let ops = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(ROUND_MS) * 1_000_000n) {
    sink += batch(ops);
    ops += BATCH;
    elapsedNs = process.hrtime.bigint() - t0;
  }
  return { opsPerSec: Math.round((ops * 1e9) / Number(elapsedNs)), sink };
}

/**
 * computeDeadline per second over varied starts (2025-01..2026-11, every minute of the day,
 * the three SPEC 1 Art. 7 categories), against a trivial `new Date(t + 30 min)` loop measured
 * in the same run; ratio = calendar / baseline. Best of ROUNDS rounds each.
 */
export async function benchCalendar(): Promise<CalendarBenchResult> {
  const cal = buildCalendar({ tz: 'Asia/Shanghai' });
  const from = Date.parse('2025-01-01T00:00:00+08:00');
  const span = Date.parse('2026-11-30T00:00:00+08:00') - from;
  const starts = new Array<Date>(STARTS);
  const cats = new Array<DeadlineCategory>(STARTS);
  let seed = 12345;
  for (let i = 0; i < STARTS; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    starts[i] = new Date(from + Math.floor((seed / 4294967296) * span));
    cats[i] = DEADLINE_CATEGORIES[i % DEADLINE_CATEGORIES.length];
  }
  const mask = STARTS - 1;

  const calendarBatch = (offset: number) => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) {
      const k = (offset + i) & mask;
      acc += computeDeadline(cal, cats[k], starts[k]).dueAt.getTime() & 1;
    }
    return acc;
  };
  const baselineBatch = (offset: number) => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) {
      const k = (offset + i) & mask;
      acc += new Date(starts[k].getTime() + 1_800_000).getTime() & 1;
    }
    return acc;
  };

  // Warm up: fills the per-day caches and lets the JIT settle.
  calendarBatch(0);
  baselineBatch(0);

  let best = 0;
  let bestBaseline = 0;
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const b = measure(baselineBatch);
    const c = measure(calendarBatch);
    sink += b.sink + c.sink;
    bestBaseline = Math.max(bestBaseline, b.opsPerSec);
    best = Math.max(best, c.opsPerSec);
  }
  if (sink < 0) throw new Error('unreachable: keeps the loops from being optimised away');
  return {
    name: 'calendar.computeDeadline',
    opsPerSec: best,
    baselineOpsPerSec: bestBaseline,
    ratio: Math.round((best / bestBaseline) * 1000) / 1000,
  };
}

if (require.main === module) {
  benchCalendar().then((r) => console.log(JSON.stringify(r)));
}
