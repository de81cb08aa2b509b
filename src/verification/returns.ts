/**
 * A return needs its reason (SPEC 1 Art. 7). 退回 puts the request in `returning`: still
 * open, the deadline runs, reminders and escalation go on. The reason completes the return
 * (the requesting unit is told, with the reason; the figures count it from then); 取消
 * puts the request back where it was.
 */
import { ownerAnswerCard } from './late-status';
import { EntityManager, Not, IsNull } from 'typeorm';
import { VerificationRecipient, VerificationRequest } from '../../entities';
import type { VerificationStatus } from '../../entities/VerificationRequest';
import { AppError } from '../errors';
import { verificationReasonCard, verificationRequestCard } from '../../cards/verification.card';
import { verificationReturnedCard } from '../../cards/verification-result.card';
import { CARD_TEXT, TEXT } from './messages';
import { REF, queueCard, queueCardUpdate, queueReplaceName, queueText, taskIdFor, parseTaskId } from './notify';
import { askVerification } from './questions';
import { staffName } from '../directory/who';
import {
  Actor,
  OpContext,
  aboutForIssuer,
  actorLabel,
  addEvent,
  cardView,
  closeOpenCards,
  closeQuestions,
  maskedForRequester,
  minutesOut,
  requireReason,
  resultView,
  tellRequester,
  transition,
} from './common';

/** The clicker's card, when the return started from a click: its code updates that card once. */
export interface CardRef {
  responseCode: string;
  taskId: string;
}

/**
 * 退回 pressed (on the request card, the answer card, or typed by the owner). From pending,
 * anyone on the request; from accepted, the owner. False when someone else got there first.
 */
export async function startReturn(m: EntityManager, ctx: OpContext, req: VerificationRequest, userid: string, card: CardRef | null): Promise<boolean> {
  const from = req.status;
  if (from !== 'pending' && !(from === 'accepted' && req.assignee === userid)) return false;
  const now = ctx.now;
  if (!(await transition(m, req, { status: 'returning', assignee: userid, updatedAt: now }, { statuses: [from] }))) return false;
  await addEvent(m, req, now, 'returning', userid, { from, to: 'returning' });
  if (card) {
    await queueCardUpdate(m, userid, card.responseCode, verificationReasonCard(await cardView(m, ctx, req), card.taskId, now), now, card.taskId);
    await m.getRepository(VerificationRecipient).update({ requestId: req.id, userid, closedAt: IsNull() }, { closedAt: now, outcome: CARD_TEXT.returningBy('') });
  }
  if (from === 'pending') await closeOpenCards(m, ctx, req, userid, CARD_TEXT.returningBy(await staffName(m, userid)));
  await askVerification(m, userid, req, 'return_reason', { from }, now);
  return true;
}

/** The reason arrives (a preset button, the typed reason): the return is complete. */
export async function completeReturn(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string, card: CardRef | null = null): Promise<void> {
  const r = requireReason(reason, 'a return');
  if (actor.kind === 'staff' && req.assignee !== actor.userid) throw new AppError('verification_not_owner', `${req.number} is being returned by ${req.assignee ?? 'nobody'}`);
  if (actor.kind === 'api' && actor.unitCode !== null && actor.unitCode !== req.issuerUnit) throw new AppError('verification_forbidden', 'only the issuing unit (or the office) may do this');
  if (req.status !== 'returning') throw new AppError('verification_invalid_state', `${req.number} has no return waiting for a reason`);
  const now = ctx.now;
  const won = await transition(
    m,
    req,
    { status: 'returned', returnReason: r, returnedAt: now, closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now },
    { statuses: ['returning'], checkVersion: true },
  );
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'returned', actorLabel(actor), { from: 'returning', to: 'returned', reason: r });
  await closeQuestions(m, req.id);
  const shown = await maskedForRequester(m, req, r);
  const targets = await tellRequester(m, ctx, req, verificationReturnedCard(await resultView(m, ctx, req), shown, now), 'returned');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
  if (card && req.assignee) await queueReplaceName(m, req.assignee, card.responseCode, `${CARD_TEXT.returnedBySelf}：${r}`.slice(0, 20), now, card.taskId);
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.returnedOwner(await aboutForIssuer(m, req), r), now, String(req.id));
}

/**
 * 取消 while the reason is asked: the request goes back to pending (everyone's 受理/退回
 * card again) or to accepted (the owner's answer card). The person is told so.
 */
export async function cancelReturn(m: EntityManager, ctx: OpContext, req: VerificationRequest, userid: string, back: VerificationStatus, card: CardRef | null, tell = true): Promise<VerificationStatus> {
  if (req.status !== 'returning' || req.assignee !== userid) throw new AppError('verification_invalid_state', `${req.number} is not being returned by ${userid}`);
  const to: VerificationStatus = back === 'accepted' ? 'accepted' : 'pending';
  const now = ctx.now;
  const won = await transition(m, req, { status: to, assignee: to === 'accepted' ? userid : null, updatedAt: now }, { statuses: ['returning'], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'return_cancelled', userid, { from: 'returning', to });
  await closeQuestions(m, req.id);
  const view = await cardView(m, ctx, req);
  if (to === 'accepted') {
    if (card) await queueCardUpdate(m, userid, card.responseCode, await ownerAnswerCard(m, ctx, req, card.taskId, userid), now, card.taskId);
  } else {
    await reopenCards(m, req, view, userid, card, now);
  }
  if (tell) await queueText(m, userid, TEXT.returnCancelled(await aboutForIssuer(m, req), to), now, String(req.id));
  return to;
}

/**
 * Back to pending: every card closed by this return gets the 受理/退回 card again. The
 * clicker's through its code; the others as a fresh card (next generation of the task).
 */
async function reopenCards(m: EntityManager, req: VerificationRequest, view: Awaited<ReturnType<typeof cardView>>, userid: string, card: CardRef | null, now: Date): Promise<void> {
  const repo = m.getRepository(VerificationRecipient);
  const closed = await repo.find({ where: { requestId: req.id, closedAt: Not(IsNull()) }, order: { id: 'ASC' } });
  for (const r of closed) {
    if (r.outcome !== CARD_TEXT.returningBy(await staffName(m, userid)).slice(0, 100) && r.outcome !== CARD_TEXT.returningBy('')) continue;
    if (r.userid === userid && card) {
      await queueCardUpdate(m, userid, card.responseCode, verificationRequestCard(view, card.taskId, now), now, card.taskId);
      await repo.update({ id: r.id }, { closedAt: null, outcome: null, codeUsed: true });
      continue;
    }
    const seq = r.cardSeq + 1;
    const taskId = taskIdFor(req.id, parseTaskId(r.taskId)?.ordinal ?? 0, seq);
    await queueCard(m, r.userid, verificationRequestCard(view, taskId, now), now, { type: REF.card, id: taskId }, `verif-card:${taskId}`);
    await repo.update({ id: r.id }, { taskId, cardSeq: seq, cardOutboxId: null, codeUsed: false, closedAt: null, outcome: null });
  }
}

/**
 * A return with its reason in one step: the issuing unit's system, or a recipient on the
 * detail page. A pending request's open cards are closed.
 */
export async function returnWithReason(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string): Promise<void> {
  const r = requireReason(reason, 'a return');
  if (req.status === 'returning') return completeReturn(m, ctx, req, actor, r);
  if (actor.kind === 'api') {
    if (actor.unitCode !== null && actor.unitCode !== req.issuerUnit) throw new AppError('verification_forbidden', 'only the issuing unit (or the office) may do this');
  } else if (!(await m.getRepository(VerificationRecipient).findOneBy({ requestId: req.id, userid: actor.userid }))) {
    throw new AppError('verification_not_owner', `${actor.userid} did not receive ${req.number}`);
  }
  const ok = req.status === 'pending' || (req.status === 'accepted' && (actor.kind === 'api' || req.assignee === actor.userid));
  if (!ok) throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; it cannot be returned`);
  const from = req.status;
  const now = ctx.now;
  const assignee = actor.kind === 'staff' ? actor.userid : req.assignee;
  if (!(await transition(m, req, { status: 'returning', assignee, updatedAt: now }, { statuses: [from], checkVersion: true }))) {
    throw new AppError('verification_conflict', `${req.number} was taken meanwhile`);
  }
  await addEvent(m, req, now, 'returning', actorLabel(actor), { from, to: 'returning' });
  if (from === 'pending') await closeOpenCards(m, ctx, req, null, assignee ? CARD_TEXT.returnedBy(await staffName(m, assignee)) : CARD_TEXT.returnedBy(actorLabel(actor)));
  await completeReturn(m, ctx, req, actor, r);
}
