/**
 * The callback spool: where a callback that passed its signature check is kept when the
 * database cannot take it. WeCom's newer page (WECOM.md section 1, DOC 90930) retries only
 * connection failures and time-outs, so a 5xx is no way to ask for a resend: a callback
 * is kept before it is answered, here if not in the inbox.
 *
 * One append-only file per instance under `dir` (`<instance>.spool`), one JSON line per
 * callback, fsync'd before the answer. The files of this instance together never exceed
 * `maxBytes`: past that, append() throws and the callback is answered 5xx. drain() moves
 * the active file aside (`<instance>.<n>.replay`) and feeds every line to the inbox; the
 * inbox's dedupe key makes a line replayed twice (a crash mid-replay) harmless, so a file
 * is deleted only once all its lines are in. A torn last line (a crash mid-write, never
 * answered) is skipped. Files of an instance that is gone (its owner file names a dead
 * process on this host) are adopted and replayed too.
 */
import { isConnectionError } from '../db/errors';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { OpenedCallback } from './callback';
import type { Logger } from '../logger';

export class SpoolFullError extends Error {
  constructor(readonly reason: string) {
    super(`callback spool cannot take more: ${reason}`);
  }
}

/** Where replayed callbacks go: the inbox, and what to do with a newly stored row. */
export interface SpoolSink {
  accept(cb: OpenedCallback): Promise<{ id: number; duplicate: boolean }>;
  accepted?(id: number, cb: OpenedCallback): void;
  /** Resolves when the database answers: a line refused while it does is set aside, not retried forever. */
  probe?(): Promise<void>;
}

export interface CallbackSpoolOptions {
  dir: string;
  instanceId: string;
  maxBytes: number;
  sink: SpoolSink;
  log: Logger;
}

interface Line {
  dedupeKey: string;
  kind: string;
  fields: OpenedCallback['fields'];
  at: string;
}

const safeName = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'instance';

export class CallbackSpool {
  private readonly dir: string;
  private readonly name: string;
  private readonly active: string;
  private bytes = 0;
  private handle: fs.promises.FileHandle | null = null;
  /** Appends and the move of the active file happen one at a time. */
  private lock: Promise<unknown> = Promise.resolve();
  private draining: Promise<boolean> | null = null;
  private seq = 0;
  private ready: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: CallbackSpoolOptions) {
    this.dir = path.resolve(opts.dir);
    this.name = safeName(opts.instanceId);
    this.active = path.join(this.dir, `${this.name}.spool`);
  }

  /** Bytes kept and not yet replayed (this instance's files and adopted ones). */
  get pendingBytes(): number {
    return this.bytes;
  }

  hasPending(): boolean {
    return this.bytes > 0;
  }

  /** Creates the directory, claims it for this process and counts what an earlier run left. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await fs.promises.mkdir(this.dir, { recursive: true });
      await fs.promises.writeFile(path.join(this.dir, `${this.name}.owner`), `${os.hostname()} ${process.pid}\n`);
      // A file left by an earlier run is replayed, never appended to (its last line may be torn).
      if (await exists(this.active)) await fs.promises.rename(this.active, this.replayName());
      await this.adoptOrphans();
      for (const f of await this.ownFiles()) this.bytes += (await fs.promises.stat(f)).size;
    })().catch((e) => {
      this.ready = null;
      throw e;
    });
    return this.ready;
  }

  private replayName(tag = ''): string {
    return path.join(this.dir, `${this.name}.${Date.now()}-${process.pid}-${++this.seq}${tag}.replay`);
  }

  private async ownFiles(): Promise<string[]> {
    const names = await fs.promises.readdir(this.dir);
    return names
      .filter((n) => n.startsWith(`${this.name}.`) && n.endsWith('.replay'))
      .sort()
      .map((n) => path.join(this.dir, n));
  }

  /** Files of an instance whose process is gone from this host become ours to replay. */
  private async adoptOrphans(): Promise<void> {
    const names = await fs.promises.readdir(this.dir);
    const owners = new Set(names.filter((n) => n.endsWith('.spool') || n.endsWith('.replay')).map((n) => n.split('.')[0]));
    owners.delete(this.name);
    for (const other of owners) {
      const ownerFile = path.join(this.dir, `${other}.owner`);
      const owner = await fs.promises.readFile(ownerFile, 'utf8').catch(() => '');
      const [host, pid] = owner.trim().split(' ');
      if (owner && (host !== os.hostname() || alive(Number(pid)))) continue;
      for (const n of names.filter((x) => x.startsWith(`${other}.`) && (x.endsWith('.spool') || x.endsWith('.replay')))) {
        await fs.promises.rename(path.join(this.dir, n), this.replayName(`-${safeName(other)}`)).catch(() => undefined);
      }
      await fs.promises.rm(ownerFile, { force: true });
      this.opts.log.warn({ from: other }, 'callback spool of a stopped instance adopted for replay');
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Keeps one callback: resolves once the line is on disk (fsync'd). SpoolFullError past maxBytes. */
  append(cb: OpenedCallback, now: Date): Promise<void> {
    return this.serial(async () => {
      await this.init();
      const line: Line = { dedupeKey: cb.dedupeKey, kind: cb.kind, fields: cb.fields, at: now.toISOString() };
      const buf = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
      if (this.bytes + buf.length > this.opts.maxBytes) throw new SpoolFullError(`${this.bytes} of ${this.opts.maxBytes} bytes used`);
      if (!this.handle) {
        const created = !(await exists(this.active));
        this.handle = await fs.promises.open(this.active, 'a');
        if (created) await syncDir(this.dir);
      }
      await this.handle.write(buf);
      await this.handle.sync();
      this.bytes += buf.length;
    });
  }

  /** Moves the active file aside for replay (closing it first, so no append lands in the moved file). */
  private rotate(): Promise<void> {
    return this.serial(async () => {
      await this.init();
      if (this.handle) {
        await this.handle.close();
        this.handle = null;
      }
      if (await exists(this.active)) {
        await fs.promises.rename(this.active, this.replayName());
        await syncDir(this.dir);
      }
    });
  }

  /**
   * Replays everything kept into the inbox, oldest first. Resolves true when the spool is
   * empty, false when the database refused (what is left waits for the next drain) or
   * budgetMs passed first (the drain goes on in the background).
   */
  async drain(budgetMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (!this.draining) this.draining = this.replayAll().finally(() => (this.draining = null));
    const run = this.draining;
    if (!Number.isFinite(budgetMs)) return run;
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => (t = setTimeout(() => r(false), budgetMs)));
    try {
      return await Promise.race([run, late]);
    } finally {
      clearTimeout(t);
    }
  }

  private async replayAll(): Promise<boolean> {
    await this.init();
    for (let round = 0; round < 100; round++) {
      await this.rotate();
      await this.adoptOrphans();
      const files = await this.ownFiles();
      if (!files.length) return this.bytes === 0 || this.resetCount();
      for (const f of files) if (!(await this.replayFile(f))) return false;
    }
    return false;
  }

  /** Nothing left on disk: the byte count follows (a file removed by hand). */
  private resetCount(): boolean {
    this.bytes = 0;
    return true;
  }

  private async replayFile(file: string): Promise<boolean> {
    const size = (await fs.promises.stat(file)).size;
    const text = await fs.promises.readFile(file, 'utf8');
    let replayed = 0;
    let torn = 0;
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
        if (typeof line.dedupeKey !== 'string' || typeof line.kind !== 'string' || typeof line.fields !== 'object' || line.fields === null) throw new Error('not a spooled callback');
      } catch {
        torn++;
        continue;
      }
      const cb: OpenedCallback = { dedupeKey: line.dedupeKey, kind: line.kind, fields: line.fields };
      try {
        const { id, duplicate } = await this.opts.sink.accept(cb);
        if (!duplicate) this.opts.sink.accepted?.(id, cb);
        replayed++;
      } catch (e) {
        // A lost connection is an outage, never the line's fault: right after the database
        // comes back the pool can still hand out a connection that died with the old server,
        // while the probe (on a fresh one) succeeds. Such a line waits for the next drain.
        const healthy = !isConnectionError(e) && (this.opts.sink.probe ? await this.opts.sink.probe().then(() => true, () => false) : false);
        if (!healthy) {
          this.opts.log.warn({ err: (e as Error).message, file: path.basename(file), replayed }, 'callback spool replay stopped; the database refused');
          return false;
        }
        // The database works but refuses this one line: kept aside for an operator, never lost.
        await fs.promises.appendFile(path.join(this.dir, `${this.name}.rejected`), `${raw}\n`);
        this.opts.log.error({ err: (e as Error).message, kind: line.kind }, 'callback spool: a line the inbox refuses was set aside in the .rejected file');
      }
    }
    await fs.promises.rm(file, { force: true });
    this.bytes = Math.max(0, this.bytes - size);
    if (torn) this.opts.log.warn({ file: path.basename(file), torn }, 'callback spool: unreadable lines skipped (a write cut short, never answered)');
    this.opts.log.info({ file: path.basename(file), replayed }, 'callback spool replayed into the inbox');
    return true;
  }

  /** Drains every intervalMs while something is kept (a callback arriving drains sooner). */
  start(intervalMs = 5_000): void {
    const tick = async () => {
      try {
        await this.init();
        if (this.hasPending()) await this.drain();
      } catch (e) {
        this.opts.log.warn({ err: (e as Error).message }, 'callback spool drain failed');
      }
      if (this.timer) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = null;
    if (t) clearTimeout(t);
    await this.draining?.catch(() => undefined);
    await this.serial(async () => {
      if (this.handle) {
        await this.handle.close();
        this.handle = null;
      }
    });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.stat(p);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A new or renamed file survives a power cut only once its directory entry is synced. */
async function syncDir(dir: string): Promise<void> {
  const h = await fs.promises.open(dir, 'r').catch(() => null);
  if (!h) return;
  try {
    await h.sync().catch(() => undefined);
  } finally {
    await h.close();
  }
}
