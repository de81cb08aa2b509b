/** What every verification use case shares: the actor, the context, events, conditional transitions, cards after a decision. */
import { EntityManager, IsNull } from 'typeorm';
import { VerificationEvent, VerificationRecipient, VerificationRequest } from '../../entities';
import type { VerificationStatus } from '../../entities/VerificationRequest';
import { AppError } from '../errors';
import { isSqlite } from '../db/tx';
import { WorkingCalendar, isProvisionalRule, officeMinutesBetween, DeadlineCategory } from '../calendar';
import { closeSubject } from '../conversation';
import { verificationClosedCard, VerificationCardView } from '../../cards/verification.card';
import { ResultCardView } from '../../cards/verification-result.card';
import { CARD_TEXT, TEXT } from './messages';
import { maskReply } from './mask';
import { REF, queueCard, queueReplaceName, usableSendCode } from './notify';
import { Actor, requesterTargets, staffName, unitNames } from '../directory/who';

/** Who acts: a person in WeCom (or on the detail page), or an integrating system's API key. */
export type { Actor };

export function actorLabel(a: Actor): string {
  if (a.kind === 'staff') return a.userid;
  // The system answering for a unit from its data service is recorded as itself, not as a key.
  return (a.name.startsWith('system:') ? a.name : `api:${a.name}`).slice(0, 100);
}

/** What every operation needs besides the transaction: the calendar, the clock, links. */
export interface OpContext {
  cal: WorkingCalendar;
  now: Date;
  publicUrl: string;
  tz: string;
}

export interface ListEntry {
  id: number;
  serviceItem: string;
  certificate: string;
  requesterUnit: string;
  issuerUnit: string;
  defaultCategory: DeadlineCategory;
}

export type EntryLookup = (m: EntityManager, id: number) => Promise<ListEntry | null>;

/** Art. 7: a move is only ever to a longer category. */
export const CATEGORY_RANK: Record<DeadlineCategory, number> = { digital: 0, paper: 1, historical: 2 };

export function detailUrl(publicUrl: string, id: number): string {
  return `${publicUrl}/v/${id}`;
}

// ---------------------------------------------------------------- small helpers

/**
 * Reads a request for a change: FOR UPDATE on MySQL/MariaDB, so concurrent actors queue
 * and each sees the latest committed row (a plain read would see its snapshot); SQLite
 * has one writer already.
 */
export async function loadForUpdate(m: EntityManager, where: { id: number } | { number: string }): Promise<VerificationRequest | null> {
  const qb = m.getRepository(VerificationRequest).createQueryBuilder('r');
  if ('id' in where) qb.where('r.id = :id', { id: where.id });
  else qb.where('r.number = :n', { n: where.number });
  return (isSqlite(m.connection) ? qb : qb.setLock('pessimistic_write')).getOne();
}

export async function addEvent(
  m: EntityManager,
  req: Pick<VerificationRequest, 'id'>,
  at: Date,
  type: string,
  actor: string | null,
  e: { from?: string | null; to?: string | null; reason?: string | null; data?: unknown } = {},
): Promise<void> {
  await m.getRepository(VerificationEvent).insert({
    requestId: req.id,
    at,
    type,
    actor,
    fromStatus: e.from ?? null,
    toStatus: e.to ?? null,
    reason: e.reason ?? null,
    data: e.data === undefined ? null : JSON.stringify(e.data),
  });
}

/** What a request card shows (pure): unit names from `names`, falling back to the codes. */
export function cardViewOf(req: VerificationRequest, names: ReadonlyMap<string, string>, publicUrl: string, tz: string): VerificationCardView {
  return {
    id: req.id,
    number: req.number,
    requesterUnitName: names.get(req.requesterUnit) ?? req.requesterUnit,
    issuerUnitName: names.get(req.issuerUnit) ?? req.issuerUnit,
    serviceItem: req.serviceItem,
    certificate: req.certificate,
    category: req.category,
    dueAt: req.dueAt,
    provisional: isProvisionalRule(req.deadlineRule),
    applicantName: req.applicantName,
    applicantIdNumber: req.applicantIdNumber,
    question: req.question,
    detailUrl: detailUrl(publicUrl, req.id),
    tz,
  };
}

export async function cardView(m: EntityManager, ctx: OpContext, req: VerificationRequest): Promise<VerificationCardView> {
  return cardViewOf(req, await unitNames(m, [req.requesterUnit, req.issuerUnit]), ctx.publicUrl, ctx.tz);
}

export function cleanText(s: string | null | undefined): string {
  return (s ?? '').trim();
}

export function requireReason(reason: string | null | undefined, what: string): string {
  const r = cleanText(reason);
  if (!r) throw new AppError('verification_reason_required', `${what} needs a reason`);
  return r.slice(0, 2000);
}

/** Minutes of office time the request was out (Art. 7: the requesting unit's clock pauses meanwhile). */
export function minutesOut(ctx: OpContext, req: VerificationRequest, end: Date): number {
  return Math.round(officeMinutesBetween(ctx.cal, req.startedAt, end));
}

/**
 * A conditional update: applies only while the row still has the status (and version) we
 * read, so of two clicks at once exactly one wins (first click wins).
 */
export async function transition(
  m: EntityManager,
  req: VerificationRequest,
  values: Partial<VerificationRequest>,
  where: { statuses: VerificationStatus[]; checkVersion?: boolean },
): Promise<boolean> {
  const qb = m
    .createQueryBuilder()
    .update(VerificationRequest)
    .set(values as Record<string, unknown>)
    .where('id = :id AND status IN (:...st)', { id: req.id, st: where.statuses });
  if (where.checkVersion) qb.andWhere('version = :v', { v: req.version });
  const r = await qb.execute();
  if (r.affected !== 1) return false;
  Object.assign(req, values);
  req.version += 1;
  return true;
}

/** The request moved on: nobody's open question about it is answered any more. */
export async function closeQuestions(m: EntityManager, requestId: number): Promise<void> {
  await closeSubject(m, 'verification', String(requestId));
}

// ---------------------------------------------------------------- cards after a decision

/**
 * Every other open card of the request shows `text` (CONTRACT.md: "the others' cards change
 * to show who"): through the response_code of that card's send while usable, else a fresh
 * card without buttons (WECOM.md section 4).
 */
export async function closeOpenCards(m: EntityManager, ctx: OpContext, req: VerificationRequest, exceptUserid: string | null, text: string): Promise<void> {
  const repo = m.getRepository(VerificationRecipient);
  const open = await repo.find({ where: { requestId: req.id, closedAt: IsNull() }, order: { id: 'ASC' } });
  let view: VerificationCardView | null = null;
  for (const r of open) {
    if (r.userid === exceptUserid) continue;
    const code = await usableSendCode(m, r, ctx.now);
    if (code) {
      await queueReplaceName(m, r.userid, code, text, ctx.now, r.taskId);
      r.codeUsed = true;
    } else {
      view = view ?? (await cardView(m, ctx, req));
      await queueCard(m, r.userid, verificationClosedCard(view, text, ctx.now), ctx.now, { type: REF.notice, id: r.taskId });
    }
    r.closedAt = ctx.now;
    r.outcome = text.slice(0, 100);
    await repo.save(r);
  }
}

export async function markRecipient(m: EntityManager, req: VerificationRequest, userid: string, outcome: string, now: Date): Promise<void> {
  await m.getRepository(VerificationRecipient).update({ requestId: req.id, userid, closedAt: IsNull() }, { closedAt: now, outcome });
}

/** What a card shows once the request is no longer pending (the polite late-click answer). */
export async function outcomeText(m: EntityManager, req: VerificationRequest, viewer: string): Promise<string> {
  switch (req.status) {
    case 'accepted':
      return req.assignee === viewer ? CARD_TEXT.acceptedBySelf : CARD_TEXT.takenBy(await staffName(m, req.assignee));
    case 'returning':
      return CARD_TEXT.returningBy(await staffName(m, req.assignee));
    case 'returned':
      return req.assignee === viewer ? CARD_TEXT.returnedBySelf : CARD_TEXT.returnedBy(await staffName(m, req.assignee));
    case 'answered':
      return req.assignee && req.assignee !== viewer ? CARD_TEXT.takenBy(await staffName(m, req.assignee)) : CARD_TEXT.answered;
    case 'cancelled':
      return CARD_TEXT.cancelled;
    default:
      return CARD_TEXT.acceptedBySelf;
  }
}

export async function resultView(m: EntityManager, ctx: OpContext, req: VerificationRequest): Promise<ResultCardView> {
  return { ...(await cardView(m, ctx, req)), ownerName: req.assignee ? await staffName(m, req.assignee) : null };
}

export async function tellRequester(m: EntityManager, ctx: OpContext, req: VerificationRequest, card: Record<string, unknown>, kind: string): Promise<string[]> {
  const targets = await requesterTargets(m, req, ctx.cal.localDate(ctx.now));
  for (const userid of targets) await queueCard(m, userid, card, ctx.now, { type: REF.notice, id: `${req.id}:${kind}` });
  return targets;
}

/** How the issuing unit's texts name a request: the requesting unit, the item, the number. */
export async function aboutForIssuer(m: EntityManager, req: VerificationRequest): Promise<string> {
  const names = await unitNames(m, [req.requesterUnit]);
  return TEXT.about(names.get(req.requesterUnit) ?? req.requesterUnit, req.serviceItem, req.number);
}

/** How the requesting unit's texts name a request: the issuing unit, the item, the number. */
export async function aboutForRequester(m: EntityManager, req: VerificationRequest): Promise<string> {
  const names = await unitNames(m, [req.issuerUnit]);
  return TEXT.about(names.get(req.issuerUnit) ?? req.issuerUnit, req.serviceItem, req.number);
}

/**
 * Free text of the issuing unit as the requesting unit may see it (Art. 12): the names of
 * this applicant and of the answerer's other requests' applicants are masked too (a reply
 * typed under the wrong number must not carry another applicant's name).
 */
export async function maskedForRequester(m: EntityManager, req: VerificationRequest, text: string): Promise<string> {
  const others = req.assignee
    ? await m.getRepository(VerificationRequest).find({ where: { assignee: req.assignee }, select: { id: true, applicantName: true }, order: { id: 'DESC' }, take: 50 })
    : [];
  return maskReply(text, [req.applicantName, ...others.map((o) => o.applicantName)]);
}
