import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { Complaint, ComplaintExtension, Unit } from '../../entities';
import type { ModuleDeps } from '../module';
import { inTransactionRetrying as inTransaction } from '../db/tx';
import { isAppError } from '../errors';
import { acceptComplaint, rejectComplaint, resolveComplaint, terminateComplaint, Ctx } from '../complaints/lifecycle';
import { decideExtension } from '../complaints/extension';
import { assignAgency, reopenComplaint } from '../complaints/oversight';
import { recordResultDelivered } from '../complaints/lifecycle';
import { AppError } from '../errors';
import { intakeRoutes } from './complaint-intake';
import { complaintDetail } from '../complaints/views';
import { STATUSES } from '../complaints/model';
import { logReads } from '../verification/read-log';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { seesAll } from './scope';
import type { ConsoleUser } from './session';
import { renderComplaint, renderComplaints } from './views/complaints.view';

const filterSchema = z.object({
  status: z.enum(STATUSES as [string, ...string[]]).optional().catch(undefined),
  agency: z.string().regex(/^[A-Za-z0-9_.\-]{1,40}$/).optional().catch(undefined),
  number: z.string().trim().max(20).optional().catch(undefined),
});

const idOf = (ctx: Context) => (/^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : null);

/** A unit user sees only complaints about their own unit (SPEC 3 Art. 7: the agency handles its own). */
const mayView = (u: ConsoleUser, c: Pick<Complaint, 'agencyCode'>) => seesAll(u) || (!!u.unitCode && c.agencyCode === u.unitCode);

/** The complaint workbench: list, detail (events, duplicates, told or not), and the office's decisions. */
export function complaintsRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;

  r.get('/console/complaints', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const f = filterSchema.parse(ctx.query);
    const qb = ds.getRepository(Complaint).createQueryBuilder('c').orderBy('c.id', 'DESC').limit(200);
    if (!seesAll(u)) qb.andWhere('c.agency_code = :own', { own: u.unitCode ?? '' });
    if (f.status) qb.andWhere('c.status = :st', { st: f.status });
    if (f.agency) qb.andWhere('c.agency_code = :ag', { ag: f.agency });
    if (f.number) qb.andWhere('c.number LIKE :num', { num: `%${f.number.replace(/[\\%_]/g, '')}%` });
    const rows = await qb.getMany();
    const units = await ds.getRepository(Unit).find({ order: { code: 'ASC' } });
    sendPage(ctx, 200, { title: T.c.title, user: u, active: 'complaints' }, renderComplaints({ rows, units: seesAll(u) ? units : units.filter((x) => x.code === u.unitCode), filter: f, tz, now: deps.now(), office: u.role === 'office' }));
  });

  intakeRoutes(r, deps);

  r.get('/console/complaints/:id', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const id = idOf(ctx);
    const c = id === null ? null : await ds.getRepository(Complaint).findOneBy({ id });
    // Another unit's complaint reads as missing: its existence is not disclosed.
    if (!c || !mayView(u, c)) return errorPage(ctx, 404, T.notFound, u);
    const now = deps.now();
    const cal = await deps.calendar();
    const masked = u.role === 'unit';
    const detail = await complaintDetail(ds.manager, c, cal, now, { masked });
    const apps = await ds.getRepository(ComplaintExtension).find({ where: { complaintId: c.id }, order: { id: 'ASC' } });
    // SPEC 1 Art. 12: every view of personal data goes to the read log.
    await logReads(ds.manager, 'complaint', [c.id], { reader: u.userid, readerUnit: u.unitCode }, 'console', masked ? 'complainant_masked,facts_masked' : 'complainant_name,complainant_phone,facts', now);
    const flash = typeof ctx.query.done === 'string' ? { ok: true, text: T.c.done[ctx.query.done] ?? '' } : typeof ctx.query.error === 'string' ? { ok: false, text: T.c.errors[ctx.query.error] ?? T.errors[ctx.query.error] ?? ctx.query.error } : null;
    sendPage(ctx, 200, { title: `${T.c.title} ${c.number}`, user: u, active: 'complaints' }, renderComplaint({ c, detail, apps, user: u, tz, flash, units: u.role === 'office' ? (await ds.getRepository(Unit).find({ order: { code: 'ASC' } })).filter((x) => !x.isOffice).map((x) => ({ code: x.code, name: x.name })) : [] }));
  });

  const text = (form: URLSearchParams, k: string) => (form.get(k) ?? '').trim() || null;
  const actions: Record<string, (m: Parameters<Parameters<typeof inTransaction>[1]>[0], id: number, f: URLSearchParams, c: Ctx) => Promise<unknown>> = {
    accept: (m, id, _f, c) => acceptComplaint(m, id, c),
    reject: (m, id, f, c) => rejectComplaint(m, id, { ground: f.get('ground') ?? '', reason: text(f, 'reason') }, c),
    resolve: (m, id, f, c) => resolveComplaint(m, id, { result: f.get('result') ?? '', upheld: f.get('upheld') === 'yes' ? true : f.get('upheld') === 'no' ? false : null, accountablePerson: text(f, 'accountablePerson') }, c),
    terminate: (m, id, f, c) => terminateComplaint(m, id, { ground: f.get('ground') ?? '', reason: text(f, 'reason') }, c),
    reopen: (m, id, f, c) => reopenComplaint(m, id, { reason: f.get('reason') ?? '' }, c),
    extension: (m, id, f, c) => decideExtension(m, id, { grant: f.get('grant') === 'yes', note: text(f, 'note') }, c),
    assign: (m, id, f, c) => assignAgency(m, id, (f.get('agencyCode') ?? '').trim(), c),
    delivered: (m, id, f, c) => {
      const how = (f.get('how') ?? '').trim();
      if (!how || [...how].length > 200) throw new AppError('validation_failed', 'how the complainant was told: 1-200 characters');
      return recordResultDelivered(m, id, how, c);
    },
  };

  r.post('/console/complaints/:id/:action', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const form = ctx.state.form as URLSearchParams;
    const id = idOf(ctx);
    const c = id === null ? null : await ds.getRepository(Complaint).findOneBy({ id });
    if (!c || !mayView(u, c)) return errorPage(ctx, 404, T.notFound, u);
    // SPEC 3 Art. 7-11: the office decides; units and auditors read.
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const action = String(ctx.params.action);
    const run = Object.hasOwn(actions, action) ? actions[action] : null;
    if (!run) return errorPage(ctx, 404, T.notFound, u);
    const cal = await deps.calendar();
    const now = deps.now();
    const office = { chatId: deps.config.officeChatId, robotWebhook: deps.config.officeRobotWebhook };
    try {
      await inTransaction(ds, (m) => run(m, c.id, form, { cal, now, actor: { by: 'office', name: `wecom:${u.userid}` }, office }));
    } catch (e) {
      if (!isAppError(e)) throw e;
      return ctx.redirect(`/console/complaints/${c.id}?error=${encodeURIComponent(e.code)}`);
    }
    deps.log.info({ userid: u.userid, complaintId: c.id, action }, 'console complaint action');
    ctx.redirect(`/console/complaints/${c.id}?done=${action}`);
  });

  return r;
}
