/** Deciding a request (SPEC 1 Art. 7): 受理 clicks, answers and their withdrawal, category moves, cancellation. */
import { EntityManager } from 'typeorm';
import { DeadlineTracker, VerificationRecipient, VerificationRequest } from '../../entities';
import type { VerificationResult, VerificationStatus } from '../../entities/VerificationRequest';
import { AppError } from '../errors';
import { computeDeadline, DeadlineCategory, officeMinutesBetween, shortTime } from '../calendar';
import { formatLate } from '../calendar/messages';
import { shortNumber } from './resolve-number';
import { verificationReasonCard } from '../../cards/verification.card';
import { ownerAnswerCard } from './late-status';
import { verificationAcceptedCard, verificationAnsweredCard, verificationDeadlineCard, verificationWithdrawnCard } from '../../cards/verification-result.card';
import { CARD_TEXT, TEXT, WITHDRAW_MINUTES } from './messages';
import { queueCardUpdate, queueReplaceName, queueText } from './notify';
import { staffName } from '../directory/who';
import {
  Actor,
  CATEGORY_RANK,
  OpContext,
  aboutForIssuer,
  actorLabel,
  addEvent,
  cardView,
  cleanText,
  closeOpenCards,
  closeQuestions,
  loadForUpdate,
  markRecipient,
  maskedForRequester,
  minutesOut,
  outcomeText,
  requireReason,
  resultView,
  tellRequester,
  transition,
} from './common';
import { startReturn } from './returns';

// ---------------------------------------------------------------- clicks (受理 / 退回 on the request card)

export type ClickKind = 'accept' | 'return';

export interface Click {
  from: string;
  requestId: number;
  taskId: string;
  responseCode: string;
}

export type ClickOutcome = 'accepted' | 'returning' | 'late' | 'rejected';

/** The request and the clicker's own card of it (any generation), or null: not theirs. */
export async function clickTarget(m: EntityManager, click: Click): Promise<{ req: VerificationRequest; rcp: VerificationRecipient } | null> {
  const req = Number.isSafeInteger(click.requestId) ? await loadForUpdate(m, { id: click.requestId }) : null;
  const rcp = req ? await m.getRepository(VerificationRecipient).findOneBy({ requestId: req.id, userid: click.from }) : null;
  const ownCard = rcp && click.taskId.startsWith(`${rcp.taskId.replace(/_\d+$/, '')}_`);
  return req && rcp && ownCard ? { req, rcp } : null;
}

/** A click that comes too late or out of turn: the card shows where the request stands, nothing changes. */
export async function politeClick(m: EntityManager, ctx: OpContext, req: VerificationRequest, rcp: VerificationRecipient, click: Click): Promise<'late'> {
  // The owner's own card stays usable (a double tap must not grey the answer card).
  if (req.assignee === click.from && (req.status === 'accepted' || req.status === 'returning')) {
    const card = req.status === 'accepted' ? await ownerAnswerCard(m, ctx, req, rcp.taskId, click.from) : verificationReasonCard(await cardView(m, ctx, req), rcp.taskId, ctx.now);
    await queueCardUpdate(m, click.from, click.responseCode, card, ctx.now, rcp.taskId);
    return 'late';
  }
  const text = await outcomeText(m, req, click.from);
  await queueReplaceName(m, click.from, click.responseCode, text, ctx.now, rcp.taskId);
  if (!rcp.closedAt) await markRecipient(m, req, click.from, text, ctx.now);
  return 'late';
}

/**
 * A 受理 or 退回 click on the request card. The first click wins through a conditional
 * update; a later one is answered on the clicker's card ("已由X受理") and changes nothing.
 * 受理 turns the owner's card into the answer card; 退回 into the return-reason card.
 */
export async function handleClick(m: EntityManager, ctx: OpContext, kind: ClickKind, click: Click): Promise<ClickOutcome> {
  const t = await clickTarget(m, click);
  if (!t) return 'rejected';
  const { req, rcp } = t;
  if (req.status !== 'pending') return politeClick(m, ctx, req, rcp, click);
  if (kind === 'return') return (await startReturn(m, ctx, req, click.from, { responseCode: click.responseCode, taskId: rcp.taskId })) ? 'returning' : politeClick(m, ctx, req, rcp, click);
  const now = ctx.now;
  if (!(await transition(m, req, { status: 'accepted', assignee: click.from, acceptedAt: now, updatedAt: now }, { statuses: ['pending'] }))) {
    Object.assign(req, await loadForUpdate(m, { id: req.id }));
    return politeClick(m, ctx, req, rcp, click);
  }
  await addEvent(m, req, now, 'accepted', click.from, { from: 'pending', to: 'accepted' });
  const name = await staffName(m, click.from);
  await queueCardUpdate(m, click.from, click.responseCode, await ownerAnswerCard(m, ctx, req, rcp.taskId, click.from), now, rcp.taskId);
  await markRecipient(m, req, click.from, CARD_TEXT.acceptedBySelf, now);
  await closeOpenCards(m, ctx, req, click.from, CARD_TEXT.takenBy(name));
  const a = await aboutForIssuer(m, req);
  const due = shortTime(ctx.tz, req.dueAt);
  const late = now.getTime() > req.dueAt.getTime();
  await queueText(m, click.from, late ? TEXT.acceptedOwnerLate(a, due, formatLate(officeMinutesBetween(ctx.cal, req.dueAt, now)), shortNumber(req.number)) : TEXT.acceptedOwner(a, due, req.number), now, String(req.id));
  // The requesting unit knows it is being handled, and by whom.
  const targets = await tellRequester(m, ctx, req, verificationAcceptedCard(await resultView(m, ctx, req), now), 'accepted');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets, kind: 'accepted' } });
  return 'accepted';
}

// ---------------------------------------------------------------- answers and changes

export function mayActAsIssuer(actor: Actor, req: VerificationRequest): void {
  if (actor.kind === 'api') {
    if (actor.unitCode !== null && actor.unitCode !== req.issuerUnit) throw new AppError('verification_forbidden', 'only the issuing unit (or the office) may do this');
    return;
  }
  if (req.assignee !== actor.userid) throw new AppError('verification_not_owner', `${req.number} is owned by ${req.assignee ?? 'nobody yet'}`);
}

/**
 * The answer (Art. 7): 核验一致, or 核验不一致 with details. A person must own the
 * request (accepted it); the issuing unit's system may answer a pending one directly.
 */
export async function answerRequest(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, result: VerificationResult, details: string | null): Promise<void> {
  mayActAsIssuer(actor, req);
  const allowed: VerificationStatus[] = actor.kind === 'api' ? ['pending', 'accepted'] : ['accepted'];
  if (!allowed.includes(req.status)) throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; it cannot be answered`);
  const text = cleanText(details);
  if (result === 'mismatch' && !text) throw new AppError('verification_reason_required', 'a mismatch needs details');
  const now = ctx.now;
  const from = req.status;
  const won = await transition(
    m,
    req,
    { status: 'answered', result, reply: text ? text.slice(0, 4000) : null, answeredAt: now, closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now },
    { statuses: [from], checkVersion: true },
  );
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'answered', actorLabel(actor), { from, to: 'answered', data: { result } });
  await closeQuestions(m, req.id);
  if (from === 'pending') await closeOpenCards(m, ctx, req, null, CARD_TEXT.answered);
  const shown = req.reply ? await maskedForRequester(m, req, req.reply) : null;
  const targets = await tellRequester(m, ctx, req, verificationAnsweredCard(await resultView(m, ctx, req), result, shown, now), 'answered');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.answeredOwner(await aboutForIssuer(m, req), req.number, result), now, String(req.id));
}

/**
 * 撤回 / 更正: within WITHDRAW_MINUTES of the answer, the answerer takes it back. The request
 * is accepted again (the deadline runs on), the requesting unit is told the earlier result
 * no longer stands, and the deadline stages resume.
 */
export async function withdrawAnswer(m: EntityManager, ctx: OpContext, req: VerificationRequest, userid: string, card?: { responseCode: string; taskId: string }): Promise<void> {
  if (req.status !== 'answered' || req.assignee !== userid || !req.answeredAt || !req.result) throw new AppError('verification_invalid_state', `${req.number} has no answer of ${userid} to take back`);
  const now = ctx.now;
  if (now.getTime() - req.answeredAt.getTime() > WITHDRAW_MINUTES * 60_000) throw new AppError('verification_withdraw_expired', `${req.number} was answered more than ${WITHDRAW_MINUTES} minutes ago`);
  const result = req.result;
  const won = await transition(m, req, { status: 'accepted', result: null, reply: null, answeredAt: null, closedAt: null, verificationMinutes: null, updatedAt: now }, { statuses: ['answered'], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'answer_withdrawn', userid, { from: 'answered', to: 'accepted', data: { result } });
  // The stages stopped when the request closed: they resume from now.
  await m.getRepository(DeadlineTracker).update({ requestId: req.id }, { nextStageAt: now, state: 'active', updatedAt: now });
  const targets = await tellRequester(m, ctx, req, verificationWithdrawnCard(await resultView(m, ctx, req), result, now), `withdrawn-${req.version}`);
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets, kind: 'withdrawn' } });
  if (card) await queueCardUpdate(m, userid, card.responseCode, await ownerAnswerCard(m, ctx, req, card.taskId, userid), now, card.taskId);
  await queueText(m, userid, TEXT.withdrawnOwner(await aboutForIssuer(m, req)), now, String(req.id));
}

/** Art. 7 and 13: a person (or a unit's system) reclassifies only before the deadline; the office may after it. */
function mayReclassifyNow(actor: Actor, req: VerificationRequest, now: Date): boolean {
  if (now.getTime() <= req.dueAt.getTime()) return true;
  return actor.kind === 'api' && actor.unitCode === null;
}

/**
 * 转纸质档案 / 转历史档案 (Art. 7): only to a longer category, with a reason (audited); the
 * new deadline counts from the original start. Before the deadline it moves the deadline
 * the figures count against too; the office's move after the deadline does not.
 */
export async function changeCategory(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, to: DeadlineCategory, reason: string | null | undefined): Promise<void> {
  const r = requireReason(reason, 'a category change');
  mayActAsIssuer(actor, req);
  const allowed: VerificationStatus[] = actor.kind === 'api' ? ['pending', 'accepted'] : ['accepted'];
  if (!allowed.includes(req.status)) throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; its category cannot change`);
  if (CATEGORY_RANK[to] <= CATEGORY_RANK[req.category]) throw new AppError('validation_failed', `${req.number} is ${req.category}; it can only move to a longer category`);
  const now = ctx.now;
  if (!mayReclassifyNow(actor, req, now)) throw new AppError('verification_deadline_passed', `${req.number} is past its deadline; only the office may reclassify it now`);
  const inTime = now.getTime() <= req.dueAt.getTime();
  const from = req.category;
  const due = computeDeadline(ctx.cal, to, req.startedAt);
  const counted = inTime ? due.dueAt : (req.originalDueAt ?? req.dueAt);
  const won = await transition(m, req, { category: to, dueAt: due.dueAt, originalDueAt: counted, deadlineRule: due.rule, updatedAt: now }, { statuses: [req.status], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'category_changed', actorLabel(actor), {
    from: req.status,
    to: req.status,
    reason: r,
    data: { fromCategory: from, toCategory: to, dueAt: due.dueAt.toISOString(), deadlineRule: due.rule, afterDeadline: !inTime, countedDueAt: counted.toISOString() },
  });
  await closeQuestions(m, req.id);
  await tellRequester(m, ctx, req, verificationDeadlineCard(await resultView(m, ctx, req), from, await maskedForRequester(m, req, r), now), `category-${to}`);
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.categoryChangedOwner(await aboutForIssuer(m, req), to, shortTime(ctx.tz, req.dueAt)), now, String(req.id));
}

/** The requesting unit withdraws its request: cards close, the owner is told. */
export async function cancelRequest(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string | null): Promise<void> {
  if (actor.kind === 'api' && actor.unitCode !== null && actor.unitCode !== req.requesterUnit) throw new AppError('verification_forbidden', 'only the requesting unit (or the office) may cancel');
  if (req.status !== 'pending' && req.status !== 'accepted' && req.status !== 'returning') throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; it cannot be cancelled`);
  const now = ctx.now;
  const from = req.status;
  const won = await transition(m, req, { status: 'cancelled', closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now }, { statuses: [from], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'cancelled', actorLabel(actor), { from, to: 'cancelled', reason: cleanText(reason) || null });
  await closeQuestions(m, req.id);
  await closeOpenCards(m, ctx, req, null, CARD_TEXT.cancelled);
  if (from !== 'pending' && req.assignee) await queueText(m, req.assignee, TEXT.cancelledToOwner(await aboutForIssuer(m, req)), now, String(req.id));
}
