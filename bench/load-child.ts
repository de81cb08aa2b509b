import fs from 'fs';
import os from 'os';
import path from 'path';
import { execFile } from 'child_process';
import { promisify } from 'util';

const execFileAsync = promisify(execFile);

export type LoadRequest = { method: string; path: string; body: string; headers: Record<string, string> };
export type LoadResult = { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };

/**
 * Runs the load generator (bench/loadgen.ts) in a process of its own, so it does not steal
 * the server's CPU: the server is measured from outside, as a client would see it.
 */
export async function loadInChild(url: string, requests: LoadRequest[], seconds: number, connections = 50): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `nocert-load-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(requests));
  try {
    const { stdout } = await execFileAsync(process.execPath, [path.join(__dirname, 'loadgen.js'), url, file, String(seconds), String(connections)], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as LoadResult;
  } finally {
    fs.rmSync(file, { force: true });
  }
}
