import http from 'http';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { AddressInfo } from 'net';
import Koa from 'koa';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { WeComEmulator } from '../src/sandbox';
import { BenchResult } from './types';
import { InboxEvent } from '../entities';

const execFileAsync = promisify(execFile);

type LoadResult = { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };

/** Runs the load generator in its own process (bench/loadgen.ts) so it does not steal the server's CPU. */
async function load(url: string, requests: Array<{ method: string; path: string; body: string; headers: Record<string, string> }>, seconds: number): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `nocert-load-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(requests));
  try {
    const { stdout } = await execFileAsync(process.execPath, [path.join(__dirname, 'loadgen.js'), url, file, String(seconds), '20'], { maxBuffer: 64 * 1024 * 1024 });
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

  const config = loadConfig({ DATABASE_URL: dbUrl, LOG_LEVEL: 'silent' }, { allowSandboxOnMysql: true });
  const sys = await startSystem({ config, log: silentLogger, port: 0, workers: false });
  const emu = sys.emulator as WeComEmulator;
  const corp = sys.config.wecom!;
  const bodies = [] as Array<{ method: string; path: string; body: string; headers: Record<string, string> }>;
  for (let n = 0; n < 50_000; n++) {
    const xml = `<xml><ToUserName><![CDATA[${corp.corpId}]]></ToUserName><FromUserName><![CDATA[bench${n % 200}]]></FromUserName><CreateTime>1764140000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[压测消息 ${n}]]></Content><MsgId>${9000000000000000000n + BigInt(n) + BigInt(Date.now()) * 100000n}</MsgId><AgentID>${corp.agentId}</AgentID></xml>`;
    const b = emu.buildCallback(xml);
    bodies.push({ method: 'POST', path: `/wecom/callback?${new URLSearchParams(b.query)}`, body: b.body, headers: { 'content-type': 'text/xml' } });
  }
  const base = await load(bareUrl, bodies, seconds);
  const rssBefore = process.memoryUsage().rss;
  await sys.dataSource.getRepository(InboxEvent).clear();
  const t0 = Date.now();
  const res = await load(sys.url, bodies, seconds);
  const rss = process.memoryUsage().rss;
  // The backlog answered but not yet processed drains after the load (bounded concurrency).
  const stored = await sys.dataSource.getRepository(InboxEvent).count();
  while ((await sys.dataSource.getRepository(InboxEvent).countBy({ status: 'received' })) > 0) {
    await sys.inbox.drain();
    await sys.inbox.recover(0, 500);
  }
  const processedPerSec = stored / ((Date.now() - t0) / 1000);
  await sys.close();
  await new Promise((r) => bareServer.close(r));
  return [
    {
      name: 'callbacks/s (encrypted, persisted)',
      value: res.requests.average,
      unit: 'req/s',
      baseline: base.requests.average,
      ratio: res.requests.average / base.requests.average,
      target: '>= 1000/s, p99 < 50 ms, RSS < 200 MB',
      extra: { processedPerSec: Math.round(processedPerSec), p50ms: res.latency.p50, p99ms: res.latency.p99, baselineP99ms: base.latency.p99, non2xx: res.non2xx, errors: res.errors, rssMB: Math.round(rss / 2 ** 20), rssBeforeMB: Math.round(rssBefore / 2 ** 20) },
    },
  ];
}
