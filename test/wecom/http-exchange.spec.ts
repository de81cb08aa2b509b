import { expect } from 'chai';
import http from 'http';
import zlib from 'zlib';
import { AddressInfo } from 'net';
import { exchange } from '../../src/wecom/http-exchange';
import { requestJson } from '../../src/wecom/http-json';
import { WeComUnavailableError } from '../../src/wecom/errors';

/** The WeCom client's HTTP exchange over node:http, against a real local server. */
describe('wecom: HTTP exchange', () => {
  let server: http.Server;
  let base: string;
  const connections: number[] = [];
  let handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => handler(req, body, res));
    });
    server.on('connection', () => connections.push(Date.now()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends the method, headers and body, and reuses one kept-alive connection for requests one after another', async () => {
    const seen: Array<{ method: string; type: string; body: string; url: string }> = [];
    handler = (req, body, res) => {
      seen.push({ method: req.method!, type: String(req.headers['content-type']), body, url: req.url! });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', echo: body.length }));
    };
    const before = connections.length;
    for (let i = 0; i < 5; i++) {
      const a = await exchange({ method: 'POST', url: new URL(`${base}/cgi-bin/kf/send_msg?access_token=t${i}`), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: `收到${i}` }), timeoutMs: 2000 });
      expect(a.status).to.equal(200);
      expect(JSON.parse(a.text)).to.deep.equal({ errcode: 0, errmsg: 'ok', echo: JSON.stringify({ content: `收到${i}` }).length });
    }
    expect(connections.length - before).to.equal(1);
    expect(seen.map((s) => [s.method, s.type, JSON.parse(s.body).content, s.url])).to.deep.equal(
      Array.from({ length: 5 }, (_, i) => ['POST', 'application/json', `收到${i}`, `/cgi-bin/kf/send_msg?access_token=t${i}`]),
    );
  });

  it('decodes a gzip answer and resolves any HTTP status', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(503, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      res.end(zlib.gzipSync(JSON.stringify({ errcode: -1, errmsg: '系统繁忙' })));
    };
    const a = await exchange({ method: 'GET', url: new URL(`${base}/x`), timeoutMs: 2000 });
    expect(a.status).to.equal(503);
    expect(JSON.parse(a.text)).to.deep.equal({ errcode: -1, errmsg: '系统繁忙' });
  });

  it('fails an answer over maxBytes', async () => {
    handler = (_req, _body, res) => res.end('x'.repeat(5000));
    const err = await exchange({ method: 'GET', url: new URL(`${base}/big`), timeoutMs: 2000, maxBytes: 1000 }).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).to.equal('ERR_ANSWER_TOO_LARGE');
  });

  it('gives up after timeoutMs: requestJson reports WeCom unavailable (timeout), with the path and never the query', async () => {
    handler = () => undefined; // never answers
    const t0 = Date.now();
    const err = await requestJson({ method: 'GET', url: new URL(`${base}/cgi-bin/gettoken?corpsecret=SECRET`), path: '/cgi-bin/gettoken', timeoutMs: 150 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).to.be.instanceOf(WeComUnavailableError);
    expect(err!.message).to.contain('timeout').and.contain('/cgi-bin/gettoken').and.not.contain('SECRET');
    expect(Date.now() - t0).to.be.below(2000);
  });

  it('an answer slower than the idle-socket limit (4 s) still arrives within timeoutMs', async function () {
    this.timeout(15_000);
    handler = (_req, _body, res) => setTimeout(() => res.end('{"errcode":0,"errmsg":"ok"}'), 4500);
    const a = await exchange({ method: 'POST', url: new URL(`${base}/slow`), body: '{}', timeoutMs: 8000 });
    expect([a.status, JSON.parse(a.text).errcode]).to.deep.equal([200, 0]);
  });

  it('a refused connection is WeCom unavailable (ECONNREFUSED)', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await requestJson({ method: 'POST', url: new URL(`http://127.0.0.1:${port}/cgi-bin/message/send`), path: '/cgi-bin/message/send', body: { a: 1 }, timeoutMs: 2000 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).to.be.instanceOf(WeComUnavailableError);
    expect(err!.message).to.contain('ECONNREFUSED');
  });
});
