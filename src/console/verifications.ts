import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { Escalation, OfficeOrder, PersonalDataRead, Staff, Unit, VerificationEvent, VerificationRequest } from '../../entities';
import type { ModuleDeps } from '../module';
import { inTransaction } from '../db/tx';
import { isAppError } from '../errors';
import { officeMinutesBetween } from '../calendar';
import { isValidDate } from '../directory/rules';
import { periodOf } from '../calendar/period';
import { officeAction, OfficeActionInput } from '../escalations/escalations';
import { isOpen } from '../escalations/deps';
import { ORDER_PRESET_LABEL, OrderPreset } from '../escalations/messages';
import { deadlineDeps } from '../escalations';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { mayView, scopeRequests, seesAll } from './scope';
import type { ConsoleUser } from './session';
import { renderDetail, renderList, ListFilter } from './views/verifications.view';
import { renderLedger } from './views/ledger.view';
import { TL } from './ledger.messages';
import { ledgerXlsx, queryLedger } from '../verification/ledger';
import { logReads } from '../verification/read-log';
import type { LedgerKind } from '../../entities/VerificationLedgerEntry';
import { historyLines } from '../verification/history';
import { notificationsOf } from '../verification/notifications';

const STATUSES = ['pending', 'accepted', 'returning', 'answered', 'returned', 'cancelled'] as const;

const filterSchema = z.object({
  status: z.enum(STATUSES).optional().catch(undefined),
  unit: z.string().regex(/^[A-Za-z0-9_.\-]{1,40}$/).optional().catch(undefined),
  number: z.string().trim().max(20).optional().catch(undefined),
  from: z.string().refine(isValidDate).optional().catch(undefined),
  to: z.string().refine(isValidDate).optional().catch(undefined),
});

const ledgerSchema = filterSchema.extend({ kind: z.enum(['supplementary', 'onsite', 'voluntary']).optional().catch(undefined) });
const LEDGER_PAGE_ROWS = 300;
/** What the ledger shows of the applicant (as the API's ledger: masked). */
const LEDGER_READ_FIELDS = 'applicant_masked,ledger';

/** The list's filters plus the ledger kind; unit staff always see their own unit's ledger. */
function ledgerFilter(ctx: Context, u: ConsoleUser): ListFilter & { kind?: LedgerKind } {
  const f = ledgerSchema.parse(ctx.query);
  return seesAll(u) ? f : { ...f, unit: u.unitCode ?? '(none)' };
}

const idOf = (ctx: Context) => (/^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : null);

/** The verification workbench: search, the detail with both clocks and the trail, the office's actions. */
export function verificationsRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;
  const d = deadlineDeps(deps);

  r.get('/console/verifications', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const f: ListFilter = filterSchema.parse(ctx.query);
    const cal = await deps.calendar();
    const now = deps.now();
    const qb = scopeRequests(ds.getRepository(VerificationRequest).createQueryBuilder('r'), u).orderBy('r.id', 'DESC').limit(200);
    if (f.status) qb.andWhere('r.status = :st', { st: f.status });
    if (f.unit) qb.andWhere('(r.requester_unit = :fu OR r.issuer_unit = :fu)', { fu: f.unit });
    if (f.number) qb.andWhere('r.number LIKE :num', { num: `%${f.number.replace(/[\\%_]/g, '')}%` });
    if (f.from) qb.andWhere('r.started_at >= :from', { from: periodOf(cal, now, f.from, f.from).start });
    if (f.to) qb.andWhere('r.started_at < :to', { to: periodOf(cal, now, f.to, f.to).end });
    const rows = await qb.getMany();
    const units = await ds.getRepository(Unit).find({ order: { code: 'ASC' } });
    const visible = seesAll(u) ? units : units.filter((x) => x.code === u.unitCode);
    sendPage(ctx, 200, { title: T.v.title, user: u, active: 'verifications' }, renderList({ rows, units, unitOptions: visible, filter: f, tz, now }));
  });

  /** The two ledgers of SPEC 1 with the list's filters (unit staff: their own unit), masked as the API masks. */
  r.get('/console/verifications/ledger', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const f = ledgerFilter(ctx, u);
    const cal = await deps.calendar();
    const now = deps.now();
    const units = await ds.getRepository(Unit).find({ order: { code: 'ASC' } });
    const base = { filter: f, units, unitOptions: seesAll(u) ? units : units.filter((x) => x.code === u.unitCode), tz, now, shown: LEDGER_PAGE_ROWS };
    let out: Awaited<ReturnType<typeof queryLedger>>;
    try {
      out = await queryLedger(ds.manager, cal, f);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return sendPage(ctx, 400, { title: TL.title, user: u, active: 'verifications' }, renderLedger({ ...base, requests: [], entries: [], numberOf: String, error: TL.badFilter }));
    }
    const shownIds = [...out.requests.slice(0, LEDGER_PAGE_ROWS).map((x) => x.id), ...out.entries.slice(0, LEDGER_PAGE_ROWS).map((e) => e.requestId)];
    // SPEC 1 Art. 12: the masked applicants on the page are a read of personal data.
    await logReads(ds.manager, 'verification', shownIds, { reader: u.userid, readerUnit: u.unitCode }, 'console', LEDGER_READ_FIELDS, now);
    sendPage(ctx, 200, { title: TL.title, user: u, active: 'verifications' }, renderLedger({ ...base, requests: out.requests, entries: out.entries, numberOf: (id) => out.byId.get(id)?.number ?? String(id), error: null }));
  });

  /** The filtered list and ledger as .xlsx (the API's workbook: applicants masked), logged as an export. */
  r.get('/console/verifications/export', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const f = ledgerFilter(ctx, u);
    const now = deps.now();
    let file: Awaited<ReturnType<typeof ledgerXlsx>>;
    try {
      file = await ledgerXlsx(ds.manager, await deps.calendar(), f, now);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return errorPage(ctx, 400, TL.badFilter, u);
    }
    await logReads(ds.manager, 'verification', file.requestIds, { reader: u.userid, readerUnit: u.unitCode }, 'export', LEDGER_READ_FIELDS, now);
    deps.log.info({ userid: u.userid, rows: file.requestIds.length }, 'console ledger export');
    ctx.attachment(`ledger-${f.unit ?? 'all'}-${f.from ?? 'start'}-${f.to ?? 'now'}.xlsx`);
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.body = file.buffer;
  });

  r.get('/console/verifications/:id', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const id = idOf(ctx);
    const req = id === null ? null : await ds.getRepository(VerificationRequest).findOneBy({ id });
    // Another unit's request reads as missing: its existence is not disclosed.
    if (!req || !mayView(u, req)) return errorPage(ctx, 404, T.notFound, u);
    const now = deps.now();
    const cal = await deps.calendar();
    const m = ds.manager;
    const [units, events, escalations, orders, owner] = await Promise.all([
      m.getRepository(Unit).findBy([{ code: req.requesterUnit }, { code: req.issuerUnit }]),
      m.getRepository(VerificationEvent).find({ where: { requestId: req.id }, order: { at: 'ASC', id: 'ASC' } }),
      m.getRepository(Escalation).find({ where: { requestId: req.id }, order: { id: 'ASC' } }),
      m.getRepository(OfficeOrder).find({ where: { requestId: req.id }, order: { id: 'ASC' } }),
      req.assignee ? m.getRepository(Staff).findOneBy({ userid: req.assignee }) : Promise.resolve(null),
    ]);
    // SPEC 1 Art. 12: every view of the applicant's data is logged (who, when, what).
    await m.getRepository(PersonalDataRead).insert({ requestId: req.id, reader: u.userid, readerUnit: u.unitCode, via: 'console', fields: 'applicant_name,applicant_id_number,question', at: now });
    const end = req.closedAt && req.closedAt < now ? req.closedAt : now;
    const clocks = {
      verifyUsed: officeMinutesBetween(cal, req.startedAt, end),
      verifyLeft: isOpen(req) ? officeMinutesBetween(cal, now, req.dueAt) : null,
      verifyLate: officeMinutesBetween(cal, req.dueAt, end),
      caseRunning: !!req.caseStartedAt && !isOpen(req),
    };
    const lastEsc = escalations[escalations.length - 1] ?? null;
    // Who was told (office and auditors only: a unit's staff would see the other unit's people).
    const notifications = seesAll(u) ? await notificationsOf(m, req, escalations.map((e) => e.id), orders.map((o) => o.id)) : null;
    sendPage(
      ctx,
      200,
      { title: `${T.v.title} ${req.number}`, user: u, active: 'verifications' },
      renderDetail({
        req,
        unitName: (c) => units.find((x) => x.code === c)?.name ?? c,
        ownerName: owner?.name ?? req.assignee,
        history: await historyLines(m, events),
        notifications,
        escalations,
        orders,
        clocks,
        tz,
        user: u,
        actionable: u.role === 'office' && !!lastEsc && isOpen(req) ? lastEsc : null,
        presets: ORDER_PRESET_LABEL,
        flash: typeof ctx.query.done === 'string' ? { ok: true, text: T.v.done[ctx.query.done] ?? '' } : typeof ctx.query.error === 'string' ? { ok: false, text: T.errors[ctx.query.error] ?? ctx.query.error } : null,
      }),
    );
  });

  r.post('/console/verifications/:id/actions', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const form = ctx.state.form as URLSearchParams;
    const id = idOf(ctx);
    const req = id === null ? null : await ds.getRepository(VerificationRequest).findOneBy({ id });
    if (!req || !mayView(u, req)) return errorPage(ctx, 404, T.notFound, u);
    // SPEC 1 Art. 11: only the office acts; auditors and units read.
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const kind = form.get('kind');
    const escalationId = Number(form.get('escalation'));
    const note = (form.get('note') ?? '').trim().slice(0, 2000) || null;
    let input: OfficeActionInput;
    if (kind === 'urge' || kind === 'summons') input = { kind, note };
    else if (kind === 'order') {
      const preset = form.get('preset') as OrderPreset | null;
      if (!preset || !(preset in ORDER_PRESET_LABEL)) return ctx.redirect(`/console/verifications/${req.id}?error=validation_failed`);
      input = { kind, preset, note };
    } else return ctx.redirect(`/console/verifications/${req.id}?error=validation_failed`);
    const esc = Number.isSafeInteger(escalationId) ? await ds.getRepository(Escalation).findOneBy({ id: escalationId }) : null;
    if (!esc || esc.requestId !== req.id) return errorPage(ctx, 404, T.notFound, u);
    const now = deps.now();
    const cal = await deps.calendar();
    try {
      await inTransaction(ds, (m) => officeAction(m, d, cal, esc.id, { kind: 'staff', userid: u.userid }, input, now));
    } catch (e) {
      if (!isAppError(e)) throw e;
      return ctx.redirect(`/console/verifications/${req.id}?error=${encodeURIComponent(e.code)}`);
    }
    deps.log.info({ userid: u.userid, requestId: req.id, kind }, 'console office action');
    ctx.redirect(`/console/verifications/${req.id}?done=${kind}`);
  });

  return r;
}
