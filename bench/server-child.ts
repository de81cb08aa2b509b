/**
 * The server of the callbacks and complaints benches, in a process of its own so its CPU
 * and RSS are the server's alone: `node server-child.js DB_URL` with the WECOM_* settings in
 * its environment (live mode: the WeCom emulator and the load live in the bench's process)
 * starts the system with its workers off, clears the inbox, prints {url} and waits for
 * commands, one per line on stdin, each answered with one JSON line:
 * - "mem": {memory, cpu, batches, items, statements}
 * - "profile-start", "profile-stop FILE": a CPU profile of what ran in between
 * - "drain": processes the answered backlog: {stored, processedMs}
 * - "units JSON": saves the units given ([{code, name}])
 * - "kf-alone N": a kf worker of its own runs passes until N items are handled, then the
 *   outbox sends what they queued: {handled, seconds}
 * - "start-workers": the workers start as in production (`npm start`)
 * - "shapes": with BENCH_STATEMENTS=1, the statements run since the last "shapes", by shape
 * - "close" (or end of stdin) stops it.
 */
import 'reflect-metadata';
import readline from 'readline';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { InboxEvent, Unit } from '../entities';
import { createKfWorker } from '../src/complaints';
import { startProfile, statementShape } from './profile';

async function main() {
  const [dbUrl] = process.argv.slice(2);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('WECOM_'))) as Record<string, string>;
  const config = loadConfig({ ...env, DATABASE_URL: dbUrl, LOG_LEVEL: 'silent', INSTANCE_ID: `bench-${process.pid}` });
  const sys = await startSystem({ config, log: silentLogger, port: 0, workers: false });
  await sys.dataSource.getRepository(InboxEvent).clear();
  // SQL statements run, for statements per operation.
  // BENCH_STATEMENTS=1 also counts them by shape ("shapes" prints them, the most frequent first).
  let statements = 0;
  const shapes = new Map<string, number>();
  const byShape = !!process.env.BENCH_STATEMENTS;
  sys.dataSource.subscribers.push({
    beforeQuery: (e: { query: string }) => {
      statements++;
      if (!byShape) return;
      const k = statementShape(e.query);
      shapes.set(k, (shapes.get(k) ?? 0) + 1);
    },
  } as never);
  process.stdout.write(JSON.stringify({ url: sys.url }) + '\n');
  const answer = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  const close = async () => {
    await sys.close();
    process.exit(0);
  };
  let stopProfile: ((file: string) => Promise<void>) | null = null;
  const commands: Record<string, (arg: string) => Promise<void> | void> = {
    mem: () => {
      const { batches, items } = sys.inbox.writes.stats;
      const memory = process.memoryUsage();
      // With --expose-gc (BENCH_SERVER_NODE_ARGS): how much of the heap is live.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const live = gc ? process.memoryUsage().heapUsed : null;
      answer({ memory: { ...memory, liveHeap: live }, cpu: process.cpuUsage(), batches, items, statements });
    },
    // BENCH_PROFILE=dir: a CPU profile of the load phase alone (not start-up, not the drain).
    'profile-start': async () => {
      stopProfile = await startProfile();
      answer({});
    },
    'profile-stop': async (file) => {
      await stopProfile?.(file);
      stopProfile = null;
      answer({});
    },
    drain: async () => {
      const t0 = Date.now();
      const stored = await sys.dataSource.getRepository(InboxEvent).count();
      while ((await sys.dataSource.getRepository(InboxEvent).countBy({ status: 'received' })) > 0) {
        await sys.inbox.drain();
        await sys.inbox.recover(0, 500);
      }
      answer({ stored, processedMs: Date.now() - t0 });
    },
    units: async (json) => {
      const now = new Date();
      const units = JSON.parse(json) as Array<{ code: string; name: string }>;
      await sys.dataSource.getRepository(Unit).save(units.map((u) => ({ ...u, isOffice: false, createdAt: now, updatedAt: now })));
      answer({ units: units.length });
    },
    'kf-alone': async (n) => {
      const total = Number(n);
      await sys.inbox.drain();
      const worker = createKfWorker(sys.deps, sys.client, { instanceId: `bench-alone-${process.pid}` });
      const t0 = process.hrtime.bigint();
      let handled = 0;
      for (let guard = 0; handled < total && guard < 100_000; guard++) handled += (await worker.runOnce()).processed;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      await worker.stop();
      // Send what this phase queued before the next one starts its clock.
      for (let guard = 0; guard < 10_000; guard++) {
        const o = await sys.outbox.runOnce();
        if (!o.sent && !o.failed && !o.deferred) break;
      }
      answer({ handled, seconds });
    },
    'start-workers': () => {
      sys.startWorkers();
      answer({});
    },
    shapes: () => {
      answer(Object.fromEntries([...shapes].sort((a, b) => b[1] - a[1])));
      shapes.clear();
    },
    close,
  };
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    const space = line.indexOf(' ');
    const [name, arg] = space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space + 1)];
    const run = commands[name];
    if (!run) return answer({ error: `unknown command ${name}` });
    try {
      await run(arg);
    } catch (e) {
      answer({ error: (e as Error).message });
    }
  });
  rl.on('close', () => void close());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
