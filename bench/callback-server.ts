/**
 * The server of the callbacks bench, in a process of its own so its RSS is the server's
 * alone: `node callback-server.js DB_URL BODIES_FILE` starts the system (sandbox emulator
 * in-process, workers off), writes 50,000 encrypted callbacks to BODIES_FILE, prints
 * {url} and waits. A line "drain" on stdin processes the answered backlog and prints
 * {stored, processedMs}; "close" (or end of stdin) stops it.
 */
import 'reflect-metadata';
import fs from 'fs';
import readline from 'readline';
import { startSystem } from '../src/system';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { WeComEmulator } from '../src/sandbox';
import { InboxEvent } from '../entities';

async function main() {
  const [dbUrl, file] = process.argv.slice(2);
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
  fs.writeFileSync(file, JSON.stringify(bodies));
  bodies.length = 0;
  // The prepared bodies are the bench's, not the server's: let their memory go before measuring.
  (globalThis as { gc?: () => void }).gc?.();
  await sys.dataSource.getRepository(InboxEvent).clear();
  process.stdout.write(JSON.stringify({ url: sys.url }) + '\n');
  const close = async () => {
    await sys.close();
    process.exit(0);
  };
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    if (line === 'drain') {
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
