import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { EntityManager, In } from 'typeorm';
import { AccountabilityCase, AccountabilityEvent } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { Principal, principalOf, requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { WorkingCalendar, addDays, formatInZone } from '../calendar';
import { dayStart } from '../calendar/period';
import { isValidDate } from '../directory/rules';
import { CASE_OUTCOMES, EXEMPTION_GROUNDS, countsForAppraisal } from './service';
import { DECIDING_BODIES } from './codes';
import { Party, applyForExemption, decideExemption, recordAppeal, recordAppealDecision, recordDecision, recordExemption, recordInvestigation } from './steps';
import { casesWorkbook } from './xlsx';
import { APPEAL_LABEL, BODY_LABEL, EMPLOYMENT_LABEL, EVENT_LABEL, EXEMPTION_STATE_LABEL, OUTCOME_LABEL, EXEMPTION_LABEL, GROUND_LABEL, STATUS_LABEL } from './messages';

function iso(cal: WorkingCalendar, d: Date | null): string | null {
  return d ? formatInZone(cal, d) : null;
}

export function caseJson(cal: WorkingCalendar, c: AccountabilityCase, events?: AccountabilityEvent[]) {
  return {
    id: c.id,
    ground: c.ground,
    groundLabel: GROUND_LABEL[c.ground] ?? c.ground,
    unit: c.unitCode,
    person: c.personUserid,
    personRole: c.personRole,
    employment: c.employment,
    employmentLabel: c.employment ? EMPLOYMENT_LABEL[c.employment] : null,
    requestId: c.requestId,
    facts: JSON.parse(c.facts) as unknown,
    occurredAt: iso(cal, c.occurredAt),
    status: c.status,
    statusLabel: STATUS_LABEL[c.status],
    countsForAppraisal: countsForAppraisal(c),
    decision: c.outcome
      ? { outcome: c.outcome, label: OUTCOME_LABEL[c.outcome], body: c.decidingBody, bodyLabel: c.decidingBody ? BODY_LABEL[c.decidingBody] : null, note: c.outcomeNote, rectifyBy: c.rectifyBy, decidedBy: c.decidedBy, decidedAt: iso(cal, c.decidedAt) }
      : null,
    appeal: c.appealState ? { state: c.appealState, label: APPEAL_LABEL[c.appealState], reason: c.appealReason, by: c.appealBy, appealedAt: iso(cal, c.appealedAt), decidedAt: iso(cal, c.appealDecidedAt) } : null,
    exemption: c.exemptionState
      ? {
          state: c.exemptionState,
          stateLabel: EXEMPTION_STATE_LABEL[c.exemptionState],
          ground: c.exemptionGround,
          label: c.exemptionGround ? EXEMPTION_LABEL[c.exemptionGround] : null,
          explanation: c.exemptionNote,
          appliedBy: c.exemptionAppliedBy,
          appliedAt: iso(cal, c.exemptionAppliedAt),
          investigation: c.exemptionInvestigation,
          approver: c.exemptionApprover,
          filedAt: iso(cal, c.exemptionFiledAt),
        }
      : null,
    ...(events ? { events: events.map((e) => ({ at: iso(cal, e.at), type: e.type, label: EVENT_LABEL[e.type] ?? e.type, actor: e.actor, data: e.data ? (JSON.parse(e.data) as unknown) : null })) } : {}),
  };
}

const date = z.string().refine(isValidDate, 'a date YYYY-MM-DD');
const text = (max: number) => z.string().trim().min(1).max(max);
const outcome = z.enum(CASE_OUTCOMES as [string, ...string[]]);
const art8 = z.enum(EXEMPTION_GROUNDS as [string, ...string[]], { error: `ground: one of ${EXEMPTION_GROUNDS.join(', ')} (Art. 8 (1)-(5))` });

/** Bodies of the step routes; the console validates its forms with the same schemas. */
export const caseStepSchemas = {
  decision: z
    .object({
      outcome,
      body: z.enum(DECIDING_BODIES as [string, ...string[]], { error: `body: one of ${DECIDING_BODIES.join(', ')} (Art. 5)` }),
      note: z.string().trim().max(4000).nullable().optional(),
      rectifyBy: date.nullable().optional(),
      decidedBy: text(100).optional(),
    })
    .strict(),
  appeal: z.object({ reason: text(4000) }).strict(),
  appealDecision: z.object({ result: z.enum(['upheld', 'revised', 'revoked']), note: z.string().trim().max(4000).nullable().optional(), outcome: outcome.nullable().optional(), rectifyBy: date.nullable().optional() }).strict(),
  exemption: z.object({ ground: art8, explanation: text(4000) }).strict(),
  exemptionRecord: z.object({ ground: art8, note: text(4000), decidedBy: text(100) }).strict(),
  investigation: z.object({ findings: text(4000) }).strict(),
  exemptionDecision: z.object({ approved: z.boolean(), approver: text(100), note: z.string().trim().max(4000).nullable().optional() }).strict(),
  list: z.object({
    unit: z.string().max(40).optional(),
    person: z.string().max(64).optional(),
    status: z.enum(['open', 'decided', 'exempted', 'revoked']).optional(),
    from: date.optional(),
    to: date.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  }),
};

function label(p: Principal): string {
  return `api:${p.name}`.slice(0, 100);
}

/**
 * Art. 6-7: an appeal or exemption is filed by the case's unit, through its key, or by the
 * person in WeCom. The office records results and is no party: it is refused here.
 */
function party(p: Principal): Party {
  if (p.kind === 'unit') return { kind: 'unit', unitCode: p.unitCode };
  throw new AppError('accountability_not_party', 'an appeal or exemption is filed by the case\'s unit (its key) or the person concerned (WeCom); the office records the result');
}

/**
 * /api/v1/accountability (SPEC 4): the office reads every case and records outcome (Art. 5),
 * appeal (Art. 6) and exemption (Art. 7, 8); a unit's key reads its own unit's cases.
 */
export function accountabilityRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;

  const listed = async (ctx: Context, cal: WorkingCalendar): Promise<AccountabilityCase[]> => {
    const p = principalOf(ctx);
    const q = caseStepSchemas.list.parse(ctx.query);
    const qb = ds.getRepository(AccountabilityCase).createQueryBuilder('c').orderBy('c.occurred_at', 'DESC').addOrderBy('c.id', 'DESC').limit(q.limit);
    const unit = p.kind === 'unit' ? p.unitCode : q.unit;
    if (p.kind === 'unit' && q.unit && q.unit !== p.unitCode) throw new AppError('forbidden', 'a unit key reads its own unit only');
    if (unit) qb.andWhere('c.unit_code = :u', { u: unit });
    if (q.person) qb.andWhere('c.person_userid = :p', { p: q.person });
    if (q.status) qb.andWhere('c.status = :s', { s: q.status });
    if (q.from) qb.andWhere('c.occurred_at >= :f', { f: dayStart(cal, q.from) });
    if (q.to) qb.andWhere('c.occurred_at < :t', { t: dayStart(cal, addDays(q.to)) });
    return qb.getMany();
  };

  r.get('/accountability/cases', async (ctx: Context) => {
    const cal = await deps.calendar();
    const rows = await listed(ctx, cal);
    const events = rows.length ? await ds.getRepository(AccountabilityEvent).find({ where: { caseId: In(rows.map((c) => c.id)) }, order: { id: 'ASC' } }) : [];
    ctx.body = { cases: rows.map((c) => caseJson(cal, c, events.filter((e) => e.caseId === c.id))) };
  });

  /** The same list, every step with who and when, as a workbook. */
  r.get('/accountability/cases.xlsx', async (ctx: Context) => {
    const cal = await deps.calendar();
    const rows = await listed(ctx, cal);
    const events = rows.length ? await ds.getRepository(AccountabilityEvent).find({ where: { caseId: In(rows.map((c) => c.id)) }, order: { id: 'ASC' } }) : [];
    ctx.attachment('accountability-cases.xlsx');
    ctx.body = await casesWorkbook(cal, rows, events);
  });

  r.get('/accountability/cases/:id', async (ctx: Context) => {
    const p = principalOf(ctx);
    const cal = await deps.calendar();
    const c = /^\d{1,10}$/.test(ctx.params.id) ? await ds.getRepository(AccountabilityCase).findOneBy({ id: Number(ctx.params.id) }) : null;
    if (!c || (p.kind === 'unit' && p.unitCode !== c.unitCode)) throw new AppError('accountability_case_not_found', `no accountability case ${ctx.params.id}`);
    const events = await ds.getRepository(AccountabilityEvent).find({ where: { caseId: c.id }, order: { id: 'ASC' } });
    ctx.body = caseJson(cal, c, events);
  });

  type Step<T> = (id: number, body: T, p: Principal, now: Date) => (m: EntityManager) => Promise<AccountabilityCase>;
  const write = <T>(schema: z.ZodType<T>, fn: Step<T>, who: 'office' | 'party' = 'office') => async (ctx: Context) => {
    const p = who === 'office' ? requireOffice(ctx) : principalOf(ctx);
    const body = schema.parse(await readJson(ctx));
    const id = /^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
    const now = deps.now();
    const cal = await deps.calendar();
    const c = await inTransaction(ds, fn(id, body, p, now));
    const events = await ds.getRepository(AccountabilityEvent).find({ where: { caseId: c.id }, order: { id: 'ASC' } });
    ctx.body = caseJson(cal, c, events);
  };

  r.post('/accountability/cases/:id/decision', write(caseStepSchemas.decision, (id, b, p, now) => (m) => recordDecision(m, id, b as Parameters<typeof recordDecision>[2], label(p), now)));
  r.post('/accountability/cases/:id/appeal', write(caseStepSchemas.appeal, (id, b, p, now) => (m) => recordAppeal(m, id, b.reason, party(p), now), 'party'));
  r.post('/accountability/cases/:id/appeal/decision', write(caseStepSchemas.appealDecision, (id, b, p, now) => (m) => recordAppealDecision(m, id, b as Parameters<typeof recordAppealDecision>[2], label(p), now)));
  r.post('/accountability/cases/:id/exemption', write(caseStepSchemas.exemptionRecord, (id, b, p, now) => (m) => recordExemption(m, id, b as Parameters<typeof recordExemption>[2], label(p), now)));
  r.post('/accountability/cases/:id/exemption/application', write(caseStepSchemas.exemption, (id, b, p, now) => (m) => applyForExemption(m, id, b as Parameters<typeof applyForExemption>[2], party(p), now), 'party'));
  r.post('/accountability/cases/:id/exemption/investigation', write(caseStepSchemas.investigation, (id, b, p, now) => (m) => recordInvestigation(m, id, b.findings, label(p), now)));
  r.post('/accountability/cases/:id/exemption/decision', write(caseStepSchemas.exemptionDecision, (id, b, p, now) => (m) => decideExemption(m, id, b, label(p), now)));
  return r;
}
