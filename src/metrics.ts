import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';

/** One registry per running app (tests start several). */
export class Metrics {
  readonly registry = new Registry();
  readonly callbacks = new Counter({ name: 'nocert_callbacks_total', help: 'WeCom callbacks by type and outcome', labelNames: ['type', 'outcome'] as const, registers: [this.registry] });
  readonly wecomErrors = new Counter({ name: 'nocert_wecom_errors_total', help: 'WeCom API errors by errcode', labelNames: ['errcode'] as const, registers: [this.registry] });
  readonly outboxSent = new Counter({ name: 'nocert_outbox_sent_total', help: 'Outbox rows sent by channel', labelNames: ['channel'] as const, registers: [this.registry] });
  readonly outboxFailed = new Counter({ name: 'nocert_outbox_failed_total', help: 'Outbox rows failed for good by channel', labelNames: ['channel'] as const, registers: [this.registry] });
  readonly outboxDepth = new Gauge({ name: 'nocert_outbox_depth', help: 'Outbox rows not yet sent (pending or sending)', registers: [this.registry] });
  readonly outboxAge = new Gauge({ name: 'nocert_outbox_oldest_age_seconds', help: 'Age of the oldest unsent outbox row', registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'nocert_http_request_duration_seconds',
    help: 'HTTP latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly dataServiceLookups = new Counter({ name: 'nocert_data_service_lookups_total', help: 'Data service lookups by service and outcome (answered, fallback)', labelNames: ['service', 'outcome'] as const, registers: [this.registry] });
  readonly dataServiceLatency = new Histogram({
    name: 'nocert_data_service_latency_seconds',
    help: 'Data service call latency by service',
    labelNames: ['service'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  /** Each data service's circuit as it is now (the data-services module sets the source): read at every scrape. */
  dataServiceCircuits: () => Array<[service: string, state: 'closed' | 'open' | 'half_open']> = () => [];
  readonly dataServiceCircuit: Gauge<'service'> = new Gauge({
    name: 'nocert_data_service_circuit_open',
    help: 'Data service circuit: 0 closed, 1 open, 0.5 half-open',
    labelNames: ['service'] as const,
    registers: [this.registry],
    // An open circuit turns half-open with time alone: read the state when scraped.
    collect: () => {
      for (const [service, state] of this.dataServiceCircuits()) this.dataServiceCircuit.set({ service }, state === 'open' ? 1 : state === 'half_open' ? 0.5 : 0);
    },
  });

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults) collectDefaultMetrics({ register: this.registry, prefix: 'nocert_' });
  }

  /** The sink the WeCom client and outbox report into. */
  wecomSink() {
    return {
      wecomError: (errcode: number) => this.wecomErrors.inc({ errcode: String(errcode) }),
      outboxSent: (channel: string) => this.outboxSent.inc({ channel }),
      outboxFailed: (channel: string) => this.outboxFailed.inc({ channel }),
    };
  }
}
