/** Deciding a request (SPEC 1 Art. 7): 受理 / 退回 clicks, answers, return reasons, category moves, withdrawal. */
import { EntityManager } from 'typeorm';
import { VerificationRecipient, VerificationRequest } from '../../entities';
import type { VerificationResult, VerificationStatus } from '../../entities/VerificationRequest';
import { AppError } from '../errors';
import { computeDeadline, DeadlineCategory, shortTime } from '../calendar';
import { verificationAnsweredCard, verificationReturnedCard, verificationDeadlineCard } from '../../cards/verification-result.card';
import { CARD_TEXT, TEXT } from './messages';
import { queueReplaceName, queueText } from './notify';
import { askVerification } from './questions';
import { staffName } from '../directory/who';
import {
  Actor,
  CATEGORY_RANK,
  OpContext,
  actorLabel,
  addEvent,
  cleanText,
  closeOpenCards,
  closeQuestions,
  loadForUpdate,
  markRecipient,
  minutesOut,
  outcomeText,
  requireReason,
  resultView,
  tellRequester,
  transition,
} from './common';

// ---------------------------------------------------------------- clicks (受理 / 退回)

export type ClickKind = 'accept' | 'return';

export interface Click {
  from: string;
  requestId: number;
  taskId: string;
  responseCode: string;
}

export type ClickOutcome = 'accepted' | 'returned' | 'late' | 'rejected';

/**
 * A 受理 or 退回 click. The card must be the clicker's own card of that request; the first
 * click wins through a conditional update; a later one is answered on the clicker's card
 * ("已由X受理") and changes nothing.
 */
export async function handleClick(m: EntityManager, ctx: OpContext, kind: ClickKind, click: Click): Promise<ClickOutcome> {
  const req = Number.isSafeInteger(click.requestId) ? await loadForUpdate(m, { id: click.requestId }) : null;
  const rcp = req ? await m.getRepository(VerificationRecipient).findOneBy({ requestId: req.id, userid: click.from }) : null;
  // The card clicked must be this recipient's card of this request (any generation).
  const ownCard = rcp && click.taskId.startsWith(`${rcp.taskId.replace(/_\d+$/, '')}_`);
  if (!req || !rcp || !ownCard) return 'rejected';
  const now = ctx.now;
  const polite = async () => {
    const text = await outcomeText(m, req, click.from);
    await queueReplaceName(m, click.from, click.responseCode, text, now, rcp.taskId);
    if (!rcp.closedAt) await markRecipient(m, req, click.from, text, now);
    return 'late' as const;
  };
  if (req.status !== 'pending') return polite();

  const accept = kind === 'accept';
  const values: Partial<VerificationRequest> = accept
    ? { status: 'accepted', assignee: click.from, acceptedAt: now, updatedAt: now }
    : { status: 'returned', assignee: click.from, returnedAt: now, closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now };
  if (!(await transition(m, req, values, { statuses: ['pending'] }))) {
    Object.assign(req, await loadForUpdate(m, { id: req.id }));
    return polite();
  }
  const to = accept ? 'accepted' : 'returned';
  const self = accept ? CARD_TEXT.acceptedBySelf : CARD_TEXT.returnedBySelf;
  await addEvent(m, req, now, to, click.from, { from: 'pending', to });
  await queueReplaceName(m, click.from, click.responseCode, self, now, rcp.taskId);
  await markRecipient(m, req, click.from, self, now);
  const name = await staffName(m, click.from);
  await closeOpenCards(m, ctx, req, click.from, accept ? CARD_TEXT.takenBy(name) : CARD_TEXT.returnedBy(name));
  if (accept) await queueText(m, click.from, TEXT.acceptedOwner(req.number, shortTime(ctx.tz, req.dueAt)), now, String(req.id));
  // Art. 7: a return states its reason; the bot asks for it in the chat.
  else await askVerification(m, click.from, req, 'return_reason', null, now);
  return to;
}

// ---------------------------------------------------------------- answers and changes

function mayActAsIssuer(actor: Actor, req: VerificationRequest): void {
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
  const targets = await tellRequester(m, ctx, req, verificationAnsweredCard(await resultView(m, ctx, req), result, req.reply, now), 'answered');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.answeredOwner(req.number, result), now, String(req.id));
}

/** The reason of a return (Art. 7), given after the 退回 click by the person who returned it. */
export async function giveReturnReason(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string): Promise<void> {
  const r = requireReason(reason, 'a return');
  mayActAsIssuer(actor, req);
  if (req.status !== 'returned' || req.returnReason) throw new AppError('verification_invalid_state', `${req.number} has no return waiting for a reason`);
  const now = ctx.now;
  const won = await transition(m, req, { returnReason: r, updatedAt: now }, { statuses: ['returned'], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'return_reason', actorLabel(actor), { from: 'returned', to: 'returned', reason: r });
  await closeQuestions(m, req.id);
  const targets = await tellRequester(m, ctx, req, verificationReturnedCard(await resultView(m, ctx, req), r, now), 'returned');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.returnedOwner(req.number), now, String(req.id));
}

/**
 * A return with its reason in one step: the issuing unit's system, or a recipient on the
 * detail page. Every open card is closed.
 */
export async function returnWithReason(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string): Promise<void> {
  const r = requireReason(reason, 'a return');
  if (req.status === 'returned' && !req.returnReason) return giveReturnReason(m, ctx, req, actor, r);
  if (actor.kind === 'api') mayActAsIssuer(actor, req);
  else if (!(await m.getRepository(VerificationRecipient).findOneBy({ requestId: req.id, userid: actor.userid }))) {
    throw new AppError('verification_not_owner', `${actor.userid} did not receive ${req.number}`);
  }
  if (req.status !== 'pending') throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; only a pending request can be returned`);
  const now = ctx.now;
  const assignee = actor.kind === 'staff' ? actor.userid : null;
  const won = await transition(
    m,
    req,
    { status: 'returned', assignee, returnedAt: now, returnReason: r, closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now },
    { statuses: ['pending'] },
  );
  if (!won) throw new AppError('verification_conflict', `${req.number} was taken meanwhile`);
  const by = actorLabel(actor);
  await addEvent(m, req, now, 'returned', by, { from: 'pending', to: 'returned', reason: r });
  await closeOpenCards(m, ctx, req, null, assignee ? CARD_TEXT.returnedBy(await staffName(m, assignee)) : CARD_TEXT.returnedBy(by));
  const targets = await tellRequester(m, ctx, req, verificationReturnedCard(await resultView(m, ctx, req), r, now), 'returned');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
}

/**
 * 转纸质档案 / 转历史档案 (Art. 7): only to a longer category, with a reason (audited); the
 * new deadline counts from the original start.
 */
export async function changeCategory(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, to: DeadlineCategory, reason: string | null | undefined): Promise<void> {
  const r = requireReason(reason, 'a category change');
  mayActAsIssuer(actor, req);
  const allowed: VerificationStatus[] = actor.kind === 'api' ? ['pending', 'accepted'] : ['accepted'];
  if (!allowed.includes(req.status)) throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; its category cannot change`);
  if (CATEGORY_RANK[to] <= CATEGORY_RANK[req.category]) throw new AppError('validation_failed', `${req.number} is ${req.category}; it can only move to a longer category`);
  const from = req.category;
  const due = computeDeadline(ctx.cal, to, req.startedAt);
  const now = ctx.now;
  const won = await transition(m, req, { category: to, dueAt: due.dueAt, deadlineRule: due.rule, updatedAt: now }, { statuses: [req.status], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'category_changed', actorLabel(actor), {
    from: req.status,
    to: req.status,
    reason: r,
    data: { fromCategory: from, toCategory: to, dueAt: due.dueAt.toISOString(), deadlineRule: due.rule },
  });
  await closeQuestions(m, req.id);
  await tellRequester(m, ctx, req, verificationDeadlineCard(await resultView(m, ctx, req), from, r, now), `category-${to}`);
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.categoryChangedOwner(req.number, to, shortTime(ctx.tz, req.dueAt)), now, String(req.id));
}

/** The requesting unit withdraws its request: cards close, the owner is told. */
export async function cancelRequest(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string | null): Promise<void> {
  if (actor.kind === 'api' && actor.unitCode !== null && actor.unitCode !== req.requesterUnit) throw new AppError('verification_forbidden', 'only the requesting unit (or the office) may cancel');
  if (req.status !== 'pending' && req.status !== 'accepted') throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; it cannot be cancelled`);
  const now = ctx.now;
  const from = req.status;
  const won = await transition(m, req, { status: 'cancelled', closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now }, { statuses: [from], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'cancelled', actorLabel(actor), { from, to: 'cancelled', reason: cleanText(reason) || null });
  await closeQuestions(m, req.id);
  await closeOpenCards(m, ctx, req, null, CARD_TEXT.cancelled);
  if (from === 'accepted' && req.assignee) await queueText(m, req.assignee, TEXT.cancelledToOwner(req.number), now, String(req.id));
}

