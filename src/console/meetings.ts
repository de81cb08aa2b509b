import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { EntityManager } from 'typeorm';
import { JointMeeting, JointMeetingAgendaItem, JointMeetingDecision, Staff, Unit } from '../../entities';
import type { ModuleDeps } from '../module';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { instantSchema } from '../http/schemas';
import { isValidDate } from '../directory/rules';
import { acknowledge, cancelMeeting, liaisonMeetingOf, reportProgress, scheduleMeeting, sendMinutes } from '../meeting/service';
import { Proposer, decideAgenda, proposeAgenda } from '../meeting/agenda';
import { decisionsOf, recordCountyOutcome, reportDecisionProgress } from '../meeting/decisions';
import { CONVENOR_ROLES, ConvenorRole, addMemberUnit, changeLiaison, convenor, membersJson, removeMember, setConvenor } from '../meeting/members';
import { JointMeetingUnit } from '../../entities';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { M } from './accountability.messages';
import { field, flashOf, redirectRefused, refusalOf } from './acting';
import type { ConsoleUser } from './session';
import { renderMeeting, renderMeetings } from './views/meetings.view';

const idOf = (v: string) => (/^\d{1,10}$/.test(v) ? Number(v) : NaN);
const actorOf = (u: ConsoleUser) => `wecom:${u.userid}`.slice(0, 100);
const date = z.string().refine(isValidDate, 'a date YYYY-MM-DD');
const text = (max: number) => z.string().trim().min(1).max(max);
const unitCode = z.string().trim().min(1).max(40);

/** "GAJ|2026-12-31|统一户籍类证明核验时限" per line: the minutes' decisions (SPEC 5). */
export function parseDecisionLines(raw: string): Array<{ text: string; unit: string; dueDate: string }> {
  return raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l, i) => {
      const [unit, due, ...rest] = l.split(/[|｜]/).map((x) => x.trim());
      const body = rest.join('|').trim();
      if (!unit || !due || !isValidDate(due) || !body) throw new AppError('validation_failed', `decisions: line ${i + 1}`, { details: { line: i + 1 } });
      return { unit, dueDate: due, text: body.slice(0, 4000) };
    });
}

type Run = (m: EntityManager, ctx: Context, u: ConsoleUser, f: URLSearchParams, now: Date) => Promise<unknown>;

/**
 * The joint meeting (SPEC 5, 联席会议制度): members, meetings with their agenda and minutes,
 * decisions and their progress; every form calls the meeting service as the REST API does.
 */
export function meetingsConsoleRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;
  const schedule = z.object({
    kind: z.enum(['regular', 'liaison']),
    title: text(200),
    scheduledAt: instantSchema(tz),
    place: z.string().trim().max(200).optional(),
    liaisonAt: instantSchema(tz).optional(),
    units: z.array(unitCode).max(500).optional(),
  });

  r.get('/console/meetings', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const cal = await deps.calendar();
    const members = await membersJson(ds.manager, cal.localDate(deps.now()));
    const meetings = await ds.getRepository(JointMeeting).find({ order: { scheduledAt: 'DESC' }, take: 100 });
    const units = await ds.getRepository(Unit).find({ order: { code: 'ASC' } });
    const staff = await ds.getRepository(Staff).find({ order: { userid: 'ASC' } });
    sendPage(ctx, 200, { title: M.title, user: u, active: 'meetings' }, renderMeetings({ members, meetings, units, staff, user: u, tz, flash: flashOf(ctx, M, M.errors.validation_failed) }));
  });

  r.get('/console/meetings/:id', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const id = idOf(ctx.params.id);
    const meeting = Number.isNaN(id) ? null : await ds.getRepository(JointMeeting).findOneBy({ id });
    if (!meeting) return errorPage(ctx, 404, T.notFound, u);
    const [units, agenda, decisions, liaison, prepares, allUnits, members] = await Promise.all([
      ds.getRepository(JointMeetingUnit).find({ where: { meetingId: id }, order: { unitCode: 'ASC' } }),
      ds.getRepository(JointMeetingAgendaItem).find({ where: { meetingId: id }, order: { id: 'ASC' } }),
      decisionsOf(ds.manager, id),
      liaisonMeetingOf(ds.manager, id),
      meeting.preparesId ? ds.getRepository(JointMeeting).findOneBy({ id: meeting.preparesId }) : Promise.resolve(null),
      ds.getRepository(Unit).find({ order: { code: 'ASC' } }),
      membersJson(ds.manager, (await deps.calendar()).localDate(deps.now())),
    ]);
    sendPage(ctx, 200, { title: `${M.title} ${meeting.title}`, user: u, active: 'meetings' }, renderMeeting({ meeting, units, agenda, decisions, liaison, prepares, allUnits, members, user: u, tz, now: deps.now(), flash: flashOf(ctx, M, M.errors.validation_failed) }));
  });

  /** One form: who may post it, what it runs, where it returns to, and its `done` text. */
  const post = (path: string, who: 'office' | 'office-or-unit' | 'unit', run: Run, back: (ctx: Context, res: unknown) => string, done: string) =>
    r.post(path, async (ctx: Context) => {
      const u = ctx.state.consoleUser as ConsoleUser;
      const ok = who === 'office' ? u.role === 'office' : who === 'unit' ? u.role === 'unit' : u.role === 'office' || u.role === 'unit';
      if (!ok) return errorPage(ctx, 403, T.forbidden, u);
      const f = ctx.state.form as URLSearchParams;
      let res: unknown;
      try {
        res = await inTransaction(ds, (m) => run(m, ctx, u, f, deps.now()));
      } catch (e) {
        const refused = refusalOf(e);
        if (!refused) throw e;
        return redirectRefused(ctx, back(ctx, null), refused);
      }
      deps.log.info({ userid: u.userid, path: ctx.path }, 'console: joint meeting action');
      const to = back(ctx, res);
      ctx.redirect(`${to}${to.includes('?') ? '&' : '?'}done=${done}`);
    });
  const list = () => '/console/meetings';
  const here = (ctx: Context) => `/console/meetings/${idOf(ctx.params.id)}`;
  const ofDecision = async (m: EntityManager, ctx: Context) => {
    const d = await m.getRepository(JointMeetingDecision).findOneBy({ id: idOf(ctx.params.id) });
    if (!d) throw new AppError('meeting_not_found', 'no decision');
    return d;
  };
  /** A unit user acts for their own unit only; the office for any. */
  const unitFor = (u: ConsoleUser, f: URLSearchParams) => (u.role === 'unit' ? u.unitCode ?? '' : unitCode.parse(field(f, 'unit')));

  post('/console/meetings', 'office', async (m, _ctx, u, f, now) => {
    const units = field(f, 'units')?.split(/[,，\s]+/).filter(Boolean);
    const b = schedule.parse({ kind: field(f, 'kind') ?? 'regular', title: field(f, 'title'), scheduledAt: field(f, 'scheduledAt'), place: field(f, 'place'), liaisonAt: field(f, 'liaisonAt'), units });
    return scheduleMeeting(m, await deps.calendar(), { kind: b.kind, title: b.title, scheduledAt: b.scheduledAt, place: b.place ?? null, units: b.units ?? null, liaisonMeeting: b.liaisonAt ? { scheduledAt: b.liaisonAt } : null }, actorOf(u), now);
  }, (_ctx, res) => (res ? `/console/meetings/${(res as JointMeeting).id}` : list()), 'scheduled');

  post('/console/meetings/members/convenor', 'office', (m, _ctx, _u, f, now) => {
    const b = z.object({ userid: text(64), role: z.enum(CONVENOR_ROLES as [ConvenorRole, ...ConvenorRole[]]) }).parse({ userid: field(f, 'userid'), role: field(f, 'role') });
    return setConvenor(m, b.userid, b.role, now);
  }, list, 'convenor');

  post('/console/meetings/members/unit', 'office', (m, _ctx, u, f, now) => {
    const b = z.object({ unit: unitCode, liaison: text(64), effectiveOn: date }).parse({ unit: field(f, 'unit'), liaison: field(f, 'liaison'), effectiveOn: field(f, 'effectiveOn') });
    return addMemberUnit(m, b.unit, b.liaison, b.effectiveOn, actorOf(u), now);
  }, list, 'unit');

  // "user:ID" removes a convenor, "unit:CODE" a member unit (the API's two DELETE routes).
  post('/console/meetings/members/remove', 'office', (m, _ctx, _u, f) => {
    const who = z.string().regex(/^(user|unit):[A-Za-z0-9_.@\-]{1,64}$/).parse(field(f, 'member'));
    const [kind, key] = [who.slice(0, 4), who.slice(5)];
    return removeMember(m, kind === 'user' ? { userid: key } : { unitCode: key });
  }, list, 'removed');

  // A change of meeting liaison: filed by the unit for itself, or entered by the office.
  post('/console/meetings/members/liaison', 'office-or-unit', (m, _ctx, u, f, now) => {
    const b = z.object({ liaison: text(64), effectiveOn: date }).parse({ liaison: field(f, 'liaison'), effectiveOn: field(f, 'effectiveOn') });
    return changeLiaison(m, unitFor(u, f), b.liaison, b.effectiveOn, actorOf(u), now);
  }, list, 'liaison');

  post('/console/meetings/:id/cancel', 'office', (m, ctx, _u, _f, now) => cancelMeeting(m, idOf(ctx.params.id), now), here, 'cancel');

  // The office enters a convenor's item (approved at once) or a member unit's proposal; a unit proposes its own.
  post('/console/meetings/:id/agenda', 'office-or-unit', async (m, ctx, u, f, now) => {
    const body = text(4000).parse(field(f, 'text'));
    let proposer: Proposer;
    const conv = field(f, 'convenor');
    if (u.role === 'unit') proposer = { kind: 'unit', unitCode: u.unitCode ?? '', by: u.userid };
    else if (conv) proposer = { kind: 'convenor', userid: conv };
    else if (field(f, 'unit')) proposer = { kind: 'unit', unitCode: unitCode.parse(field(f, 'unit')), by: actorOf(u) };
    else throw new AppError('validation_failed', 'convenor: name the convenor or the member unit');
    return proposeAgenda(m, { text: body, proposer, via: 'api', meetingId: idOf(ctx.params.id) }, now);
  }, here, 'agenda');

  // A convenor's decision on a proposed item, entered by the office (or by the convenor themself).
  post('/console/meetings/:id/agenda-decision', 'office', async (m, ctx, u, f, now) => {
    const b = z.object({ item: z.coerce.number().int().positive(), approve: z.enum(['yes', 'no']), convenor: text(64) }).parse({ item: field(f, 'item'), approve: field(f, 'approve'), convenor: field(f, 'convenor') ?? ((await convenor(m, u.userid)) ? u.userid : undefined) });
    const item = await m.getRepository(JointMeetingAgendaItem).findOneBy({ id: b.item, meetingId: idOf(ctx.params.id) });
    if (!item) throw new AppError('meeting_not_found', 'item: not on this meeting');
    const res = await decideAgenda(m, item.id, b.approve === 'yes', b.convenor, now);
    if (!res.first) throw new AppError('meeting_invalid_state', 'item: already decided');
    return res;
  }, here, 'agenda-decision');

  post('/console/meetings/:id/minutes', 'office', async (m, ctx, _u, f, now) => {
    const body = text(20000).parse(field(f, 'text'));
    const decisions = parseDecisionLines(f.get('decisions') ?? '');
    const noConsensus = (f.get('noConsensus') ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((l) => ({ text: l.slice(0, 4000) }));
    return sendMinutes(m, deps.config, await deps.calendar(), idOf(ctx.params.id), body, { decisions, noConsensus }, now);
  }, here, 'minutes');

  post('/console/meetings/:id/acknowledge', 'unit', (m, ctx, u, _f, now) => acknowledge(m, idOf(ctx.params.id), u.unitCode ?? '', actorOf(u), now), here, 'acknowledge');

  post('/console/meetings/:id/progress', 'office-or-unit', (m, ctx, u, f, now) => reportProgress(m, idOf(ctx.params.id), unitFor(u, f), text(4000).parse(field(f, 'text')), now), here, 'progress');

  const meetingOf = (ctx: Context, res: unknown) => (res ? `/console/meetings/${(res as JointMeetingDecision).meetingId}` : `/console/meetings/decisions/${idOf(ctx.params.id)}`);
  post('/console/meetings/decisions/:id/progress', 'office-or-unit', async (m, ctx, u, f, now) => {
    const d = await ofDecision(m, ctx);
    return reportDecisionProgress(m, d.id, u.role === 'unit' ? u.unitCode ?? '' : null, text(4000).parse(field(f, 'text')), actorOf(u), now);
  }, meetingOf, 'progress');

  post('/console/meetings/decisions/:id/county', 'office', async (m, ctx, _u, f, now) => {
    const d = await ofDecision(m, ctx);
    return recordCountyOutcome(m, d.id, text(4000).parse(field(f, 'text')), now);
  }, meetingOf, 'county');

  /** Where a refused decision form returns: its meeting. */
  r.get('/console/meetings/decisions/:id', async (ctx: Context) => {
    const d = await ds.getRepository(JointMeetingDecision).findOneBy({ id: idOf(ctx.params.id) });
    if (!d) return errorPage(ctx, 404, T.notFound, ctx.state.consoleUser);
    ctx.redirect(`/console/meetings/${d.meetingId}?${ctx.querystring}`);
  });

  return r;
}
