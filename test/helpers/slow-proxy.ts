import http from 'http';
import { AddressInfo } from 'net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A slow network between the app and WeCom: each call reaches `target` after `delayMs`;
 * onRequest is told as each call arrives at the proxy.
 */
export async function slowProxy(target: string, delayMs: number, onRequest?: () => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    onRequest?.();
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      await sleep(delayMs);
      try {
        const r = await fetch(`${target}${req.url}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) });
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await r.arrayBuffer()));
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
