import http from 'http';
import crypto from 'crypto';
import { AddressInfo } from 'net';

export type Behaviour = (body: any) => { status?: number; json?: unknown; raw?: string; delayMs?: number; destroy?: boolean };

/**
 * A unit's data service on loopback: checks the signature and the timestamp as a receiver
 * must (401 when either is wrong), records each call, and answers as `behave` says.
 */
export class TestDataService {
  readonly calls: Array<{ body: any; headers: http.IncomingHttpHeaders; verified: boolean }> = [];
  behave: Behaviour = () => ({ json: { result: 'consistent', reply: '经核查，无犯罪记录' } });
  private server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  constructor(
    readonly secret: string,
    readonly clockSec: () => number,
  ) {}

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/verify`;
    return this.url;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-nocert-timestamp'] ?? '');
      const sig = String(req.headers['x-nocert-signature'] ?? '');
      const want = `sha256=${crypto.createHmac('sha256', this.secret).update(`${ts}.${raw}`).digest('hex')}`;
      const fresh = Math.abs(Number(ts) - this.clockSec()) <= 300;
      const verified = fresh && sig.length === want.length && crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(want));
      const body = JSON.parse(raw);
      this.calls.push({ body, headers: req.headers, verified });
      if (!verified) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
        return;
      }
      const b = this.behave(body);
      const send = () => {
        if (b.destroy) return req.socket.destroy();
        res.writeHead(b.status ?? 200, { 'content-type': 'application/json' });
        res.end(b.raw ?? JSON.stringify(b.json ?? {}));
      };
      if (b.delayMs) setTimeout(send, b.delayMs);
      else send();
    });
  }
}
