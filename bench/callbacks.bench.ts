import http from 'http';
import path from 'path';
import { AddressInfo } from 'net';
import Koa from 'koa';
import crypto from 'crypto';
import { BenchResult } from './types';
import { LoadResult, loadInChild } from './load-child';
import { spawnServer } from './server-process';
import { WeComEmulator } from '../src/sandbox';
import { sandboxCredentials } from '../src/system';
import { CallbackKeys, decryptFor, openCallback, parseXml, verifySignature } from '../src/wecom/callback';

/** Runs the load generator in its own process so it does not steal the server's CPU. */
const load = (url: string, requests: Req[], seconds: number): Promise<LoadResult> => loadInChild(url, requests, seconds, 50);

type Req = { method: string; path: string; body: string; headers: Record<string, string> };

/**
 * Runs fn over the inputs for about `ms` of this process's CPU time and returns calls per
 * CPU second (one core: it runs on one thread). CPU time, not wall time, so a busy machine
 * does not lower the figure.
 */
function perSecond<T>(inputs: T[], fn: (x: T) => unknown, ms = 1500): number {
  for (let i = 0; i < 2000; i++) fn(inputs[i % inputs.length]);
  const cpu = () => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  let n = 0;
  const t0 = cpu();
  while (cpu() - t0 < ms * 1000) for (let k = 0; k < 200; k++) fn(inputs[n++ % inputs.length]);
  return n / ((cpu() - t0) / 1e6);
}

/**
 * What opening one callback costs on one core (outer XML, signature, freshness, decrypt,
 * receiveid, inner XML, AgentID, dedupe key), beside the bare primitives in the same run:
 * one SHA-1 over the signed strings and one AES-256-CBC decryption of the same body.
 */
function cryptoRow(keys: CallbackKeys, requests: Req[]): BenchResult {
  const items = requests.slice(0, 5000).map((r) => {
    const query = Object.fromEntries(new URL(r.path, 'http://x').searchParams) as Record<string, string>;
    return { query, body: r.body, encrypted: /<Encrypt><!\[CDATA\[([^\]]*)\]\]>/.exec(r.body)![1] };
  });
  const now = new Date(Number(items[0].query.timestamp) * 1000);
  const key = Buffer.from(`${keys.aesKey}=`, 'base64');
  const primitives = perSecond(items, (x) => {
    crypto.createHash('sha1').update([keys.token, x.query.timestamp, x.query.nonce, x.encrypted].sort().join('')).digest('hex');
    const d = crypto.createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    return Buffer.concat([d.update(x.encrypted, 'base64'), d.final()]);
  });
  const open = perSecond(items, (x) => openCallback(keys, x.query, x.body, now));
  const parseOnly = perSecond(items, (x) => parseXml(x.body));
  const verifyOnly = perSecond(items, (x) => verifySignature(keys, x.query, x.encrypted));
  const plains = items.map((x) => decryptFor(keys, x.encrypted));
  const decryptOnly = perSecond(items, (x) => decryptFor(keys, x.encrypted));
  const innerOnly = perSecond(plains, (p) => parseXml(p));
  const us = (perSec: number) => Math.round((1e6 / perSec) * 10) / 10;
  return {
    name: 'callback crypto + XML per core (verify, decrypt, parse)',
    value: open,
    unit: 'callbacks/s/core',
    baseline: primitives,
    ratio: open / primitives,
    target: '>= 14000/s per core',
    pass: open >= 14_000,
    extra: { usPerCallback: us(open), usOuterXml: us(parseOnly), usSignature: us(verifyOnly), usDecrypt: us(decryptOnly), usInnerXml: us(innerOnly), usBarePrimitives: us(primitives) },
  };
}

/**
 * Encrypted callbacks posted to the running server on loopback (verify, decrypt, dedupe,
 * persist, answer), beside a bare Koa handler answering 200 in the same run. The server
 * runs in live mode in a process of its own; the WeCom emulator, the prepared callbacks
 * and the load generator live in other processes, so the RSS measured is the server's.
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

  const keys = sandboxCredentials();
  const emu = new WeComEmulator({ corpId: keys.corpId, agentId: keys.agentId, secret: keys.secret, token: keys.token, encodingAESKey: keys.aesKey });
  const apiBase = await emu.listen(0);
  const bodies: Req[] = [];
  for (let n = 0; n < 50_000; n++) {
    const xml = `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><FromUserName><![CDATA[bench${n % 200}]]></FromUserName><CreateTime>1764140000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[压测消息 ${n}]]></Content><MsgId>${9000000000000000000n + BigInt(n) + BigInt(Date.now()) * 100000n}</MsgId><AgentID>${keys.agentId}</AgentID></xml>`;
    const b = emu.buildCallback(xml);
    bodies.push({ method: 'POST', path: `/wecom/callback?${new URLSearchParams(b.query)}`, body: b.body, headers: { 'content-type': 'text/xml' } });
  }
  const cryptoResult = cryptoRow(keys, bodies);

  const server = await spawnServer(dbUrl, keys, apiBase);
  const { url, nodeArgs } = server;
  const rssOf = () => server.rss();
  const bareCpu0 = process.cpuUsage();
  const base = await load(bareUrl, bodies, seconds);
  const bareCpu = process.cpuUsage(bareCpu0);
  const cpuUs = (c: { user: number; system: number }) => c.user + c.system;
  const profile = process.env.BENCH_PROFILE;
  if (profile) {
    await server.command('profile-start');
  }
  const rssBefore = rssOf();
  const { memory: memBefore, cpu: memBeforeCpu } = await server.command('mem');
  let rss = rssBefore;
  const sampler = setInterval(() => (rss = Math.max(rss, rssOf())), 100);
  const t0 = Date.now();
  const res = await load(url, bodies, seconds);
  clearInterval(sampler);
  if (profile) {
    await server.command(`profile-stop ${path.join(profile, `callbacks-${Date.now()}.cpuprofile`)}`);
  }
  const after = await server.command('mem');
  // Server CPU per acknowledged callback in the load phase (the processing running beside
  // it included), against bare Koa's per request: a figure that holds on a busy machine.
  const cpuPerCallbackUs = (cpuUs(after.cpu) - cpuUs(memBeforeCpu)) / (res.requests.average * seconds);
  const bareCpuPerRequestUs = cpuUs(bareCpu) / (base.requests.average * seconds);
  // The backlog answered but not yet processed drains after the load (bounded concurrency).
  const { stored } = await server.command('drain');
  const processedPerSec = stored / ((Date.now() - t0) / 1000);
  await server.close();
  await new Promise((r) => bareServer.close(r));
  await emu.close();
  const mb = (b: number) => Math.round(b / 2 ** 20);
  const memMB = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v == null ? null : mb(v)]));
  return [
    cryptoResult,
    {
      name: 'callbacks/s (encrypted, persisted)',
      value: res.requests.average,
      unit: 'req/s',
      baseline: base.requests.average,
      ratio: res.requests.average / base.requests.average,
      target: '>= 3000/s, p99 < 50 ms',
      pass: res.requests.average >= 3000 && res.latency.p99 < 50,
      extra: { processedPerSec: Math.round(processedPerSec), p50ms: res.latency.p50, p99ms: res.latency.p99, baselineP99ms: base.latency.p99, non2xx: res.non2xx, errors: res.errors, rowsPerCommit: after.batches ? Math.round((after.items / after.batches) * 10) / 10 : null, serverCpuUsPerCallback: Math.round(cpuPerCallbackUs), bareKoaCpuUsPerRequest: Math.round(bareCpuPerRequestUs), callbacksPerServerCpuSecond: Math.round(1e6 / cpuPerCallbackUs) },
    },
    {
      name: 'server RSS under the callback load (server process alone, peak)',
      value: mb(rss),
      unit: 'MB',
      baseline: mb(rssBefore),
      ratio: rss / rssBefore,
      target: '< 150 MB',
      pass: mb(rss) < 150,
      extra: { nodeFlags: nodeArgs.join(' '), idleMemoryMB: memMB(memBefore), afterLoadMemoryMB: memMB(after.memory) },
    },
  ];
}
