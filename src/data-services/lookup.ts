import { performance } from 'perf_hooks';
import { DataSource } from 'typeorm';
import { DataService, DataServiceLookup, VerificationRequest, VerificationTemplate } from '../../entities';
import { JobDeps, Worker } from '../module';
import { inTransaction, isUniqueViolation } from '../db/tx';
import { formatInZone } from '../calendar';
import { unitLiaisons } from '../directory/who';
import { answerRequest } from '../verification/decide';
import { queueText } from '../verification/notify';
import { OpContext } from '../verification/common';
import { callHttpService, CallOutcome } from './call';
import { callSqlService } from './sql';
import { unseal } from './seal';
import { Guards } from './guard';
import { DS_TEXT } from './messages';
import type { Metrics } from '../metrics';

/** Requests older than this when first seen are left to people (e.g. after a long outage). */
const FRESH_MS = 10 * 60_000;

interface Candidate {
  requestId: number;
  serviceId: number;
}

/**
 * Looks up new digital requests in their issuing unit's data service, after the request's
 * transaction committed (a worker, nudged when a request is created and polling besides).
 * The lookup row is the claim; the answer, or the fall-back to people, is one transaction.
 */
export class LookupRunner {
  constructor(
    private readonly deps: JobDeps,
    private readonly guards: Guards,
    private readonly metrics?: Metrics,
  ) {}

  private async candidates(): Promise<Candidate[]> {
    const ds = this.deps.dataSource;
    const rows = await ds
      .createQueryBuilder()
      .select('r.id', 'requestId')
      .addSelect('s.id', 'serviceId')
      .from(VerificationRequest, 'r')
      .innerJoin(DataService, 's', 's.issuer_unit = r.issuer_unit AND s.certificate = r.certificate')
      .leftJoin(DataServiceLookup, 'l', 'l.request_id = r.id')
      .where('l.id IS NULL')
      .andWhere("r.category = 'digital' AND r.status = 'pending'")
      .andWhere('r.created_at >= :since', { since: new Date(this.deps.now().getTime() - FRESH_MS) })
      .orderBy('r.id', 'ASC')
      .limit(20)
      .getRawMany<{ requestId: number | string; serviceId: number | string }>();
    return rows.map((r) => ({ requestId: Number(r.requestId), serviceId: Number(r.serviceId) }));
  }

  /** One pass: every unclaimed candidate is claimed and looked up, in parallel. */
  async runOnce(): Promise<boolean> {
    const found = await this.candidates();
    const done = await Promise.all(found.map((c) => this.lookUp(c).catch((e) => (this.deps.log.error({ requestId: c.requestId, err: String((e as Error).message ?? e) }, 'data service lookup failed'), false))));
    return done.some(Boolean);
  }

  private async lookUp(c: Candidate): Promise<boolean> {
    const { dataSource: ds, config, now, log } = this.deps;
    const service = await ds.getRepository(DataService).findOneBy({ id: c.serviceId });
    const req = await ds.getRepository(VerificationRequest).findOneBy({ id: c.requestId });
    if (!service || !req) return false;
    const claim = ds.getRepository(DataServiceLookup).create({ requestId: req.id, serviceId: service.id, issuerUnit: req.issuerUnit, status: 'claimed', result: null, failure: null, latencyMs: null, claimedBy: config.instanceId.slice(0, 64), claimedAt: now(), finishedAt: null });
    try {
      await ds.getRepository(DataServiceLookup).insert(claim);
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
    let outcome: CallOutcome;
    let latencyMs: number | null = null;
    const permit = this.guards.acquire(service.id, Date.now());
    if (!permit.ok) outcome = { ok: false, failure: permit.reason };
    else if (!config.dataServiceKey) {
      permit.release({ success: false, latencyMs: 0 }, Date.now());
      outcome = { ok: false, failure: 'no_key' };
    } else {
      // Only what the contract names; ids, never names or ID numbers, go to the log.
      const body = JSON.stringify({ requestId: req.id, number: req.number, certificate: req.certificate, applicant: await applicantFields(ds, req), question: req.question });
      const t0 = performance.now();
      let secret: string | null = null;
      try {
        secret = unseal(config.dataServiceKey, service.secretSealed);
      } catch {
        // A different DATA_SERVICE_KEY than the one that sealed it: people answer.
      }
      if (secret === null) outcome = { ok: false, failure: 'secret_unreadable' };
      else if (service.kind === 'sql') outcome = await callSqlService(secret, service.query!, { idNumber: req.applicantIdNumber, name: req.applicantName, certificate: req.certificate, number: req.number });
      else outcome = await callHttpService(service.url!, secret, body, () => Math.floor(now().getTime() / 1000));
      latencyMs = Math.round(performance.now() - t0);
      permit.release({ success: outcome.ok, latencyMs }, Date.now());
    }
    const answered = outcome.ok && outcome.answer.result !== 'unknown';
    log.info({ requestId: req.id, service: service.id, outcome: outcome.ok ? outcome.answer.result : outcome.failure, latencyMs }, 'data service lookup');
    const ctx: OpContext = { cal: await this.deps.calendar(), now: now(), publicUrl: config.publicUrl, tz: config.officeTz };
    let auto = false;
    await inTransaction(ds, async (m) => {
      const fresh = await m.getRepository(VerificationRequest).findOneBy({ id: req.id });
      const due = formatInZone(ctx.cal, req.dueAt);
      const liaisons = (await unitLiaisons(m, req.issuerUnit, formatInZone(ctx.cal, ctx.now).slice(0, 10))).map((s) => s.userid);
      auto = false;
      if (answered && fresh && fresh.status === 'pending') {
        const consistent = outcome.ok && outcome.answer.result === 'consistent';
        const reply = outcome.ok ? outcome.answer.reply : null;
        await answerRequest(m, ctx, fresh, { kind: 'api', name: `system:data-service:${service.id}`, unitCode: req.issuerUnit }, consistent ? 'match' : 'mismatch', reply || (consistent ? null : DS_TEXT.defaultMismatch));
        for (const u of liaisons) await queueText(m, u, DS_TEXT.answered(req.number, consistent, due), ctx.now, String(req.id));
        auto = true;
      } else if (fresh && ['pending', 'accepted', 'returning'].includes(fresh.status)) {
        for (const u of liaisons) await queueText(m, u, DS_TEXT.fallback(req.number, due), ctx.now, String(req.id));
      }
      await m.getRepository(DataServiceLookup).update(
        { requestId: req.id },
        { status: auto ? 'answered' : 'fallback', result: outcome.ok ? outcome.answer.result : null, failure: outcome.ok ? (auto ? null : outcome.answer.result) : outcome.failure, latencyMs, finishedAt: ctx.now },
      );
      await m
        .createQueryBuilder()
        .update(DataService)
        .set({ calls: () => `calls + ${latencyMs === null ? 0 : 1}`, ...(auto ? { autoAnswers: () => 'auto_answers + 1' } : { fallbacks: () => 'fallbacks + 1' }) })
        .where('id = :id', { id: service.id })
        .execute();
    });
    const service_ = String(service.id);
    if (latencyMs !== null) this.metrics?.dataServiceLatency.observe({ service: service_ }, latencyMs / 1000);
    this.metrics?.dataServiceLookups.inc({ service: service_, outcome: auto ? 'answered' : 'fallback' });
    const circuit = this.guards.of(service.id).circuit;
    this.metrics?.dataServiceCircuit.set({ service: service_ }, circuit === 'open' ? 1 : circuit === 'half_open' ? 0.5 : 0);
    return true;
  }
}

/**
 * Art. 12: only what the purpose needs. When the request's template lists its fields, the
 * applicant's name and ID number go to the service only if the template names them.
 */
async function applicantFields(ds: DataSource, req: VerificationRequest): Promise<{ name?: string; idNumber?: string }> {
  const t = req.templateId ? await ds.getRepository(VerificationTemplate).findOneBy({ id: req.templateId }) : null;
  let fields: unknown = null;
  try {
    fields = t ? JSON.parse(t.fields) : null;
  } catch {
    fields = null;
  }
  if (!Array.isArray(fields) || !fields.length) return { name: req.applicantName, idNumber: req.applicantIdNumber };
  const names = fields.map(String);
  return {
    ...(names.some((f) => /姓名|name/i.test(f)) ? { name: req.applicantName } : {}),
    ...(names.some((f) => /身份证|证件号|idNumber/i.test(f)) ? { idNumber: req.applicantIdNumber } : {}),
  };
}

/** The lookup loop: every second, and at once when nudged. */
export function lookupWorker(runner: LookupRunner): Worker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;
  let stopped = true;
  let after: () => void = () => {};
  const pass = async () => {
    if (running || stopped) return;
    running = runner.runOnce().catch(() => false);
    const did = await running;
    running = null;
    if (did) after();
  };
  return {
    name: 'data-service-lookups',
    intervalMs: 1000,
    start(afterWork) {
      stopped = false;
      after = afterWork;
      timer = setInterval(() => void pass(), 1000);
    },
    nudge() {
      void pass();
    },
    runOnce: () => runner.runOnce(),
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (running) await running;
    },
  };
}
