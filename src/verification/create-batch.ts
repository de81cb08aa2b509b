/**
 * Group commit of request creation (issue 14). Requests opened through the API within the
 * same moment are written in one transaction: one counter step per day for all their
 * numbers, one multi-row INSERT per table, one commit (one log flush). Each caller's promise
 * settles only once its batch has committed, so an answer of 201 always names a request
 * that is durable, exactly as when each request had a transaction of its own.
 *
 * Why: the day's number is gap-free, so its counter row stays locked from the increment to
 * the commit and creations are numbered one at a time; with one transaction per request the
 * commit's log flush bounds creations per second. A batch takes the lock once for all.
 */
import { DataSource } from 'typeorm';
import { GroupCommitOptions, GroupCommitter } from '../db/group-commit';
import { inTransactionRetrying } from '../db/tx';
import { CreatedRequest, RequestPlan, writeRequests } from './create';

export class CreationBatcher {
  private readonly committer: GroupCommitter<RequestPlan, CreatedRequest>;

  /**
   * One batch in flight per instance (batches of several instances queue on the counter
   * row anyway); requests arriving meanwhile form the next batch. No added wait: a request
   * alone goes at the next turn of the event loop.
   */
  constructor(
    private readonly ds: DataSource,
    opts: GroupCommitOptions = {},
  ) {
    this.committer = new GroupCommitter((plans) => this.write(plans), { maxDelayMs: 0, maxBatch: 100, maxInFlight: 1, ...opts });
  }

  /** Resolves with the created request once its batch has committed. */
  submit(plan: RequestPlan): Promise<CreatedRequest> {
    return this.committer.submit(plan);
  }

  /** Batches and requests written (tests, metrics). */
  get stats(): Readonly<{ batches: number; items: number; failedBatches: number }> {
    return this.committer.stats;
  }

  idle(): Promise<void> {
    return this.committer.idle();
  }

  /**
   * One transaction for the batch (run again whole after a deadlock). If it fails for
   * another reason, each request is written alone, so one request's failure is its own
   * and the others still succeed.
   */
  private async write(plans: RequestPlan[]): Promise<Array<CreatedRequest | Error>> {
    const alone = (p: RequestPlan) => inTransactionRetrying(this.ds, async (m) => (await writeRequests(m, [p]))[0]);
    if (plans.length === 1) return [await alone(plans[0])];
    try {
      return await inTransactionRetrying(this.ds, (m) => writeRequests(m, plans));
    } catch {
      const out: Array<CreatedRequest | Error> = [];
      for (const p of plans) out.push(await alone(p).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
      return out;
    }
  }
}
