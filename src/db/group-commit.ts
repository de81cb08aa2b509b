/**
 * Group commit: writes that arrive within a short window share one statement and one
 * commit. Each caller's promise settles only when its batch has committed (or failed), so a
 * caller that answers after `submit()` resolves never acknowledges anything not yet durable.
 *
 * A batch is flushed when `maxBatch` items wait, or `maxDelayMs` after its first item, or
 * at once when a flush slot frees up while items wait (they have waited long enough): at
 * most `maxInFlight` batches run at a time, so under load batches grow instead of the
 * database connections filling up with one-row commits.
 */
export interface GroupCommitOptions {
  /** How long the first item of a batch waits for company (default 1 ms; 0 = the next turn of the event loop). */
  maxDelayMs?: number;
  /** Items per batch at most (default 200). */
  maxBatch?: number;
  /** Batches being written at once at most (default 2). */
  maxInFlight?: number;
  /** Called after each batch has settled (its callers told), e.g. to start work that waited for the writes. */
  afterBatch?: () => void;
}

/**
 * Writes one batch. Returns one outcome per item, in order: a value, or an Error for an item
 * that failed alone (the others still succeed). Throwing fails the whole batch.
 */
export type BatchWriter<I, O> = (items: I[]) => Promise<Array<O | Error>>;

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();
  private readonly maxDelayMs: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly afterBatch: (() => void) | undefined;
  /** Batches written and items in them (metrics, the bench). */
  readonly stats = { batches: 0, items: 0, failedBatches: 0 };

  constructor(
    private readonly write: BatchWriter<I, O>,
    opts: GroupCommitOptions = {},
  ) {
    this.maxDelayMs = Math.max(0, opts.maxDelayMs ?? 1);
    this.maxBatch = Math.max(1, opts.maxBatch ?? 200);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    this.afterBatch = opts.afterBatch;
  }

  /** Resolves with the item's outcome once its batch has committed; rejects when it did not. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight >= this.maxInFlight) return; // flushed when a slot frees up
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = this.maxDelayMs === 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  /** Items are queued or a batch is being written. */
  get busy(): boolean {
    return this.queue.length > 0 || this.inFlight > 0;
  }

  /** Resolves when nothing is queued or being written (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.queue.length || this.running.size) {
      if (this.queue.length && !this.running.size) this.flush();
      await Promise.allSettled([...this.running]);
    }
  }

  private clearTimer(): void {
    if (!this.timer) return;
    if (this.maxDelayMs === 0) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = null;
  }

  private flush(): void {
    this.clearTimer();
    if (!this.queue.length || this.inFlight >= this.maxInFlight) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    const run = this.runBatch(batch).finally(() => {
      this.inFlight--;
      this.running.delete(run);
      // Items that queued while every slot was busy have waited a batch already: go now.
      if (this.queue.length) this.flush();
      this.afterBatch?.();
    });
    this.running.add(run);
  }

  private async runBatch(batch: Array<Pending<I, O>>): Promise<void> {
    let out: Array<O | Error>;
    try {
      out = await this.write(batch.map((p) => p.item));
      if (out.length !== batch.length) throw new Error(`batch writer returned ${out.length} outcomes for ${batch.length} items`);
    } catch (e) {
      this.stats.failedBatches++;
      for (const p of batch) p.reject(e);
      return;
    }
    this.stats.batches++;
    this.stats.items += batch.length;
    batch.forEach((p, i) => {
      const o = out[i];
      if (o instanceof Error) p.reject(o);
      else p.resolve(o);
    });
  }
}
