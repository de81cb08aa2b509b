import { performance } from 'perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { DataService, DataServiceLookup, DeadlineTracker, VerificationRequest, VerificationTemplate } from '../../entities';
import { JobDeps, Worker } from '../module';
import { inTransaction, isUniqueViolation } from '../db/tx';
import { computeDeadline } from '../calendar';
import { answerRequest } from '../verification/decide';
import { REF, queueCard } from '../verification/notify';
import { OpContext, addEvent, cardView, loadForUpdate, transition } from '../verification/common';
import { onLookupNeeded, sendWaitingCards, takeWaitingRecipients } from '../verification/data-service-hook';
import { autoAnsweredCard } from '../../cards/data-service.card';
import { callHttpService, CallOutcome } from './call';
import { callSqlService } from './sql';
import { unseal } from './seal';
import { Guards } from './guard';
import { DS_TEXT, failureWord } from './messages';
import type { Metrics } from '../metrics';

/** Requests older than this when first seen are not looked up any more: people answer (e.g. after a long outage). */
const FRESH_MS = 10 * 60_000;
/** A claim this old without an outcome belongs to an instance that died mid-call: people answer. */
const STALE_CLAIM_MS = 60_000;
/** A fall-back this long after the creation counts the deadline again from itself (the usual one comes within seconds). */
const RESTART_AFTER_MS = 60_000;

interface Candidate {
  requestId: number;
  serviceId: number;
  /** Set when the service is not called: why people answer instead ('stale', 'interrupted'). */
  skip?: string;
}

type Finish = { outcome: CallOutcome; latencyMs: number | null };

/**
 * Looks up new digital requests in their issuing unit's data service, after the request's
 * transaction committed (a worker, woken when such a request commits and polling besides).
 * The lookup row is the claim; the answer, or the fall-back to people, is one transaction
 * that completes the claim conditionally, so it happens once whatever else runs.
 */
export class LookupRunner {
  constructor(
    private readonly deps: JobDeps,
    private readonly guards: Guards,
    private readonly metrics?: Metrics,
  ) {}

  private async candidates(): Promise<Candidate[]> {
    const ds = this.deps.dataSource;
    const now = this.deps.now().getTime();
    // Requests whose cards wait for a lookup (created while their service existed) and nobody claimed.
    const fresh = await ds
      .createQueryBuilder()
      .select('r.id', 'requestId')
      .addSelect('s.id', 'serviceId')
      .addSelect('r.created_at', 'createdAt')
      .from(VerificationRequest, 'r')
      .innerJoin(DataService, 's', 's.issuer_unit = r.issuer_unit AND s.certificate = r.certificate')
      .leftJoin(DataServiceLookup, 'l', 'l.request_id = r.id')
      .where('l.id IS NULL')
      .andWhere("r.category = 'digital' AND r.status = 'pending'")
      .andWhere('r.created_at >= s.created_at')
      .orderBy('r.id', 'ASC')
      .limit(20)
      .getRawMany<{ requestId: number | string; serviceId: number | string; createdAt: Date | string }>();
    // Claims of an instance that died between the claim and the outcome.
    const stale = await ds
      .getRepository(DataServiceLookup)
      .createQueryBuilder('l')
      .where("l.status = 'claimed' AND l.claimed_at < :before", { before: new Date(now - STALE_CLAIM_MS) })
      .orderBy('l.id', 'ASC')
      .limit(20)
      .getMany();
    return [
      ...fresh.map((r) => ({ requestId: Number(r.requestId), serviceId: Number(r.serviceId), ...(asDate(r.createdAt).getTime() < now - FRESH_MS ? { skip: 'stale' } : {}) })),
      ...stale.map((l) => ({ requestId: l.requestId, serviceId: l.serviceId, skip: 'interrupted' })),
    ];
  }

  /** One pass: every unclaimed candidate is claimed and looked up, in parallel. */
  async runOnce(): Promise<boolean> {
    const found = await this.candidates();
    const done = await Promise.all(found.map((c) => this.lookUp(c).catch((e) => (this.deps.log.error({ requestId: c.requestId, err: String((e as Error).message ?? e) }, 'data service lookup failed'), false))));
    return done.some(Boolean);
  }

  private async lookUp(c: Candidate): Promise<boolean> {
    const { dataSource: ds, config, now } = this.deps;
    const service = await ds.getRepository(DataService).findOneBy({ id: c.serviceId });
    const req = await ds.getRepository(VerificationRequest).findOneBy({ id: c.requestId });
    if (!service || !req) return false;
    if (c.skip !== 'interrupted') {
      const claim = ds.getRepository(DataServiceLookup).create({ requestId: req.id, serviceId: service.id, issuerUnit: req.issuerUnit, status: 'claimed', result: null, failure: null, latencyMs: null, claimedBy: config.instanceId.slice(0, 64), claimedAt: now(), finishedAt: null });
      try {
        await ds.getRepository(DataServiceLookup).insert(claim);
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    }
    const result = c.skip ? { outcome: { ok: false as const, failure: c.skip }, latencyMs: null } : await this.call(service, req);
    return this.finish(service, req, result);
  }

  /** Calls the service within its guard: circuit, in-flight limit, 5-second budget. */
  private async call(service: DataService, req: VerificationRequest): Promise<Finish> {
    const { dataSource: ds, config, now } = this.deps;
    const permit = this.guards.acquire(service.id, Date.now());
    if (!permit.ok) return { outcome: { ok: false, failure: permit.reason }, latencyMs: null };
    if (!config.dataServiceKey) {
      permit.release({ success: false, latencyMs: 0 }, Date.now());
      return { outcome: { ok: false, failure: 'no_key' }, latencyMs: null };
    }
    // Only what the contract names; ids, never names or ID numbers, go to the log.
    const body = JSON.stringify({ requestId: req.id, number: req.number, certificate: req.certificate, applicant: await applicantFields(ds, req), question: req.question });
    const t0 = performance.now();
    let secret: string | null = null;
    try {
      secret = unseal(config.dataServiceKey, service.secretSealed);
    } catch {
      // A different DATA_SERVICE_KEY than the one that sealed it: people answer.
    }
    let outcome: CallOutcome;
    if (secret === null) outcome = { ok: false, failure: 'secret_unreadable' };
    else if (service.kind === 'sql') outcome = await callSqlService(secret, service.query!, { idNumber: req.applicantIdNumber, name: req.applicantName, certificate: req.certificate, number: req.number });
    else outcome = await callHttpService(service.url!, secret, body, () => Math.floor(now().getTime() / 1000));
    const latencyMs = Math.round(performance.now() - t0);
    permit.release({ success: outcome.ok, latencyMs }, Date.now());
    return { outcome, latencyMs };
  }

  /** The answer or the fall-back, in one transaction that completes the claim only if it is still open. */
  private async finish(service: DataService, req: VerificationRequest, { outcome, latencyMs }: Finish): Promise<boolean> {
    const { dataSource: ds, config, now, log } = this.deps;
    const answered = outcome.ok && outcome.answer.result !== 'unknown';
    log.info({ requestId: req.id, service: service.id, outcome: outcome.ok ? outcome.answer.result : outcome.failure, latencyMs }, 'data service lookup');
    const ctx: OpContext = { cal: await this.deps.calendar(), now: now(), publicUrl: config.publicUrl, tz: config.officeTz };
    const auto = await inTransaction(ds, async (m) => {
      const fresh = await loadForUpdate(m, { id: req.id });
      const isAuto = answered && fresh?.status === 'pending';
      const failure = outcome.ok ? (isAuto ? null : answered ? 'not_pending' : outcome.answer.result) : outcome.failure;
      const won = await m
        .createQueryBuilder()
        .update(DataServiceLookup)
        .set({ status: isAuto ? 'answered' : 'fallback', result: outcome.ok ? outcome.answer.result : null, failure, latencyMs, finishedAt: ctx.now })
        .where("request_id = :id AND status = 'claimed'", { id: req.id })
        .execute();
      if (won.affected !== 1) return null;
      if (fresh && isAuto && outcome.ok) await answerForUnit(m, ctx, fresh, service.id, outcome.answer.result === 'consistent', outcome.answer.reply);
      else if (fresh && ['pending', 'accepted', 'returning'].includes(fresh.status)) await fallBack(m, ctx, fresh, failure ?? 'unknown');
      await m
        .createQueryBuilder()
        .update(DataService)
        .set({ calls: () => `calls + ${latencyMs === null ? 0 : 1}`, ...(isAuto ? { autoAnswers: () => 'auto_answers + 1' } : { fallbacks: () => 'fallbacks + 1' }) })
        .where('id = :id', { id: service.id })
        .execute();
      return isAuto;
    });
    if (auto === null) return false;
    const service_ = String(service.id);
    if (latencyMs !== null) this.metrics?.dataServiceLatency.observe({ service: service_ }, latencyMs / 1000);
    this.metrics?.dataServiceLookups.inc({ service: service_, outcome: auto ? 'answered' : 'fallback' });
    const circuit = this.guards.of(service.id).circuit;
    this.metrics?.dataServiceCircuit.set({ service: service_ }, circuit === 'open' ? 1 : circuit === 'half_open' ? 0.5 : 0);
    return true;
  }
}

function asDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`);
}

/**
 * The system answers for the unit: the recipients' waiting cards become the automatic-answer
 * card (result, reply, 改判 until the deadline); the requesting unit gets the ordinary answer.
 */
async function answerForUnit(m: EntityManager, ctx: OpContext, req: VerificationRequest, serviceId: number, consistent: boolean, reply: string | null): Promise<void> {
  const rcps = await takeWaitingRecipients(m, req, DS_TEXT.autoOutcome, ctx.now);
  const details = reply || (consistent ? null : DS_TEXT.defaultMismatch);
  await answerRequest(m, ctx, req, { kind: 'api', name: `system:data-service:${serviceId}`, unitCode: req.issuerUnit }, consistent ? 'match' : 'mismatch', details);
  const view = await cardView(m, ctx, req);
  for (const r of rcps) await queueCard(m, r.userid, autoAnsweredCard(view, r.taskId, consistent ? 'match' : 'mismatch', details, ctx.now), ctx.now, { type: REF.card, id: r.taskId });
}

/**
 * People answer: the full deadline (restarted from now when the lookup came late, e.g. after
 * a crash), then the ordinary cards, saying the lookup failed and why in a neutral word.
 */
async function fallBack(m: EntityManager, ctx: OpContext, req: VerificationRequest, failure: string): Promise<void> {
  const due = computeDeadline(ctx.cal, req.category, ctx.now);
  const late = ctx.now.getTime() - req.startedAt.getTime() > RESTART_AFTER_MS;
  if (req.status === 'pending' && late && due.dueAt.getTime() > req.dueAt.getTime()) {
    const from = req.dueAt;
    if (await transition(m, req, { dueAt: due.dueAt, originalDueAt: due.dueAt, deadlineRule: due.rule, updatedAt: ctx.now }, { statuses: ['pending'] })) {
      await addEvent(m, req, ctx.now, 'deadline_restarted', 'system', { data: { reason: 'data_service_fallback', fromDueAt: from.toISOString(), dueAt: due.dueAt.toISOString() } });
      await m.getRepository(DeadlineTracker).update({ requestId: req.id }, { nextStageAt: ctx.now, state: 'active', updatedAt: ctx.now });
    }
  }
  await addEvent(m, req, ctx.now, 'data_service_fallback', 'system', { data: { failure } });
  if (req.status === 'pending') await sendWaitingCards(m, ctx, req, DS_TEXT.lookupFailed(failureWord(failure)));
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

/**
 * The lookup loop: polls every `intervalMs`, and runs at once when a request whose cards wait
 * for a lookup commits (onLookupNeeded); a wake-up during a pass runs another pass after it.
 */
export function lookupWorker(runner: LookupRunner, ds: DataSource, intervalMs = 1000): Worker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;
  let again = false;
  let stopped = true;
  let unsubscribe: (() => void) | null = null;
  let after: () => void = () => {};
  const pass = async (): Promise<void> => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = runner.runOnce().catch(() => false);
    const did = await running;
    running = null;
    if (did) after();
    if (again) return pass();
  };
  return {
    name: 'data-service-lookups',
    intervalMs,
    start(afterWork) {
      stopped = false;
      after = afterWork;
      timer = setInterval(() => void pass(), intervalMs);
      unsubscribe = onLookupNeeded(ds, () => void pass());
    },
    nudge() {
      void pass();
    },
    runOnce: () => runner.runOnce(),
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearInterval(timer);
      if (running) await running;
    },
  };
}
