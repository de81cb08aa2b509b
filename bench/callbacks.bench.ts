import http from 'http';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { execFile, spawn } from 'child_process';
import readline from 'readline';
import { promisify } from 'util';
import { AddressInfo } from 'net';
import Koa from 'koa';
import { BenchResult } from './types';

const execFileAsync = promisify(execFile);

type LoadResult = { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };

/** Runs the load generator in its own process (bench/loadgen.ts) so it does not steal the server's CPU. */
async function load(url: string, requests: Array<{ method: string; path: string; body: string; headers: Record<string, string> }>, seconds: number): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `nocert-load-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(requests));
  try {
    const { stdout } = await execFileAsync(process.execPath, [path.join(__dirname, 'loadgen.js'), url, file, String(seconds), '50'], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as LoadResult;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Encrypted callbacks posted to the running server on loopback (verify, decrypt, dedupe,
 * persist, answer), beside a bare Koa handler answering 200 in the same run.
 */
export async function benchCallbacks(dbUrl: string, seconds = 8): Promise<BenchResult[]> {
  const bare = new Koa();
  bare.use((ctx) => {
    ctx.status = 200;
    ctx.body = '';
  });
  const bareServer = http.createServer(bare.callback());
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;

  // The server runs in its own process: its RSS is the server's alone.
  const file = path.join(os.tmpdir(), `nocert-cb-bodies-${process.pid}.json`);
  const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'callback-server.js'), dbUrl, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const nextLine = () => new Promise<any>((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
  const { url } = await nextLine();
  const bodies = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file, { force: true });
  const rssOf = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  const base = await load(bareUrl, bodies, seconds);
  const rssBefore = rssOf();
  let rss = rssBefore;
  const sampler = setInterval(() => (rss = Math.max(rss, rssOf())), 100);
  const t0 = Date.now();
  const res = await load(url, bodies, seconds);
  clearInterval(sampler);
  // The backlog answered but not yet processed drains after the load (bounded concurrency).
  child.stdin!.write('drain\n');
  const { stored } = await nextLine();
  const processedPerSec = stored / ((Date.now() - t0) / 1000);
  child.stdin!.write('close\n');
  await new Promise((r) => child.once('exit', r));
  await new Promise((r) => bareServer.close(r));
  return [
    {
      name: 'callbacks/s (encrypted, persisted)',
      value: res.requests.average,
      unit: 'req/s',
      baseline: base.requests.average,
      ratio: res.requests.average / base.requests.average,
      target: '>= 3000/s, p99 < 50 ms',
      pass: res.requests.average >= 3000 && res.latency.p99 < 50,
      extra: { processedPerSec: Math.round(processedPerSec), p50ms: res.latency.p50, p99ms: res.latency.p99, baselineP99ms: base.latency.p99, non2xx: res.non2xx, errors: res.errors, rssMB: Math.round(rss / 2 ** 20), rssBeforeMB: Math.round(rssBefore / 2 ** 20) },
    },
    {
      name: 'server RSS under the callback load (server process alone, peak)',
      value: Math.round(rss / 2 ** 20),
      unit: 'MB',
      baseline: Math.round(rssBefore / 2 ** 20),
      ratio: rss / rssBefore,
      target: '< 150 MB',
      pass: rss / 2 ** 20 < 150,
    },
  ];
}
