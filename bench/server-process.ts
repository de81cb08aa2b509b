import fs from 'fs';
import path from 'path';
import readline from 'readline';
import { spawn } from 'child_process';
import type { WeComSettings } from '../src/config';

/** The server of a bench in a process of its own (bench/server-child.ts), driven by commands. */
export interface ServerProcess {
  url: string;
  /** The Node flags it runs with. */
  nodeArgs: string[];
  /** Sends one command line and resolves with its JSON answer (an {error} answer rejects). */
  command(line: string): Promise<any>;
  /** Its resident set size now, in bytes (from /proc). */
  rss(): number;
  close(): Promise<void>;
}

/**
 * Starts the server in live mode with these WeCom credentials (sandboxCredentials) against
 * the emulator at apiBase, with the Node flags of `npm start` (package.json) plus
 * BENCH_SERVER_NODE_ARGS.
 */
export async function spawnServer(dbUrl: string, creds: Pick<WeComSettings, 'corpId' | 'agentId' | 'secret' | 'token' | 'aesKey'>, apiBase: string): Promise<ServerProcess> {
  const wecom = { WECOM_CORP_ID: creds.corpId, WECOM_AGENT_ID: String(creds.agentId), WECOM_SECRET: creds.secret, WECOM_TOKEN: creds.token, WECOM_AES_KEY: creds.aesKey, WECOM_API_BASE: apiBase };
  const start = String(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).scripts.start);
  const startFlags = (/\bnode((?: --[^ ]+)*) dist\/src\/main\.js/.exec(start)?.[1] ?? '').split(' ').filter(Boolean);
  const nodeArgs = [...startFlags, ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, 'server-child.js'), dbUrl], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...wecom } });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: Array<{ resolve: (v: any) => void; reject: (e: Error) => void }> = [];
  lines.on('line', (l) => {
    const w = waiting.shift();
    if (!w) return;
    const v = JSON.parse(l);
    if (v && typeof v === 'object' && 'error' in v) w.reject(new Error(`bench server: ${v.error}`));
    else w.resolve(v);
  });
  void exited.then((code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`bench server exited (${code})`));
  });
  const next = () => new Promise<any>((resolve, reject) => waiting.push({ resolve, reject }));
  const { url } = await next();
  return {
    url,
    nodeArgs,
    command(line) {
      const p = next();
      child.stdin!.write(`${line}\n`);
      return p;
    },
    rss: () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    async close() {
      child.stdin!.end('close\n');
      await exited;
    },
  };
}
