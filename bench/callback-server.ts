/**
 * The server of the callbacks bench, in a process of its own so its RSS is the server's
 * alone: `node callback-server.js DB_URL` with the WECOM_* settings in its environment
 * (live mode: the WeCom emulator and the prepared callbacks live in the bench's process)
 * starts the system with its workers off, clears the inbox, prints {url} and waits.
 * Lines on stdin: "mem" prints {memory, cpu, batches, items}; "profile-start" and
 * "profile-stop FILE" write a CPU profile of what ran in between; "drain" processes the answered
 * backlog and prints {stored, processedMs}; "close" (or end of stdin) stops it.
 */
import 'reflect-metadata';
import fs from 'fs';
import inspector from 'inspector';
import readline from 'readline';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { InboxEvent } from '../entities';

async function main() {
  const [dbUrl] = process.argv.slice(2);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('WECOM_'))) as Record<string, string>;
  const config = loadConfig({ ...env, DATABASE_URL: dbUrl, LOG_LEVEL: 'silent' });
  const sys = await startSystem({ config, log: silentLogger, port: 0, workers: false });
  await sys.dataSource.getRepository(InboxEvent).clear();
  process.stdout.write(JSON.stringify({ url: sys.url }) + '\n');
  const close = async () => {
    await sys.close();
    process.exit(0);
  };
  let profiler: inspector.Session | null = null;
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    if (line === 'mem') {
      const { batches, items } = sys.inbox.writes.stats;
      const memory = process.memoryUsage();
      // With --expose-gc (BENCH_SERVER_NODE_ARGS): how much of the heap is live.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const live = gc ? process.memoryUsage().heapUsed : null;
      process.stdout.write(JSON.stringify({ memory: { ...memory, liveHeap: live }, cpu: process.cpuUsage(), batches, items }) + '\n');
    } else if (line === 'profile-start') {
      // BENCH_PROFILE=dir: a CPU profile of the load phase alone (not start-up, not the drain).
      profiler = new inspector.Session();
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler!.post('Profiler.start', () => process.stdout.write('{}\n')));
    } else if (line.startsWith('profile-stop ')) {
      profiler!.post('Profiler.stop', (err, { profile }) => {
        fs.writeFileSync(line.slice('profile-stop '.length), JSON.stringify(profile));
        process.stdout.write('{}\n');
      });
    } else if (line === 'drain') {
      const t0 = Date.now();
      const stored = await sys.dataSource.getRepository(InboxEvent).count();
      while ((await sys.dataSource.getRepository(InboxEvent).countBy({ status: 'received' })) > 0) {
        await sys.inbox.drain();
        await sys.inbox.recover(0, 500);
      }
      process.stdout.write(JSON.stringify({ stored, processedMs: Date.now() - t0 }) + '\n');
    } else if (line === 'close') await close();
  });
  rl.on('close', () => void close());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
