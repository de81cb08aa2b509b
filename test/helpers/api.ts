/** What the server answered: the parsed JSON (or text), status, headers and the raw bytes. */
export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
  raw: Buffer;
}

/**
 * JSON over HTTP to the real server, with an API key (or none, for the public routes).
 * A Buffer body goes up as an xlsx workbook. Each request comes from its own client address
 * unless `ip` fixes one, so per-client rate limits stay out of the way of other tests.
 */
export class Api {
  constructor(
    readonly base: string,
    readonly key: string | null,
    readonly ip: string | null = null,
  ) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const h: Record<string, string> = { 'x-forwarded-for': this.ip ?? `10.${rnd()}.${rnd()}.${rnd()}`, ...headers };
    if (this.key) h.authorization = `Bearer ${this.key}`;
    let payload: Uint8Array | string | undefined;
    if (Buffer.isBuffer(body)) {
      payload = new Uint8Array(body);
      h['content-type'] ??= 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.base}/api/v1${path}`, { method, headers: h, body: payload });
    const raw = Buffer.from(await res.arrayBuffer());
    const text = raw.toString('utf8');
    let parsed: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = text ? JSON.parse(text) : null;
    return { status: res.status, body: parsed, headers: res.headers, raw };
  }
  get(path: string, headers?: Record<string, string>) {
    return this.call('GET', path, undefined, headers);
  }
  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call('POST', path, body ?? {}, headers);
  }
  put(path: string, body: unknown) {
    return this.call('PUT', path, body);
  }
}

function rnd(): number {
  return Math.floor(Math.random() * 250) + 1;
}
