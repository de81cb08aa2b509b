import { ServiceFigures } from './figures';

const OPEN_AFTER = 5;
const HALF_OPEN_AFTER_MS = 60_000;
const MAX_IN_FLIGHT = 4;
const SAMPLES = 1000;

/** One service's circuit breaker, in-flight count and recent latencies (per process). */
class Guard {
  failures = 0;
  openedAt: number | null = null;
  trial = false;
  inFlight = 0;
  latencies: number[] = [];

  state(nowMs: number): 'closed' | 'open' | 'half_open' {
    if (this.openedAt === null) return 'closed';
    return nowMs - this.openedAt >= HALF_OPEN_AFTER_MS ? 'half_open' : 'open';
  }
}

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Guards every data service: a circuit that opens after 5 failures in a row (requests go
 * straight to people), lets one trial call through after 60 s, and closes on its success;
 * at most 4 calls in flight per service (the next request goes to people, not into a queue).
 */
export class Guards implements ServiceFigures {
  private readonly byId = new Map<number, Guard>();

  private get(id: number): Guard {
    let g = this.byId.get(id);
    if (!g) this.byId.set(id, (g = new Guard()));
    return g;
  }

  /** A permit to call, or why not ('circuit_open' | 'busy'). */
  acquire(id: number, nowMs: number): { ok: true; release: (outcome: { success: boolean; latencyMs: number }, atMs: number) => void } | { ok: false; reason: 'circuit_open' | 'busy' } {
    const g = this.get(id);
    const state = g.state(nowMs);
    if (state === 'open') return { ok: false, reason: 'circuit_open' };
    if (state === 'half_open') {
      if (g.trial) return { ok: false, reason: 'circuit_open' };
      g.trial = true;
    }
    if (g.inFlight >= MAX_IN_FLIGHT) {
      if (state === 'half_open') g.trial = false;
      return { ok: false, reason: 'busy' };
    }
    g.inFlight++;
    const trial = state === 'half_open';
    let done = false;
    return {
      ok: true,
      release: ({ success, latencyMs }, atMs) => {
        if (done) return;
        done = true;
        g.inFlight--;
        g.latencies.push(latencyMs);
        if (g.latencies.length > SAMPLES) g.latencies.shift();
        if (trial) g.trial = false;
        if (success) {
          g.failures = 0;
          g.openedAt = null;
        } else {
          g.failures++;
          // A failed trial reopens for another pause; otherwise the fifth failure in a row opens it.
          if (trial || g.failures >= OPEN_AFTER) g.openedAt = atMs;
        }
      },
    };
  }

  /** Every service this process has called, with its circuit now. */
  circuits(nowMs = Date.now()): Array<[string, 'closed' | 'open' | 'half_open']> {
    return [...this.byId.entries()].map(([id, g]) => [String(id), g.state(nowMs)]);
  }

  of(id: number, nowMs = Date.now()) {
    const g = this.byId.get(id);
    if (!g) return { latencyMs: { p50: null, p99: null }, circuit: 'closed' as const };
    const sorted = [...g.latencies].sort((a, b) => a - b);
    return { latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }, circuit: g.state(nowMs) };
  }
}
