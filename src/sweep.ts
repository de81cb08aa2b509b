import { Job } from './module';

/** Runs every job once at `now`, in order; each job's report lines go to `out`. */
export async function runSweep(jobs: Job[], now: Date, out: (line: Record<string, unknown>) => void): Promise<number> {
  let n = 0;
  for (const job of jobs) {
    const lines = await job.run(now);
    for (const l of lines) {
      out({ job: job.name, ...l });
      n++;
    }
  }
  return n;
}
