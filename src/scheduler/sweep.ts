import { Logger } from '../logger';
import { isAppError } from '../errors';

/** One report line of a job (what it did, to whom); printed by `npx nocert scheduler run`. */
export type Line = Record<string, unknown>;

/** A scheduler job: a plain function of `now`, declared by its module (Module.jobs). */
export interface Job {
  name: string;
  run: (now: Date) => Promise<Line[]>;
}

/** Runs every job once at `now`, in order; each job's report lines go to `out`. */
export async function runSweep(jobs: Job[], now: Date, out: (line: Line) => void): Promise<number> {
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

/**
 * A job's domain failure (e.g. the calendar has no data for this year yet) becomes a report
 * line instead of ending the sweep: the other jobs still run. Anything else is rethrown.
 */
export async function reportDomainErrors(log: Logger, job: string, fn: () => Promise<Line[]>): Promise<Line[]> {
  try {
    return await fn();
  } catch (e) {
    if (!isAppError(e)) throw e;
    log.error({ job, code: e.code, err: e.message }, 'scheduler job failed');
    return [{ result: 'error', code: e.code, error: e.message }];
  }
}

/** A job whose domain failures become report lines (see reportDomainErrors). */
export function guardedJob(log: Logger, name: string, run: (now: Date) => Promise<Line[]>): Job {
  return { name, run: (now) => reportDomainErrors(log, name, () => run(now)) };
}
