/**
 * /api/v1/complaints (CONTRACT.md) and /api/v1/stats/complaints: parse, authenticate,
 * call the lifecycle in one transaction, answer. Office keys do everything; a unit key
 * reads the cases against its own unit, complainant masked.
 */
import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { Complaint } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { principalOf, requireOffice } from '../http/auth';
import { inTransactionRetrying as inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone, parseInstant } from '../calendar';
import { ComplaintExtension } from '../../entities';
import { applyForExtension, decideExtension } from './extension';
import { assignAgency, reopenComplaint } from './oversight';
import { complaintAnalysis, parsePeriod, saveMeasures } from './analysis';
import {
  Ctx,
  acceptComplaint,
  assessComplaint,
  recordResultDelivered,
  registerComplaint,
  rejectComplaint,
  resolveComplaint,
  terminateComplaint,
} from './lifecycle';
import { CASE_NUMBER, CHANNELS, GROUND_CODES, MAX_EXTENSION_WORKING_DAYS, REJECTION_GROUNDS, STAFF_CHANNELS, STATUSES, TERMINATION_GROUNDS } from './model';
import { complaintDetail, complaintSummary, maskComplaintText, originalNumbers } from './views';
import { apiReader, logReads } from '../verification/read-log';
import { complaintStats, complaintStatsWorkbook, monthRange } from './stats';

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullish();

export const registerBody = z.object({
  channel: z.enum(STAFF_CHANNELS as [string, ...string[]]),
  ground: z.enum(GROUND_CODES),
  agencyCode: z.string().trim().min(1).max(40).nullish(),
  agencyName: z.string().trim().min(1).max(100).nullish(),
  facts: text(5000),
  request: text(2000),
  name: text(100),
  phone: z.string().trim().min(1).max(40).refine((s) => !/\p{L}/u.test(s.normalize('NFKC')), 'a phone number has digits only'),
  isProxy: z.boolean().default(false),
  principalName: optionalText(100),
  /** When the letter, call or visit came in (ISO-8601); default: now. */
  receivedAt: z.string().max(40).optional(),
  /** Art. 3 receiver, e.g. "12345热线中心", "审批服务窗口". */
  receivedBy: z.string().trim().max(100).optional(),
});

const rejectBody = z.object({ ground: z.enum(REJECTION_GROUNDS), reason: optionalText(2000) });
const terminateBody = z.object({ ground: z.enum(TERMINATION_GROUNDS), reason: optionalText(2000) });
const extensionBody = z.object({ days: z.number().int().min(1).max(MAX_EXTENSION_WORKING_DAYS), reason: text(2000) });
const decisionBody = z.object({ grant: z.boolean(), note: optionalText(2000) });
const reopenBody = z.object({ reason: text(2000) });
const measuresBody = z.object({ measures: text(10000) });
const resolveBody = z.object({ result: text(4000), upheld: z.boolean().nullish(), accountablePerson: optionalText(100) });
const assignBody = z.object({ agencyCode: z.string().trim().min(1).max(40) });
const deliveredBody = z.object({ how: text(200) });
const assessBody = z.object({ upheld: z.boolean(), accountablePerson: optionalText(100) });

const listQuery = z.object({
  status: z.enum(STATUSES as [string, ...string[]]).optional(),
  channel: z.enum(CHANNELS).optional(),
  agency: z.string().max(40).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  duplicates: z.enum(['include', 'exclude', 'only']).default('include'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

function officeActor(ctx: Context): Ctx['actor'] {
  const p = requireOffice(ctx);
  return { by: 'office', name: `office:${p.name}`.slice(0, 100) };
}

/** A day (YYYY-MM-DD, office-local) or an instant; `end` makes a day inclusive. */
function boundary(s: string, cal: WorkingCalendar, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const d = parseInstant(`${s}T00:00`, cal);
    return end ? new Date(parseInstant(`${s}T00:00`, cal).getTime() + 86_400_000) : d;
  }
  return parseInstant(s, cal);
}

function idOf(ctx: Context): number {
  const raw = String(ctx.params.id ?? '');
  if (!/^\d{1,12}$/.test(raw)) throw new AppError('complaint_not_found', `no complaint ${raw.slice(0, 40)}`);
  return Number(raw);
}

export function complaintsRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;

  // Read at each request: the office group is configuration the tests (and an operator) may change.
  const officeGroup = () => ({ chatId: deps.config.officeChatId, robotWebhook: deps.config.officeRobotWebhook });
  const detail = async (id: number, cal: WorkingCalendar, masked = false) => {
    const c = await ds.getRepository(Complaint).findOneBy({ id });
    if (!c) throw new AppError('complaint_not_found', `no complaint ${id}`);
    const apps = await ds.getRepository(ComplaintExtension).find({ where: { complaintId: id }, order: { id: 'ASC' } });
    const at = (d: Date | null) => (d ? formatInZone(cal, d) : null);
    return {
      ...(await complaintDetail(ds.manager, c, cal, deps.now(), { masked })),
      reopenCount: c.reopenCount,
      reopenedAt: at(c.reopenedAt),
      // Art. 10: the agency's applications and the office's decisions.
      extensionApplications: apps.map((a) => ({
        id: a.id,
        agencyCode: a.agencyCode,
        days: a.days,
        reason: masked ? maskComplaintText(a.reason, c) : a.reason,
        requestedBy: a.requestedBy,
        requestedAt: at(a.requestedAt),
        previousDueAt: at(a.previousDueAt),
        status: a.status,
        decidedBy: a.decidedBy,
        decidedAt: at(a.decidedAt),
        note: masked ? maskComplaintText(a.note, c) : a.note,
        newDueAt: at(a.newDueAt),
      })),
    };
  };

  /** Art. 12: the office's analysis of one period, and the measures it proposes. Before /:id. */
  r.get('/complaints/analysis', async (ctx: Context) => {
    requireOffice(ctx);
    const cal = await deps.calendar();
    const period = parsePeriod(typeof ctx.query.period === 'string' ? ctx.query.period : undefined, cal, deps.now());
    ctx.body = await complaintAnalysis(ds.manager, period, cal, deps.now());
  });
  r.put('/complaints/analysis/:period/measures', async (ctx: Context) => {
    const actor = officeActor(ctx);
    const cal = await deps.calendar();
    const period = parsePeriod(String(ctx.params.period), cal, deps.now());
    const body = measuresBody.parse(await readJson(ctx));
    await inTransaction(ds, (m) => saveMeasures(m, period.key, body.measures, actor.name, deps.now()));
    ctx.body = await complaintAnalysis(ds.manager, period, cal, deps.now());
  });

  /** A complaint received by phone, letter, fax, SMS, e-mail, online, at the window... (Art. 5, 7). */
  r.post('/complaints', async (ctx: Context) => {
    const actor = officeActor(ctx);
    const body = registerBody.parse(await readJson(ctx));
    const idem = ctx.get('idempotency-key');
    if (idem && !/^[\x21-\x7e]{1,100}$/.test(idem)) throw new AppError('validation_failed', 'Idempotency-Key must be 1-100 visible ASCII characters');
    const cal = await deps.calendar();
    const now = deps.now();
    const receivedAt = body.receivedAt ? parseInstant(body.receivedAt, cal) : now;
    if (receivedAt.getTime() > now.getTime() + 5 * 60_000) throw new AppError('validation_failed', 'receivedAt is in the future', { details: { field: 'receivedAt' } });
    const res = await inTransaction(ds, (m) =>
      registerComplaint(
        m,
        {
          channel: body.channel as (typeof STAFF_CHANNELS)[number],
          ground: body.ground,
          agencyCode: body.agencyCode ?? null,
          agencyName: body.agencyName ?? null,
          facts: body.facts,
          request: body.request,
          name: body.name,
          phone: body.phone,
          isProxy: body.isProxy,
          principalName: body.principalName ?? null,
          receivedAt,
          receivedBy: body.receivedBy ?? '',
          sourceKey: idem ? `api:${idem}` : null,
        },
        { cal, now, actor },
      ),
    );
    deps.log.info({ complaint: res.complaint.number, channel: body.channel, created: res.created, duplicateOf: res.original?.number ?? null }, 'complaint registered');
    ctx.status = res.created ? 201 : 200;
    ctx.body = await detail(res.complaint.id, cal);
  });

  /** Office: newest first. */
  r.get('/complaints', async (ctx: Context) => {
    requireOffice(ctx);
    const q = listQuery.parse(ctx.query);
    const cal = await deps.calendar();
    const qb = ds.getRepository(Complaint).createQueryBuilder('c');
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.channel) qb.andWhere('c.channel = :channel', { channel: q.channel });
    if (q.agency) qb.andWhere('c.agency_code = :agency', { agency: q.agency });
    if (q.from) qb.andWhere('c.received_at >= :from', { from: boundary(q.from, cal, false) });
    if (q.to) qb.andWhere('c.received_at < :to', { to: boundary(q.to, cal, true) });
    if (q.duplicates === 'exclude') qb.andWhere('c.duplicate_of IS NULL');
    if (q.duplicates === 'only') qb.andWhere('c.duplicate_of IS NOT NULL');
    const [rows, total] = await qb.orderBy('c.registered_at', 'DESC').addOrderBy('c.id', 'DESC').skip(q.offset).take(q.limit).getManyAndCount();
    const originals = await originalNumbers(ds.manager, rows);
    const now = deps.now();
    await logReads(ds.manager, 'complaint', rows.map((c) => c.id), apiReader(principalOf(ctx)), 'api', 'complainant_name,complainant_phone', now);
    ctx.body = { total, items: rows.map((c) => complaintSummary(c, cal, now, originals)) };
  });

  /** By id, or by case number (TS20261126-0003). */
  r.get('/complaints/:id', async (ctx: Context) => {
    const p = principalOf(ctx);
    const byNumber = CASE_NUMBER.test(String(ctx.params.id)) ? await ds.getRepository(Complaint).findOne({ select: { id: true }, where: { number: String(ctx.params.id) } }) : null;
    const id = byNumber ? byNumber.id : idOf(ctx);
    const cal = await deps.calendar();
    if (p.kind === 'unit') {
      const c = await ds.getRepository(Complaint).findOne({ select: { id: true, agencyCode: true }, where: { id } });
      // Another unit's case reads as unknown: existence is not revealed.
      if (!c || c.agencyCode !== p.unitCode) throw new AppError('complaint_not_found', `no complaint ${id}`);
      ctx.body = await detail(id, cal, true);
      await logReads(ds.manager, 'complaint', [id], apiReader(p), 'api', 'complainant_masked,facts_masked', deps.now());
      return;
    }
    ctx.body = await detail(id, cal);
    // SPEC 1 Art. 12: an API read of personal data is logged like a page view
    await logReads(ds.manager, 'complaint', [id], apiReader(p), 'api', 'complainant_name,complainant_phone,facts', deps.now());
  });

  const action = <T>(path: string, schema: z.ZodType<T>, run: (m: Parameters<Parameters<typeof inTransaction>[1]>[0], id: number, body: T, c: Ctx) => Promise<unknown>) => {
    r.post(`/complaints/:id/${path}`, async (ctx: Context) => {
      const actor = officeActor(ctx);
      const id = idOf(ctx);
      const body = schema.parse(await readJson(ctx));
      const cal = await deps.calendar();
      const now = deps.now();
      await inTransaction(ds, (m) => run(m, id, body, { cal, now, actor, office: officeGroup() }));
      ctx.body = await detail(id, cal);
    });
  };

  /** Art. 10: the agency applies (its own unit key); the office decides. */
  r.post('/complaints/:id/extension', async (ctx: Context) => {
    const p = principalOf(ctx);
    if (p.kind !== 'unit') throw new AppError('forbidden', 'the agency complained about applies for an extension with its unit key; the office decides it (…/extension/decision)');
    const id = idOf(ctx);
    const body = extensionBody.parse(await readJson(ctx));
    const cal = await deps.calendar();
    const now = deps.now();
    const own = await ds.getRepository(Complaint).findOne({ select: { id: true, agencyCode: true }, where: { id } });
    // Another unit's case reads as unknown, as in GET.
    if (!own || own.agencyCode !== p.unitCode) throw new AppError('complaint_not_found', `no complaint ${id}`);
    await inTransaction(ds, (m) => applyForExtension(m, id, body, p.unitCode, { cal, now, actor: { by: 'agency', name: `unit:${p.name}`.slice(0, 100) }, office: officeGroup() }));
    ctx.status = 201;
    ctx.body = await detail(id, cal, true);
  });

  action('accept', z.object({}), (m, id, _b, c) => acceptComplaint(m, id, c));
  action('reject', rejectBody, (m, id, b, c) => rejectComplaint(m, id, b, c));
  action('extension/decision', decisionBody, (m, id, b, c) => decideExtension(m, id, b, c));
  action('reopen', reopenBody, (m, id, b, c) => reopenComplaint(m, id, b, c));
  action('resolve', resolveBody, (m, id, b, c) => resolveComplaint(m, id, b, c));
  action('terminate', terminateBody, (m, id, b, c) => terminateComplaint(m, id, b, c));
  action('assign', assignBody, (m, id, b, c) => assignAgency(m, id, b.agencyCode, c));
  action('result-delivered', deliveredBody, (m, id, b, c) => recordResultDelivered(m, id, b.how, c));
  action('assessment', assessBody, (m, id, b, c) => assessComplaint(m, id, b, c));

  /** Art. 12-13: counts per month by ground, agency, channel and outcome; ?format=xlsx for the workbook. */
  const stats = async (ctx: Context, xlsx: boolean) => {
    requireOffice(ctx);
    const cal = await deps.calendar();
    const range = monthRange(typeof ctx.query.from === 'string' ? ctx.query.from : undefined, typeof ctx.query.to === 'string' ? ctx.query.to : undefined, cal, deps.now());
    const s = await complaintStats(ds.manager, range, cal, deps.now());
    if (!xlsx && ctx.query.format !== 'xlsx') {
      ctx.body = s;
      return;
    }
    const buf = await complaintStatsWorkbook(ds.manager, s, range, cal);
    ctx.set('Content-Disposition', `attachment; filename="complaints-${range.from}-${range.to}.xlsx"`);
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.body = buf;
  };
  r.get('/stats/complaints.xlsx', (ctx) => stats(ctx, true));
  r.get('/stats/complaints', (ctx) => stats(ctx, false));

  return r;
}
