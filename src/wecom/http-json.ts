import { WeComUnavailableError } from './errors';
import { exchange } from './http-exchange';

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** The API path, for errors and logs: the URL's query holds tokens or secrets. */
  path: string;
  body?: unknown;
  timeoutMs: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A network error's short reason (its code), never the URL. */
function reason(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timeout';
  return err?.cause?.code ?? err?.code ?? err?.cause?.name ?? err?.name ?? 'network error';
}

/**
 * One HTTP exchange with WeCom (http-exchange.ts). Network failures, HTTP 5xx and answers
 * that are not WeCom's JSON become WeComUnavailableError; anything carrying an errcode is
 * returned.
 */
export async function requestJson(req: JsonRequest): Promise<Record<string, unknown> & { errcode: number }> {
  let status: number;
  let text: string;
  try {
    ({ status, text } = await exchange({
      method: req.method,
      url: req.url,
      headers: req.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      timeoutMs: req.timeoutMs,
    }));
  } catch (e) {
    throw new WeComUnavailableError(req.path, reason(e));
  }
  if (status >= 500) throw new WeComUnavailableError(req.path, `HTTP ${status}`, status);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WeComUnavailableError(req.path, `HTTP ${status} without a JSON body`, status);
  }
  if (!isObject(json)) throw new WeComUnavailableError(req.path, `HTTP ${status} without a JSON object`, status);
  if (typeof json.errcode === 'number') return json as Record<string, unknown> & { errcode: number };
  // Every WeCom answer carries errcode; a 2xx without one is taken as success.
  if (status >= 200 && status < 300) return { ...json, errcode: 0 };
  throw new WeComUnavailableError(req.path, `HTTP ${status}`, status);
}

export function apiUrl(apiBase: string, path: string, query: Record<string, string | undefined> = {}): URL {
  const url = new URL(path, apiBase.endsWith('/') ? apiBase : `${apiBase}/`);
  // new URL('/cgi-bin/x', 'https://host/prefix/') drops the prefix; keep an explicit prefix.
  const base = new URL(apiBase);
  if (base.pathname !== '/' && base.pathname !== '') url.pathname = `${base.pathname.replace(/\/$/, '')}${path}`;
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}
