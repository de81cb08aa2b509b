import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

export interface Exchange {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, connecting and queueing for a socket included. */
  timeoutMs: number;
  /** An answer longer than this fails (default 16 MB). */
  maxBytes?: number;
}

export interface ExchangeAnswer {
  status: number;
  text: string;
}

/**
 * Kept-alive connections per host. A free socket closes after 4 s, before the 5 s idle
 * limit of a Node server (the sandbox emulator) and WeCom's longer one, and sooner when the
 * server's Keep-Alive header says so, so a request is rarely sent on a socket the server is
 * closing.
 */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 4000, scheduling: 'lifo' as const };
const agents = { 'http:': new http.Agent(AGENT_OPTIONS), 'https:': new https.Agent(AGENT_OPTIONS) };

/** An error whose name and code say what failed (TimeoutError, ECONNREFUSED, ...), never the URL. */
function failure(name: string, code: string, message: string): Error {
  return Object.assign(new Error(message), { name, code });
}

/**
 * One HTTP exchange over node:http(s) with kept-alive connections. It is what the WeCom
 * client and the sandbox emulator use instead of the global fetch: on this kind of machine
 * fetch (undici) costs about five times the CPU per small request (`npm run bench`, the
 * complaints figures). Rejects on a network error, a timeout (name TimeoutError) or an
 * answer over maxBytes; any HTTP status resolves. gzip, deflate and br answers are decoded.
 */
export function exchange(req: Exchange): Promise<ExchangeAnswer> {
  const lib = req.url.protocol === 'https:' ? https : req.url.protocol === 'http:' ? http : null;
  if (!lib) return Promise.reject(failure('TypeError', 'ERR_INVALID_PROTOCOL', `unsupported protocol ${req.url.protocol}`));
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  const maxBytes = req.maxBytes ?? 16 * 2 ** 20;
  return new Promise<ExchangeAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, answer?: ExchangeAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(answer!);
    };
    const request = lib.request(
      req.url,
      {
        method: req.method,
        agent: agents[req.url.protocol as 'http:' | 'https:'],
        headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}), 'accept-encoding': 'gzip, deflate, br' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) finish(failure('RangeError', 'ERR_ANSWER_TOO_LARGE', `answer over ${maxBytes} bytes`));
          else chunks.push(c);
        });
        res.on('error', (e) => finish(e));
        res.on('end', () => {
          const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          try {
            finish(null, { status: res.statusCode ?? 0, text: decode(raw, String(res.headers['content-encoding'] ?? ''), maxBytes).toString('utf8') });
          } catch (e) {
            finish(e as Error);
          }
        });
      },
    );
    const timer = setTimeout(() => finish(failure('TimeoutError', 'ETIMEDOUT', `no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
    request.on('error', (e) => finish(e));
    request.end(body);
  });
}

function decode(raw: Buffer, encoding: string, maxOutputLength: number): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case '':
    case 'identity':
      return raw;
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(raw, { maxOutputLength });
    case 'deflate':
      return zlib.inflateSync(raw, { maxOutputLength });
    case 'br':
      return zlib.brotliDecompressSync(raw, { maxOutputLength });
    default:
      throw failure('TypeError', 'ERR_CONTENT_ENCODING', `unsupported content-encoding ${encoding}`);
  }
}
