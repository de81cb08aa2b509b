import crypto from 'crypto';

export type LookupAnswer = { result: 'consistent' | 'inconsistent' | 'unknown'; reply: string | null };
export type CallOutcome = { ok: true; answer: LookupAnswer } | { ok: false; failure: string };

/** The signature of the contract: hex HMAC-SHA256(secret, timestamp + "." + body). */
export function signature(secret: string, timestamp: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

const BUDGET_MS = 5000;
const TRANSIENT_STATUS = new Set([502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET']);
const RESULTS = new Set(['consistent', 'inconsistent', 'unknown']);

/** What the service answered, checked strictly: anything else is a failure with a code. */
export function parseAnswer(status: number, text: string): CallOutcome {
  if (status !== 200) return { ok: false, failure: `http_${status}` };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, failure: 'garbage' };
  }
  if (!v || typeof v !== 'object') return { ok: false, failure: 'wrong_shape' };
  const { result, reply } = v as { result?: unknown; reply?: unknown };
  if (typeof result !== 'string' || !RESULTS.has(result)) return { ok: false, failure: 'unknown_result' };
  if (reply !== undefined && reply !== null && typeof reply !== 'string') return { ok: false, failure: 'wrong_shape' };
  return { ok: true, answer: { result: result as LookupAnswer['result'], reply: typeof reply === 'string' ? reply.slice(0, 4000) : null } };
}

function causeCode(e: unknown): string | undefined {
  const c = (e as { cause?: { code?: string } }).cause;
  return c?.code ?? (e as { code?: string }).code;
}

/**
 * POST the signed body; retries a connection reset or a 502/503/504 with backoff (100, 200,
 * 400 ms...) while the 5-second budget lasts. Nothing else is retried: a 500, a 401 or a bad
 * body is the service's answer. The timestamp is the caller's clock (`nowSec`).
 */
export async function callHttpService(url: string, secret: string, body: string, nowSec: () => number, budgetMs = BUDGET_MS): Promise<CallOutcome> {
  const deadline = Date.now() + budgetMs;
  let backoff = 100;
  for (;;) {
    const ts = String(nowSec());
    let outcome: CallOutcome;
    let transient = false;
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, failure: 'timeout' };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-nocert-timestamp': ts, 'x-nocert-signature': `sha256=${signature(secret, ts, body)}` },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(left),
      });
      const text = await res.text();
      outcome = parseAnswer(res.status, text.slice(0, 64 * 1024));
      transient = TRANSIENT_STATUS.has(res.status);
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, failure: 'timeout' };
      const code = causeCode(e);
      outcome = { ok: false, failure: `network_${(code ?? 'error').toLowerCase()}`.slice(0, 60) };
      transient = !!code && TRANSIENT_CODES.has(code);
    }
    if (outcome.ok || !transient || Date.now() + backoff >= deadline) return outcome;
    await new Promise((r) => setTimeout(r, backoff));
    backoff *= 2;
  }
}
