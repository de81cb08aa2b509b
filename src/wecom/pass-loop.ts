/**
 * A background worker's loop: passes run one at a time (concurrent runOnce() calls share
 * the pass in flight), again at once after a busy pass, else every intervalMs; stop() lets
 * the pass in flight finish. Used by the outbox dispatcher and the kf worker.
 */
export class PassLoop<R> {
  private running: Promise<R> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private halted = false;
  private nudged = false;

  constructor(
    private readonly pass: () => Promise<R>,
    private readonly busy: (r: R) => boolean,
    private readonly onError: (e: Error) => void,
  ) {}

  get stopping(): boolean {
    return this.halted;
  }

  runOnce(): Promise<R> {
    if (!this.running) this.running = this.pass().finally(() => (this.running = null));
    return this.running;
  }

  start(intervalMs: number): void {
    if (this.loop) return;
    this.halted = false;
    this.loop = (async () => {
      while (!this.halted) {
        let again = false;
        this.nudged = false;
        try {
          again = this.busy(await this.runOnce());
        } catch (e) {
          this.onError(e as Error);
        }
        if (this.halted) break;
        // A nudge during the pass: more work arrived, go again at once.
        if (this.nudged) again = true;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, again ? 0 : intervalMs);
        });
        this.timer = null;
        this.wake = null;
      }
    })();
  }

  /** New work arrived: run a pass now instead of at the next interval (no-op when stopped). */
  nudge(): void {
    if (!this.loop || this.halted) return;
    this.nudged = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running?.catch(() => undefined);
    await this.loop;
    this.loop = null;
  }
}
