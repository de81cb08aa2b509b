/**
 * The case lifecycle of 投诉举报办法 Art. 7-11, as functions of one transaction: each
 * changes the case, writes its event and enqueues the messages it causes (outbox), or
 * throws an AppError and changes nothing.
 *
 *   registered -> accepted (5 working days) | rejected (Art. 8) | terminated (Art. 11)
 *   accepted   -> extended (the office granted the agency's application: extension.ts) | resolved | terminated
 *   extended   -> resolved | terminated
 *   rejected | terminated | resolved -> accepted (the office reopens it: oversight.ts)
 *
 * A duplicate (Art. 9) is not acted on: it follows the case it is linked to. The
 * complainant is told every step over the chat (notify.ts keeps the kf window's rules).
 */
import { complaintPerson, openCase } from '../accountability/service';
import { EntityManager } from 'typeorm';
import { Complaint, ComplaintExtension } from '../../entities';
import { AppError } from '../errors';
import { WorkingCalendar, endOfWorkingDay, formatInZone } from '../calendar';
import { isSqlite } from '../db/tx';
import { complaintCard, ComplaintCardView } from '../../cards/complaint.card';
import { EventInput, addEvent, addEvents } from './events';
import { closeSubject } from '../conversation';
import { CITIZEN, LIAISON, OVERSIGHT, REJECTION_LABELS, STATUS_LABELS, TERMINATION_LABELS, localDateTime } from './lifecycle-messages';
import {
  ComplaintStatus,
  HANDLING_WORKING_DAYS,
  REJECTION_GROUNDS,
  RejectionGround,
  TERMINATION_GROUNDS,
  TerminationGround,
  isFinal,
} from './model';
import { OfficeChannel, cardToStaff, noticeToComplainant, officeOrMembers, textToStaff } from './notify';
import { unitContacts } from '../directory/who';
import { charLength } from './validate';

export { registerComplaint } from './register';
export type { RegisterInput, RegisterResult } from './register';

/** Who acts, for the event and for whom to tell: the office (API), a liaison (card), the citizen (chat). */
export interface Actor {
  /** liaison: the agency in WeCom; agency: the agency's API key. */
  by: 'office' | 'liaison' | 'agency' | 'citizen' | 'system';
  /** 'office:<key name>', 'wecom:<userid>', 'unit:<key name>', 'kf:<external_userid>'. */
  name: string;
}

export interface Ctx {
  cal: WorkingCalendar;
  now: Date;
  actor: Actor;
  /** The office group (oversight notes); absent: the office members are told one by one. */
  office?: OfficeChannel;
}

export const LIMITS = { facts: 5000, request: 2000, name: 100, agency: 100, reason: 2000, result: 4000 };

export function invalid(message: string, field: string): AppError {
  return new AppError('validation_failed', message, { details: { field } });
}

export function requireText(v: string | null | undefined, field: string, max: number, min = 1): string {
  const s = (v ?? '').trim();
  if (charLength(s) < min) throw invalid(`${field} is required`, field);
  if (charLength(s) > max) throw invalid(`${field} is longer than ${max} characters`, field);
  return s;
}

export function optionalText(v: string | null | undefined, field: string, max: number): string | null {
  const s = (v ?? '').trim();
  if (!s) return null;
  if (charLength(s) > max) throw invalid(`${field} is longer than ${max} characters`, field);
  return s;
}

export function cardView(c: Complaint): ComplaintCardView {
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    ground: c.ground,
    channel: c.channel,
    agencyName: c.agencyName,
    facts: c.facts,
    request: c.request,
    complainantName: c.complainantName,
    complainantPhone: c.complainantPhone,
    isProxy: c.isProxy,
    registeredAt: c.registeredAt,
    dueAt: c.dueAt,
    extensionDays: c.extensionDays,
    reopenCount: c.reopenCount ?? 0,
    reassignCount: c.reassignCount ?? 0,
  };
}

/** The agency complained about gets the card (its liaisons; with none, its A deputies). */
/** `before`: events of the case not written yet, written first in the same INSERT as this step's own. */
export async function tellAgency(m: EntityManager, c: Complaint, ctx: Ctx, before: Array<EventInput & { complaintId: number }> = []): Promise<void> {
  const event = async (e: EventInput) => addEvents(m, [...before, { complaintId: c.id, ...e }]);
  if (!c.agencyCode) {
    await event({ type: 'agency_unmatched', actor: 'system', at: ctx.now, details: { agencyName: c.agencyName } });
    return;
  }
  const to = await unitContacts(m, c.agencyCode, { deputies: 'A' });
  if (!to.length) {
    await event({ type: 'agency_no_contact', actor: 'system', at: ctx.now, details: { agencyCode: c.agencyCode } });
    return;
  }
  const card = complaintCard(cardView(c), { tz: ctx.cal.tz }, ctx.now);
  const round = `${c.reopenCount ? `:r${c.reopenCount}` : ''}${c.reassignCount ? `:a${c.reassignCount}` : ''}`;
  await cardToStaff(m, to, card, ctx.now, String(c.id), `cplcard:${c.id}:${c.agencyCode}${round}`);
  await event({ type: 'agency_notified', actor: 'system', at: ctx.now, details: { agencyCode: c.agencyCode, userids: to } });
}

export async function lockComplaint(m: EntityManager, id: number): Promise<Complaint> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('complaint_not_found', `no complaint ${String(id)}`);
  const qb = m.getRepository(Complaint).createQueryBuilder('c').where('c.id = :id', { id });
  const c = await (isSqlite(m.connection) ? qb : qb.setLock('pessimistic_write')).getOne();
  if (!c) throw new AppError('complaint_not_found', `no complaint ${id}`);
  return c;
}

const NEXT: Record<ComplaintStatus, readonly ComplaintStatus[]> = {
  registered: ['accepted', 'rejected', 'terminated'],
  accepted: ['extended', 'resolved', 'terminated'],
  extended: ['resolved', 'terminated'],
  rejected: [],
  resolved: [],
  terminated: [],
};

export function checkNotDuplicate(c: Complaint): void {
  if (c.duplicateOf !== null) {
    throw new AppError('complaint_invalid_state', `${c.number} is a duplicate (Art. 9): the case it is linked to keeps the handling`, {
      details: { duplicateOf: c.duplicateOf },
    });
  }
}

export function checkTransition(c: Complaint, to: ComplaintStatus): void {
  checkNotDuplicate(c);
  if (!NEXT[c.status].includes(to)) {
    throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}; it cannot become ${to}`, { details: { status: c.status, to } });
  }
}

export type Patch = Partial<
  Pick<
    Complaint,
    'acceptedAt' | 'dueAt' | 'extensionDays' | 'extensionReason' | 'closingGround' | 'closingReason' | 'result' | 'closedAt' | 'upheld' | 'accountablePerson' | 'reopenCount' | 'reopenedAt' | 'resultDelivered' | 'resultDeliveredAt'
  >
>;

export interface ApplyOptions {
  /** The event type when it is not the new status (e.g. `reopened`). */
  event?: string;
  /** false: the caller tells the agency in its own words. */
  tellAgency?: boolean;
  /** The office reopens the case: duplicates that closed with it reopen with it. */
  reopen?: boolean;
}

/**
 * Moves the case (and its open duplicates) and writes what it causes: the event, the
 * complainant's notice for every step (Art. 10), the office's note of every non-acceptance
 * and termination (oversight), the agency's note when someone else decided.
 */
export async function apply(m: EntityManager, c: Complaint, to: ComplaintStatus, patch: Patch, ctx: Ctx, reason: string | null, details: Record<string, unknown> = {}, opts: ApplyOptions = {}): Promise<Complaint> {
  const from = c.status;
  const res = await m
    .createQueryBuilder()
    .update(Complaint)
    .set({ ...patch, status: to, updatedAt: ctx.now })
    .where('id = :id AND version = :v', { id: c.id, v: c.version })
    .execute();
  if (res.affected !== 1) throw new AppError('conflict', `${c.number} changed meanwhile; reload and try again`);
  Object.assign(c, patch, { status: to, updatedAt: ctx.now, version: c.version + 1 });
  await addEvent(m, c.id, { type: opts.event ?? to, actor: ctx.actor.name, at: ctx.now, from, to, reason, details: Object.keys(details).length ? details : null });
  // The case moved on: nobody's open question about it is answered any more.
  await closeSubject(m, 'complaints', String(c.id));

  const duplicates = await m.find(Complaint, { where: { duplicateOf: c.id }, order: { id: 'ASC' } });
  for (const d of duplicates) {
    if (isFinal(d.status) && !opts.reopen) continue;
    const dFrom = d.status;
    await m.update(Complaint, { id: d.id }, { ...patch, status: to, updatedAt: ctx.now });
    Object.assign(d, patch, { status: to });
    await addEvent(m, d.id, { type: 'followed_original', actor: 'system', at: ctx.now, from: dFrom, to, details: { original: c.number } });
  }

  if (isFinal(to)) {
    // An extension application nobody decided is moot once the case has ended.
    await m.createQueryBuilder().update(ComplaintExtension).set({ status: 'lapsed' }).where('complaint_id = :id AND status = :p', { id: c.id, p: 'pending' }).execute();
    const outcome = outcomeText(c);
    await noticeToComplainant(m, c, 'result', CITIZEN.final(c.number, outcome), ctx.now);
    for (const d of duplicates) await noticeToComplainant(m, d, 'result', CITIZEN.linkedFinal(d.number, c.number, outcome), ctx.now);
  } else if (to !== 'registered') {
    const step = progressText(c, ctx, opts.event ?? to, reason);
    if (step) {
      await noticeToComplainant(m, c, 'progress', CITIZEN.step(c.number, step), ctx.now);
      // A citizen who repeated their own complaint hears it once, under the first number.
      const sameCitizen = (d: Complaint) => !!d.externalUserId && d.externalUserId === c.externalUserId && d.openKfId === c.openKfId;
      for (const d of duplicates) if (!sameCitizen(d)) await noticeToComplainant(m, d, 'progress', CITIZEN.linkedStep(d.number, c.number, step), ctx.now);
    }
  }
  // Oversight: the office hears of every non-acceptance and termination, whoever decided it.
  if (to === 'rejected' || to === 'terminated') {
    const text = OVERSIGHT.closed(c.number, c.agencyName, STATUS_LABELS[to], closingLabel(c));
    await officeOrMembers(m, ctx.office ?? null, text, ctx.now, `complaint:${c.id}`, ctx.cal.localDate(ctx.now));
  }
  // The agency hears about what others decided on its case (it acts on its card itself).
  if (opts.tellAgency !== false && ctx.actor.by !== 'liaison' && ctx.actor.by !== 'agency' && c.agencyCode) {
    const due = c.dueAt && !isFinal(to) ? formatInZone(ctx.cal, c.dueAt) : undefined;
    await textToStaff(m, await unitContacts(m, c.agencyCode, { deputies: 'A' }), LIAISON.byOffice(c.number, STATUS_LABELS[to], due), ctx.now, String(c.id));
  }
  return c;
}

function progressText(c: Complaint, ctx: Ctx, event: string, reason: string | null): string | null {
  const due = c.dueAt ? localDateTime(formatInZone(ctx.cal, c.dueAt)) : '';
  if (event === 'accepted') return CITIZEN.progress.accepted(due);
  if (event === 'extended') return CITIZEN.progress.extended(due, c.extensionReason ?? '');
  if (event === 'reopened') return CITIZEN.progress.reopened(due, reason ?? '');
  return null;
}

function closingLabel(c: Complaint): string {
  return c.status === 'rejected' ? REJECTION_LABELS[c.closingGround as RejectionGround] ?? '' : TERMINATION_LABELS[c.closingGround as TerminationGround] ?? '';
}

function outcomeText(c: Complaint): string {
  switch (c.status) {
    case 'resolved':
      return CITIZEN.outcome.resolved(c.result ?? '');
    case 'rejected':
      return CITIZEN.outcome.rejected(c.closingGround as RejectionGround, c.closingReason);
    default:
      return CITIZEN.outcome.terminated(c.closingGround as TerminationGround, c.closingReason);
  }
}

/** Art. 10: accepted; to be finished by the close of the 5th working day after. */
export async function acceptComplaint(m: EntityManager, id: number, ctx: Ctx): Promise<Complaint> {
  const c = await lockComplaint(m, id);
  checkTransition(c, 'accepted');
  const dueAt = endOfWorkingDay(ctx.cal, ctx.now, HANDLING_WORKING_DAYS);
  return apply(m, c, 'accepted', { acceptedAt: ctx.now, dueAt }, ctx, null, { dueAt: dueAt.toISOString() });
}

/** Art. 8: not accepted, on one of its grounds; `other` needs a reason. */
export async function rejectComplaint(m: EntityManager, id: number, body: { ground: string; reason?: string | null }, ctx: Ctx): Promise<Complaint> {
  if (!(REJECTION_GROUNDS as readonly string[]).includes(body.ground)) throw invalid(`ground must be one of ${REJECTION_GROUNDS.join(', ')}`, 'ground');
  const reason = body.ground === 'other' ? requireText(body.reason, 'reason', LIMITS.reason, 2) : optionalText(body.reason, 'reason', LIMITS.reason);
  const c = await lockComplaint(m, id);
  checkTransition(c, 'rejected');
  return apply(m, c, 'rejected', { closingGround: body.ground, closingReason: reason, closedAt: ctx.now }, ctx, reason, { ground: body.ground });
}

/** Art. 10: finished, with the result the complainant is told. */
export async function resolveComplaint(
  m: EntityManager,
  id: number,
  body: { result: string; upheld?: boolean | null; accountablePerson?: string | null },
  ctx: Ctx,
): Promise<Complaint> {
  const result = requireText(body.result, 'result', LIMITS.result, 2);
  const accountablePerson = optionalText(body.accountablePerson, 'accountablePerson', LIMITS.name);
  const c = await lockComplaint(m, id);
  checkTransition(c, 'resolved');
  const done = await apply(m, c, 'resolved', { result, closedAt: ctx.now, upheld: body.upheld ?? null, accountablePerson }, ctx, null, {
    upheld: body.upheld ?? null,
  });
  if (body.upheld) await openUpheldCase(m, done, ctx);
  return done;
}

/**
 * SPEC 4: an upheld complaint is an accountability case for the agency (once per complaint),
 * naming the person the complaint says, else the agency's liaison.
 */
async function openUpheldCase(m: EntityManager, c: Complaint, ctx: Ctx): Promise<void> {
  if (!c.agencyCode) return;
  const person = await complaintPerson(m, c.agencyCode, c.accountablePerson);
  await openCase(m, {
    sourceKey: `complaint:${c.id}`,
    ground: 'complaint_upheld',
    unitCode: c.agencyCode,
    personUserid: person.userid,
    personRole: person.role,
    requestId: null,
    facts: { complaint: c.number, ground: c.ground, accountablePerson: c.accountablePerson ?? null },
    occurredAt: c.receivedAt,
    actor: ctx.actor.name,
    now: ctx.now,
  });
}

/** Art. 11: terminated (withdrawn; arbitration, review or litigation started; other). */
export async function terminateComplaint(m: EntityManager, id: number, body: { ground: string; reason?: string | null }, ctx: Ctx): Promise<Complaint> {
  if (!(TERMINATION_GROUNDS as readonly string[]).includes(body.ground)) throw invalid(`ground must be one of ${TERMINATION_GROUNDS.join(', ')}`, 'ground');
  const reason = body.ground === 'other' ? requireText(body.reason, 'reason', LIMITS.reason, 2) : optionalText(body.reason, 'reason', LIMITS.reason);
  const c = await lockComplaint(m, id);
  checkTransition(c, 'terminated');
  return apply(m, c, 'terminated', { closingGround: body.ground, closingReason: reason, closedAt: ctx.now }, ctx, reason, { ground: body.ground });
}

/** Art. 10 for cases outside the chat: the office records that the complainant was told. */
export async function recordResultDelivered(m: EntityManager, id: number, how: string, ctx: Ctx): Promise<Complaint> {
  const c = await lockComplaint(m, id);
  if (!isFinal(c.status)) throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}: there is no result to tell yet`);
  const text = requireText(how, 'how', 200);
  if (!c.resultDelivered) {
    await m.update(Complaint, { id: c.id }, { resultDelivered: true, resultDeliveredAt: ctx.now, updatedAt: ctx.now });
    Object.assign(c, { resultDelivered: true, resultDeliveredAt: ctx.now });
  }
  await addEvent(m, c.id, { type: 'result_delivered', actor: ctx.actor.name, at: ctx.now, reason: text, details: { channel: 'recorded' } });
  return c;
}

/** SPEC section 4: the office's assessment (upheld or not, who is accountable) of a resolved case. */
export async function assessComplaint(m: EntityManager, id: number, body: { upheld: boolean; accountablePerson?: string | null }, ctx: Ctx): Promise<Complaint> {
  const c = await lockComplaint(m, id);
  if (c.status !== 'resolved') throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}: only a resolved case is assessed`);
  const accountablePerson = optionalText(body.accountablePerson, 'accountablePerson', LIMITS.name);
  await m.update(Complaint, { id: c.id }, { upheld: body.upheld, accountablePerson, updatedAt: ctx.now });
  Object.assign(c, { upheld: body.upheld, accountablePerson });
  await addEvent(m, c.id, { type: 'assessed', actor: ctx.actor.name, at: ctx.now, details: { upheld: body.upheld, accountablePerson } });
  if (body.upheld) await openUpheldCase(m, c, ctx);
  return c;
}
