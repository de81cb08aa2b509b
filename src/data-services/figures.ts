/** Per-process latency samples and circuit state of each service (the counters live in the database). */
export interface ServiceFigures {
  of(id: number): { latencyMs: { p50: number | null; p99: number | null }; circuit: 'closed' | 'open' | 'half_open' };
}
