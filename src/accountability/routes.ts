import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { AccountabilityCase, AccountabilityEvent } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { Principal, principalOf, requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { WorkingCalendar, addDays, formatInZone } from '../calendar';
import { dayStart } from '../calendar/period';
import { isValidDate } from '../directory/rules';
import { CASE_OUTCOMES, EXEMPTION_GROUNDS, countsForAppraisal, recordAppeal, recordAppealDecision, recordDecision, recordExemption } from './service';
import { OUTCOME_LABEL, EXEMPTION_LABEL, GROUND_LABEL, STATUS_LABEL } from './messages';

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
    requestId: c.requestId,
    facts: JSON.parse(c.facts) as unknown,
    occurredAt: iso(cal, c.occurredAt),
    status: c.status,
    statusLabel: STATUS_LABEL[c.status],
    countsForAppraisal: countsForAppraisal(c),
    decision: c.outcome ? { outcome: c.outcome, label: OUTCOME_LABEL[c.outcome], note: c.outcomeNote, rectifyBy: c.rectifyBy, decidedBy: c.decidedBy, decidedAt: iso(cal, c.decidedAt) } : null,
    appeal: c.appealState ? { state: c.appealState, reason: c.appealReason, appealedAt: iso(cal, c.appealedAt), decidedAt: iso(cal, c.appealDecidedAt) } : null,
    exemption: c.exemptionGround ? { ground: c.exemptionGround, label: EXEMPTION_LABEL[c.exemptionGround], note: c.exemptionNote, decidedBy: c.decidedBy, exemptedAt: iso(cal, c.exemptedAt) } : null,
    ...(events ? { events: events.map((e) => ({ at: iso(cal, e.at), type: e.type, actor: e.actor, data: e.data ? (JSON.parse(e.data) as unknown) : null })) } : {}),
  };
}

const date = z.string().refine(isValidDate, 'a date YYYY-MM-DD');
const text = (max: number) => z.string().trim().min(1).max(max);
const outcome = z.enum(CASE_OUTCOMES as [string, ...string[]]);

const schemas = {
  decision: z.object({ outcome, note: z.string().trim().max(4000).nullable().optional(), rectifyBy: date.nullable().optional(), decidedBy: text(100) }).strict(),
  appeal: z.object({ reason: text(4000) }).strict(),
  appealDecision: z.object({ result: z.enum(['upheld', 'revised', 'revoked']), note: z.string().trim().max(4000).nullable().optional(), outcome: outcome.nullable().optional(), rectifyBy: date.nullable().optional() }).strict(),
  exemption: z.object({ ground: z.enum(EXEMPTION_GROUNDS as [string, ...string[]]), note: text(4000), decidedBy: text(100) }).strict(),
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
 * /api/v1/accountability (SPEC 4): the office reads every case and records outcome (Art. 5),
 * appeal (Art. 6) and exemption (Art. 7, 8); a unit's key reads its own unit's cases.
 */
export function accountabilityRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;

  r.get('/accountability/cases', async (ctx: Context) => {
    const p = principalOf(ctx);
    const q = schemas.list.parse(ctx.query);
    const cal = await deps.calendar();
    const qb = ds.getRepository(AccountabilityCase).createQueryBuilder('c').orderBy('c.occurred_at', 'DESC').addOrderBy('c.id', 'DESC').limit(q.limit);
    const unit = p.kind === 'unit' ? p.unitCode : q.unit;
    if (p.kind === 'unit' && q.unit && q.unit !== p.unitCode) throw new AppError('forbidden', 'a unit key reads its own unit only');
    if (unit) qb.andWhere('c.unit_code = :u', { u: unit });
    if (q.person) qb.andWhere('c.person_userid = :p', { p: q.person });
    if (q.status) qb.andWhere('c.status = :s', { s: q.status });
    if (q.from) qb.andWhere('c.occurred_at >= :f', { f: dayStart(cal, q.from) });
    if (q.to) qb.andWhere('c.occurred_at < :t', { t: dayStart(cal, addDays(q.to)) });
    const rows = await qb.getMany();
    ctx.body = { cases: rows.map((c) => caseJson(cal, c)) };
  });

  r.get('/accountability/cases/:id', async (ctx: Context) => {
    const p = principalOf(ctx);
    const cal = await deps.calendar();
    const c = /^\d{1,10}$/.test(ctx.params.id) ? await ds.getRepository(AccountabilityCase).findOneBy({ id: Number(ctx.params.id) }) : null;
    if (!c || (p.kind === 'unit' && p.unitCode !== c.unitCode)) throw new AppError('accountability_case_not_found', `no accountability case ${ctx.params.id}`);
    const events = await ds.getRepository(AccountabilityEvent).find({ where: { caseId: c.id }, order: { id: 'ASC' } });
    ctx.body = caseJson(cal, c, events);
  });

  const write = <T>(schema: z.ZodType<T>, fn: (id: number, body: T, actor: string, now: Date) => (m: Parameters<Parameters<typeof inTransaction>[1]>[0]) => Promise<AccountabilityCase>) => async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = schema.parse(await readJson(ctx));
    const id = /^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
    const now = deps.now();
    const cal = await deps.calendar();
    const c = await inTransaction(ds, fn(id, body, label(p), now));
    const events = await ds.getRepository(AccountabilityEvent).find({ where: { caseId: c.id }, order: { id: 'ASC' } });
    ctx.body = caseJson(cal, c, events);
  };

  r.post('/accountability/cases/:id/decision', write(schemas.decision, (id, b, actor, now) => (m) => recordDecision(m, id, b as Parameters<typeof recordDecision>[2], actor, now)));
  r.post('/accountability/cases/:id/appeal', write(schemas.appeal, (id, b, actor, now) => (m) => recordAppeal(m, id, b.reason, actor, now)));
  r.post('/accountability/cases/:id/appeal/decision', write(schemas.appealDecision, (id, b, actor, now) => (m) => recordAppealDecision(m, id, b as Parameters<typeof recordAppealDecision>[2], actor, now)));
  r.post('/accountability/cases/:id/exemption', write(schemas.exemption, (id, b, actor, now) => (m) => recordExemption(m, id, b as Parameters<typeof recordExemption>[2], actor, now)));
  return r;
}
