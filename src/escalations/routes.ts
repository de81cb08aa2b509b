import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { EntityManager, In } from 'typeorm';
import { DeadlineStageClaim, DeadlineTracker, Escalation, OfficeOrder, VerificationRequest } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { principalOf, requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import { instantSchema } from '../http/schemas';
import { DeadlineDeps } from './deps';
import { officeAction } from './escalations';
import { ORDER_PRESET_LABEL } from './messages';
import { DEFAULT_STAGE_RULES, effectiveRules, stageTablePatch } from './stages';
import { loadStagePatch, saveStagePatch } from './settings';

function iso(cal: WorkingCalendar, d: Date | null | undefined): string | null {
  return d ? formatInZone(cal, d) : null;
}

function orderView(cal: WorkingCalendar, o: OfficeOrder) {
  return { id: o.id, kind: o.kind, actor: o.actor, completeBy: iso(cal, o.completeBy), preset: o.preset, note: o.note, at: iso(cal, o.createdAt) };
}

/** An escalation as the office sees it: no personal data (SPEC 1 Art. 12). */
export function escalationJson(cal: WorkingCalendar, e: Escalation, req: Pick<VerificationRequest, 'status' | 'closedAt'> | null, orders: OfficeOrder[]) {
  return {
    id: e.id,
    requestId: e.requestId,
    number: e.number,
    level: e.level,
    stage: e.stage,
    requesterUnit: e.requesterUnit,
    issuerUnit: e.issuerUnit,
    owner: e.owner,
    category: e.category,
    missedDueAt: iso(cal, e.missedDueAt),
    escalatedAt: iso(cal, e.escalatedAt),
    lateMinutes: e.lateMinutes,
    /** appchat / robot once queued to the office group; none: no group configured (recorded only). */
    groupDelivery: e.groupState === 'sent' ? e.groupChannel : e.groupState,
    announcedAt: iso(cal, e.announcedAt),
    officeMembers: e.officeMembers ? (JSON.parse(e.officeMembers) as string[]) : [],
    requestStatus: req?.status ?? null,
    resolvedAt: iso(cal, req?.closedAt),
    orders: orders.filter((o) => o.escalationId === e.id).map((o) => orderView(cal, o)),
  };
}

async function escalationsWithContext(m: EntityManager, cal: WorkingCalendar, rows: Escalation[]) {
  const ids = [...new Set(rows.map((r) => r.requestId))];
  const reqs = ids.length ? await m.getRepository(VerificationRequest).find({ where: { id: In(ids) }, select: { id: true, status: true, closedAt: true } }) : [];
  const byId = new Map(reqs.map((r) => [r.id, r]));
  const orders = rows.length ? await m.getRepository(OfficeOrder).find({ where: { escalationId: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } }) : [];
  return rows.map((e) => escalationJson(cal, e, byId.get(e.requestId) ?? null, orders));
}

const note = z.string().trim().max(2000).nullable().optional();

/**
 * /api/v1: escalations and office actions for the web console (the same rules as the
 * WeCom card), the per-request deadline trail, and the office's stage settings.
 */
export function escalationsRouter(deps: ModuleDeps, d: DeadlineDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;
  const order = z
    .object({
      preset: z.enum(Object.keys(ORDER_PRESET_LABEL) as [keyof typeof ORDER_PRESET_LABEL, ...Array<keyof typeof ORDER_PRESET_LABEL>]).optional(),
      completeBy: instantSchema(tz).optional(),
      note,
    })
    .strict()
    .refine((b) => !(b.preset && b.completeBy), 'give preset or completeBy, not both');
  /** 约谈: note is the effect of the late answer; person defaults to the owner or the liaison. */
  const summons = z.object({ note: z.string().trim().min(1).max(2000), person: z.string().max(64).optional(), officeRequest: z.string().trim().min(1).max(2000).optional() }).strict();
  const listQuery = z.object({
    open: z.enum(['true', 'false']).optional(),
    level: z.enum(['1', '2']).optional(),
    unit: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  });

  r.get('/escalations', async (ctx: Context) => {
    requireOffice(ctx);
    const q = listQuery.parse(ctx.query);
    const cal = await deps.calendar();
    const qb = ds.getRepository(Escalation).createQueryBuilder('e').orderBy('e.id', 'DESC').limit(q.limit);
    if (q.level) qb.andWhere('e.level = :l', { l: Number(q.level) });
    if (q.unit) qb.andWhere('e.issuer_unit = :u', { u: q.unit });
    if (q.open === 'true') qb.innerJoin(VerificationRequest, 'r', 'r.id = e.request_id AND r.status IN (:...st)', { st: ['pending', 'accepted', 'returning'] });
    const rows = await qb.getMany();
    ctx.body = { escalations: await escalationsWithContext(ds.manager, cal, rows) };
  });

  r.get('/escalations/:id', async (ctx: Context) => {
    requireOffice(ctx);
    const cal = await deps.calendar();
    const e = /^\d{1,10}$/.test(ctx.params.id) ? await ds.getRepository(Escalation).findOneBy({ id: Number(ctx.params.id) }) : null;
    if (!e) throw new AppError('escalation_not_found', `no escalation ${ctx.params.id}`);
    ctx.body = (await escalationsWithContext(ds.manager, cal, [e]))[0];
  });

  const act = (kind: 'urge' | 'order' | 'summons') => async (ctx: Context) => {
    const p = requireOffice(ctx);
    const raw = await readJson(ctx);
    const body = kind === 'order' ? order.parse(raw) : kind === 'summons' ? summons.parse(raw) : z.object({ note }).strict().parse(raw);
    const id = /^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
    const now = deps.now();
    const cal = await deps.calendar();
    const result = await inTransaction(ds, async (m) => {
      const input = kind === 'order' ? { kind, ...(body as z.infer<typeof order>) } : kind === 'summons' ? { kind, ...(body as z.infer<typeof summons>) } : { kind, note: (body as { note?: string | null }).note };
      const res = await officeAction(m, d, cal, id, { kind: 'api', name: p.name, unitCode: null }, input, now);
      return { order: res.order, escalation: (await escalationsWithContext(m, cal, [res.escalation]))[0] };
    });
    ctx.status = 201;
    ctx.body = { action: orderView(cal, result.order), escalation: result.escalation };
  };
  r.post('/escalations/:id/urge', act('urge'));
  r.post('/escalations/:id/order', act('order'));
  r.post('/escalations/:id/summons', act('summons'));

  /** The deadline trail of one request: tracker, every stage fired or skipped, escalations. */
  r.get('/deadlines/:requestId', async (ctx: Context) => {
    const p = principalOf(ctx);
    const cal = await deps.calendar();
    const id = /^\d{1,10}$/.test(ctx.params.requestId) ? Number(ctx.params.requestId) : NaN;
    const req = Number.isNaN(id) ? null : await ds.getRepository(VerificationRequest).findOne({ where: { id }, select: { id: true, number: true, status: true, requesterUnit: true, issuerUnit: true, dueAt: true, closedAt: true } });
    if (!req || (p.kind === 'unit' && p.unitCode !== req.requesterUnit && p.unitCode !== req.issuerUnit)) throw new AppError('verification_not_found', `no verification request ${ctx.params.requestId}`);
    const tracker = await ds.getRepository(DeadlineTracker).findOneBy({ requestId: id });
    const claims = await ds.getRepository(DeadlineStageClaim).find({ where: { requestId: id }, order: { id: 'ASC' } });
    const escs = await ds.getRepository(Escalation).find({ where: { requestId: id }, order: { id: 'ASC' } });
    ctx.body = {
      requestId: req.id,
      number: req.number,
      status: req.status,
      dueAt: iso(cal, req.dueAt),
      tracker: tracker ? { state: tracker.state, nextStageAt: iso(cal, tracker.nextStageAt), level: tracker.level, orderId: tracker.orderId, failures: tracker.failures, lastError: tracker.lastError } : null,
      stages: claims.map((c) => ({ stage: c.stage, outcome: c.outcome, note: c.note, recipients: c.recipients ? JSON.parse(c.recipients) : [], plannedAt: iso(cal, c.plannedAt), firedAt: iso(cal, c.firedAt) })),
      escalations: p.kind === 'office' ? await escalationsWithContext(ds.manager, cal, escs) : escs.map((e) => ({ id: e.id, level: e.level, escalatedAt: iso(cal, e.escalatedAt) })),
    };
  });

  r.get('/deadline-stages', async (ctx: Context) => {
    requireOffice(ctx);
    const patch = await loadStagePatch(ds.manager);
    ctx.body = { effective: effectiveRules(patch), defaults: DEFAULT_STAGE_RULES, overrides: patch ?? {} };
  });

  r.put('/deadline-stages', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const patch = stageTablePatch.parse(await readJson(ctx));
    const now = deps.now();
    const saved = await inTransaction(ds, (m) => saveStagePatch(m, patch, `api:${p.name}`, now));
    ctx.body = { effective: effectiveRules(saved), defaults: DEFAULT_STAGE_RULES, overrides: saved };
  });

  return r;
}
