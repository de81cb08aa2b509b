/**
 * The case lifecycle of 投诉举报办法 Art. 7-11, as functions of one transaction: each
 * changes the case, writes its event and enqueues the messages it causes (outbox), or
 * throws an AppError and changes nothing.
 *
 *   registered -> accepted (5 working days) | rejected (Art. 8) | terminated (Art. 11)
 *   accepted   -> extended (once, <= 5 working days, reason) | resolved | terminated
 *   extended   -> resolved | terminated
 *
 * A duplicate (Art. 9) is not acted on: it follows the case it is linked to.
 */
import { openCase } from '../accountability/service';
import { EntityManager } from 'typeorm';
import { Complaint, Unit } from '../../entities';
import { AppError } from '../errors';
import { WorkingCalendar, endOfWorkingDay, formatInZone } from '../calendar';
import { isSqlite, isUniqueViolation } from '../db/tx';
import { complaintCard, ComplaintCardView } from '../../cards/complaint.card';
import { normaliseName } from '../directory/names';
import { findOriginal } from './duplicates';
import { addEvent } from './events';
import { closeSubject } from '../conversation';
import { CITIZEN, LIAISON, STATUS_LABELS } from './lifecycle-messages';
import {
  CHANNELS,
  Channel,
  ComplaintStatus,
  GROUND_CODES,
  GroundCode,
  HANDLING_WORKING_DAYS,
  MAX_EXTENSION_WORKING_DAYS,
  REJECTION_GROUNDS,
  RejectionGround,
  TERMINATION_GROUNDS,
  TerminationGround,
  isFinal,
} from './model';
import { nextComplaintNumber } from './numbers';
import { cardToStaff, noticeToComplainant, textToStaff } from './notify';
import { unitContacts } from '../directory/who';
import { charLength, normalizePhone } from './validate';

/** Who acts, for the event and for whom to tell: the office (API), a liaison (card), the citizen (chat). */
export interface Actor {
  by: 'office' | 'liaison' | 'citizen' | 'system';
  /** 'office:<key name>', 'wecom:<userid>', 'kf:<external_userid>'. */
  name: string;
}

export interface Ctx {
  cal: WorkingCalendar;
  now: Date;
  actor: Actor;
}

export interface RegisterInput {
  channel: Channel;
  ground: GroundCode;
  agencyCode: string | null;
  agencyName: string | null;
  facts: string;
  request: string;
  name: string;
  phone: string;
  isProxy: boolean;
  principalName: string | null;
  receivedAt: Date;
  receivedBy: string;
  openKfId?: string | null;
  externalUserId?: string | null;
  /** Idempotency: the same key registers once. */
  sourceKey?: string | null;
}

export interface RegisterResult {
  complaint: Complaint;
  created: boolean;
  /** Art. 9: the case this one repeats (it keeps the handling), or null. */
  original: Complaint | null;
}

const LIMITS = { facts: 5000, request: 2000, name: 100, agency: 100, reason: 2000, result: 4000 };

function invalid(message: string, field: string): AppError {
  return new AppError('validation_failed', message, { details: { field } });
}

function requireText(v: string | null | undefined, field: string, max: number, min = 1): string {
  const s = (v ?? '').trim();
  if (charLength(s) < min) throw invalid(`${field} is required`, field);
  if (charLength(s) > max) throw invalid(`${field} is longer than ${max} characters`, field);
  return s;
}

function optionalText(v: string | null | undefined, field: string, max: number): string | null {
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
  };
}

/** Art. 7: register at once (time, content, agency); Art. 9: link a repeat to the first case. */
export async function registerComplaint(m: EntityManager, input: RegisterInput, ctx: Ctx): Promise<RegisterResult> {
  if (!(CHANNELS as readonly string[]).includes(input.channel)) throw invalid(`unknown channel ${String(input.channel)}`, 'channel');
  if (!(GROUND_CODES as readonly string[]).includes(input.ground)) throw invalid(`unknown ground ${String(input.ground)}`, 'ground');
  const facts = requireText(input.facts, 'facts', LIMITS.facts);
  const request = requireText(input.request, 'request', LIMITS.request);
  const name = requireText(input.name, 'name', LIMITS.name);
  const phone = normalizePhone(input.phone ?? '');
  if (!phone) throw invalid('phone must be an 11-digit mobile number or a landline with its area code', 'phone');
  const principalName = input.isProxy ? requireText(input.principalName, 'principalName', LIMITS.name) : null;

  if (input.sourceKey) {
    const existing = await m.findOneBy(Complaint, { sourceKey: input.sourceKey });
    if (existing) return { complaint: existing, created: false, original: existing.duplicateOf ? await m.findOneBy(Complaint, { id: existing.duplicateOf }) : null };
  }

  let agencyCode = input.agencyCode?.trim() || null;
  let agencyName = input.agencyName?.trim() || null;
  if (agencyCode) {
    const unit = await m.findOneBy(Unit, { code: agencyCode });
    if (!unit) throw new AppError('unit_not_found', `no unit with code ${agencyCode}`, { details: { field: 'agencyCode' } });
    agencyName = unit.name;
  } else if (agencyName) {
    agencyName = requireText(agencyName, 'agencyName', LIMITS.agency);
    const wanted = normaliseName(agencyName);
    const hit = (await m.find(Unit, { select: { code: true, name: true } })).find((u) => normaliseName(u.name) === wanted);
    if (hit) {
      agencyCode = hit.code;
      agencyName = hit.name;
    }
  } else {
    throw invalid('agencyCode or agencyName is required', 'agencyCode');
  }

  const { now } = ctx;
  const original = await findOriginal(m, {
    agencyCode,
    agencyName: agencyName ?? '',
    facts,
    phone,
    externalUserId: input.externalUserId ?? null,
    receivedAt: input.receivedAt,
  });
  const number = await nextComplaintNumber(m, ctx.cal, now);
  let complaint: Complaint;
  try {
    complaint = await m.save(
      m.create(Complaint, {
        number,
        channel: input.channel,
        status: 'registered',
        ground: input.ground,
        agencyCode,
        agencyName: agencyName ?? '',
        facts,
        request,
        complainantName: name,
        complainantPhone: phone,
        isProxy: input.isProxy,
        principalName,
        openKfId: input.openKfId ?? null,
        externalUserId: input.externalUserId ?? null,
        sourceKey: input.sourceKey ?? null,
        hotline: input.channel === 'hotline_12345',
        receivedBy: (input.receivedBy ?? '').slice(0, 100),
        receivedAt: input.receivedAt,
        registeredAt: now,
        registeredBy: ctx.actor.name.slice(0, 100),
        acceptedAt: null,
        dueAt: null,
        extensionDays: null,
        extensionReason: null,
        closingGround: null,
        closingReason: null,
        result: null,
        closedAt: null,
        upheld: null,
        accountablePerson: null,
        duplicateOf: original?.id ?? null,
        resultDelivered: false,
        resultDeliveredAt: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
  } catch (e) {
    // The same idempotency key registered by another instance a moment ago.
    if (input.sourceKey && isUniqueViolation(e)) {
      const existing = await m.findOneBy(Complaint, { sourceKey: input.sourceKey });
      if (existing) return { complaint: existing, created: false, original: existing.duplicateOf ? await m.findOneBy(Complaint, { id: existing.duplicateOf }) : null };
    }
    throw e;
  }

  await addEvent(m, complaint.id, {
    type: 'registered',
    actor: ctx.actor.name,
    at: now,
    to: 'registered',
    details: { channel: complaint.channel, receivedBy: complaint.receivedBy, receivedAt: complaint.receivedAt.toISOString(), hotline: complaint.hotline },
  });
  if (original) {
    await addEvent(m, complaint.id, { type: 'linked_duplicate', actor: 'system', at: now, details: { original: original.number, originalId: original.id } });
    await addEvent(m, original.id, { type: 'duplicate_received', actor: 'system', at: now, details: { duplicate: complaint.number, duplicateId: complaint.id } });
  } else {
    await tellAgency(m, complaint, ctx);
  }
  return { complaint, created: true, original };
}

/** The agency complained about gets the card (its liaisons; with none, its A deputies). */
async function tellAgency(m: EntityManager, c: Complaint, ctx: Ctx): Promise<void> {
  if (!c.agencyCode) {
    await addEvent(m, c.id, { type: 'agency_unmatched', actor: 'system', at: ctx.now, details: { agencyName: c.agencyName } });
    return;
  }
  const to = await unitContacts(m, c.agencyCode, { deputies: 'A' });
  if (!to.length) {
    await addEvent(m, c.id, { type: 'agency_no_contact', actor: 'system', at: ctx.now, details: { agencyCode: c.agencyCode } });
    return;
  }
  const card = complaintCard(cardView(c), { tz: ctx.cal.tz }, ctx.now);
  await cardToStaff(m, to, card, ctx.now, String(c.id), `cplcard:${c.id}:${c.agencyCode}`);
  await addEvent(m, c.id, { type: 'agency_notified', actor: 'system', at: ctx.now, details: { agencyCode: c.agencyCode, userids: to } });
}

async function lockComplaint(m: EntityManager, id: number): Promise<Complaint> {
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

function checkTransition(c: Complaint, to: ComplaintStatus): void {
  if (c.duplicateOf !== null) {
    throw new AppError('complaint_invalid_state', `${c.number} is a duplicate (Art. 9): the case it is linked to keeps the handling`, {
      details: { duplicateOf: c.duplicateOf },
    });
  }
  if (to === 'extended' && (c.status === 'extended' || c.extensionDays !== null)) {
    throw new AppError('complaint_extension_refused', `${c.number} was already extended once; Art. 10 allows one extension`);
  }
  if (!NEXT[c.status].includes(to)) {
    throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}; it cannot become ${to}`, { details: { status: c.status, to } });
  }
}

type Patch = Partial<Pick<Complaint, 'acceptedAt' | 'dueAt' | 'extensionDays' | 'extensionReason' | 'closingGround' | 'closingReason' | 'result' | 'closedAt' | 'upheld' | 'accountablePerson'>>;

async function apply(m: EntityManager, c: Complaint, to: ComplaintStatus, patch: Patch, ctx: Ctx, reason: string | null, details: Record<string, unknown> = {}): Promise<Complaint> {
  const from = c.status;
  const res = await m
    .createQueryBuilder()
    .update(Complaint)
    .set({ ...patch, status: to, updatedAt: ctx.now })
    .where('id = :id AND version = :v', { id: c.id, v: c.version })
    .execute();
  if (res.affected !== 1) throw new AppError('conflict', `${c.number} changed meanwhile; reload and try again`);
  Object.assign(c, patch, { status: to, updatedAt: ctx.now, version: c.version + 1 });
  await addEvent(m, c.id, { type: to, actor: ctx.actor.name, at: ctx.now, from, to, reason, details: Object.keys(details).length ? details : null });
  // The case moved on: nobody's open question about it is answered any more.
  await closeSubject(m, 'complaints', String(c.id));

  const duplicates = await m.find(Complaint, { where: { duplicateOf: c.id }, order: { id: 'ASC' } });
  for (const d of duplicates) {
    if (isFinal(d.status)) continue;
    const dFrom = d.status;
    await m.update(Complaint, { id: d.id }, { ...patch, status: to, updatedAt: ctx.now });
    Object.assign(d, patch, { status: to });
    await addEvent(m, d.id, { type: 'followed_original', actor: 'system', at: ctx.now, from: dFrom, to, details: { original: c.number } });
  }

  if (isFinal(to)) {
    const outcome = outcomeText(c);
    await noticeToComplainant(m, c, 'result', CITIZEN.final(c.number, outcome), ctx.now);
    for (const d of duplicates) await noticeToComplainant(m, d, 'result', CITIZEN.linkedFinal(d.number, c.number, outcome), ctx.now);
  }
  // The agency hears about what others decided on its case (it acts on its card itself).
  if (ctx.actor.by !== 'liaison' && c.agencyCode) {
    const due = c.dueAt && !isFinal(to) ? formatInZone(ctx.cal, c.dueAt) : undefined;
    await textToStaff(m, await unitContacts(m, c.agencyCode, { deputies: 'A' }), LIAISON.byOffice(c.number, STATUS_LABELS[to], due), ctx.now, String(c.id));
  }
  return c;
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

/** Art. 10: one extension of at most 5 working days, with a reason; a second is refused. */
export async function extendComplaint(m: EntityManager, id: number, body: { days: number; reason: string }, ctx: Ctx): Promise<Complaint> {
  if (!Number.isInteger(body.days) || body.days < 1 || body.days > MAX_EXTENSION_WORKING_DAYS) {
    throw invalid(`days must be a whole number from 1 to ${MAX_EXTENSION_WORKING_DAYS}`, 'days');
  }
  const reason = requireText(body.reason, 'reason', LIMITS.reason, 2);
  const c = await lockComplaint(m, id);
  checkTransition(c, 'extended');
  const dueAt = endOfWorkingDay(ctx.cal, c.dueAt ?? ctx.now, body.days);
  return apply(m, c, 'extended', { extensionDays: body.days, extensionReason: reason, dueAt }, ctx, reason, { days: body.days, dueAt: dueAt.toISOString(), previousDueAt: c.dueAt?.toISOString() ?? null });
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
 * SPEC 4: an upheld complaint is an accountability case for the agency (once per complaint).
 * The person named by the office is kept in the facts: it is a name, not a directory userid.
 */
async function openUpheldCase(m: EntityManager, c: Complaint, ctx: Ctx): Promise<void> {
  if (!c.agencyCode) return;
  await openCase(m, {
    sourceKey: `complaint:${c.id}`,
    ground: 'complaint_upheld',
    unitCode: c.agencyCode,
    personUserid: null,
    personRole: null,
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

/** The office names the agency of a complaint whose wording matched no unit; its liaison gets the card. */
export async function assignAgency(m: EntityManager, id: number, agencyCode: string, ctx: Ctx): Promise<Complaint> {
  const c = await lockComplaint(m, id);
  if (isFinal(c.status)) throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}`);
  const unit = await m.findOneBy(Unit, { code: agencyCode });
  if (!unit) throw new AppError('unit_not_found', `no unit with code ${agencyCode}`, { details: { field: 'agencyCode' } });
  if (c.agencyCode === unit.code) return c;
  const before = { code: c.agencyCode, name: c.agencyName };
  await m.update(Complaint, { id: c.id }, { agencyCode: unit.code, agencyName: unit.name, updatedAt: ctx.now });
  Object.assign(c, { agencyCode: unit.code, agencyName: unit.name });
  await addEvent(m, c.id, { type: 'agency_assigned', actor: ctx.actor.name, at: ctx.now, details: { from: before, to: { code: unit.code, name: unit.name } } });
  if (c.duplicateOf === null) await tellAgency(m, c, ctx);
  return c;
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
