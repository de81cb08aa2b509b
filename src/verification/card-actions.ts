/**
 * The owner's card after 受理 (CONTRACT.md): 核验一致, 核验不一致, 转纸质档案, 转历史档案,
 * 退回; then the return reasons, the confirmation of an answer and 撤回. Each click's
 * response_code updates the clicker's card once (WECOM.md section 4).
 */
import { ownerAnswerCard } from './late-status';
import { EntityManager } from 'typeorm';
import { OpenQuestion } from '../../entities';
import type { VerificationResult } from '../../entities/VerificationRequest';
import { isAppError } from '../errors';
import { dataOf } from '../conversation';
import { verificationAnsweredOwnerCard, verificationConfirmCard } from '../../cards/verification.card';
import { shortTime } from '../calendar';
import { OTHER_REASON, RETURN_REASONS, TEXT, WITHDRAW_MINUTES } from './messages';
import { queueCardUpdate, queueText } from './notify';
import { askVerification, QuestionData } from './questions';
import { CATEGORY_RANK, OpContext, aboutForIssuer, cardView } from './common';
import { Click, answerRequest, clickTarget, politeClick, withdrawAnswer } from './decide';
import { cancelReturn, completeReturn, startReturn } from './returns';
import { overrideAutoAnswer } from './override';

export type ActOutcome = 'done' | 'late' | 'rejected' | 'refused';

/** The question this person has open about this request, of that kind. */
export async function openQuestion(m: EntityManager, userid: string, requestId: number, kind: string, now: Date): Promise<OpenQuestion | null> {
  const q = await m.getRepository(OpenQuestion).findOneBy({ userid, module: 'verification', subject: String(requestId), kind });
  return q && q.expiresAt.getTime() > now.getTime() ? q : null;
}

/** A click on the owner's answer, reason, confirmation or answered card: `op` from the key (`verif_act:<id>:<op>`). */
export async function handleAct(m: EntityManager, ctx: OpContext, op: string, click: Click): Promise<ActOutcome> {
  const t = await clickTarget(m, click);
  if (!t) return 'rejected';
  const { req, rcp } = t;
  const now = ctx.now;
  const card = { responseCode: click.responseCode, taskId: rcp.taskId };
  const owner = req.assignee === click.from;
  // 改判 on the card of a data service's automatic answer (issue 15).
  if (op === 'override') return overrideAutoAnswer(m, ctx, req, rcp, click);
  const back = async (text: string) => {
    // The person is told why in the chat; the card keeps its buttons.
    await queueCardUpdate(m, click.from, click.responseCode, await ownerAnswerCard(m, ctx, req, rcp.taskId, click.from), now, rcp.taskId);
    await queueText(m, click.from, text, now, String(req.id));
    return 'refused' as const;
  };
  try {
    if (req.status === 'accepted' && owner) {
      switch (op) {
        case 'match':
          await queueCardUpdate(m, click.from, click.responseCode, verificationConfirmCard(await cardView(m, ctx, req), rcp.taskId, 'match', null, now), now, rcp.taskId);
          return 'done';
        case 'mismatch':
          await askVerification(m, click.from, req, 'mismatch_details', {}, now, click.responseCode);
          return 'done';
        case 'paper':
        case 'historical': {
          const a = await aboutForIssuer(m, req);
          if (now.getTime() > req.dueAt.getTime()) return back(TEXT.categoryAfterDeadline(a, shortTime(ctx.tz, req.dueAt)));
          if (CATEGORY_RANK[op] <= CATEGORY_RANK[req.category]) return back(TEXT.categoryNotLonger(a, req.category));
          await askVerification(m, click.from, req, 'category_reason', { to: op }, now, click.responseCode);
          return 'done';
        }
        case 'return':
          return (await startReturn(m, ctx, req, click.from, card)) ? 'done' : politeClick(m, ctx, req, rcp, click);
        case 'back':
          await back(TEXT.promptCancelled(await aboutForIssuer(m, req)));
          await m.getRepository(OpenQuestion).delete({ userid: click.from, module: 'verification', subject: String(req.id), kind: 'confirm_answer' });
          return 'done';
        case 'confirm_match':
        case 'confirm_mismatch': {
          const result: VerificationResult = op === 'confirm_match' ? 'match' : 'mismatch';
          let details: string | null = null;
          if (result === 'mismatch') {
            const q = await openQuestion(m, click.from, req.id, 'confirm_answer', now);
            details = q ? (dataOf<QuestionData>(q).details ?? null) : null;
            if (!details) return back(TEXT.nothingToConfirm);
          }
          await answerRequest(m, ctx, req, { kind: 'staff', userid: click.from }, result, details);
          await queueCardUpdate(m, click.from, click.responseCode, verificationAnsweredOwnerCard(await cardView(m, ctx, req), rcp.taskId, result, WITHDRAW_MINUTES, now), now, rcp.taskId);
          return 'done';
        }
      }
    }
    if (req.status === 'returning' && owner) {
      const m1 = /^reason(\d)$/.exec(op);
      if (m1 && Number(m1[1]) < RETURN_REASONS.length) {
        const i = Number(m1[1]);
        if (i === OTHER_REASON) {
          const q = await openQuestion(m, click.from, req.id, 'return_reason', now);
          const from = q ? dataOf<QuestionData>(q).from : undefined;
          await askVerification(m, click.from, req, 'return_reason', { from, other: true }, now, click.responseCode);
          return 'done';
        }
        await completeReturn(m, ctx, req, { kind: 'staff', userid: click.from }, RETURN_REASONS[i], card);
        return 'done';
      }
      if (op === 'undo') {
        const q = await openQuestion(m, click.from, req.id, 'return_reason', now);
        await cancelReturn(m, ctx, req, click.from, (q ? dataOf<QuestionData>(q).from : null) ?? (req.acceptedAt ? 'accepted' : 'pending'), card);
        return 'done';
      }
    }
    if (req.status === 'answered' && owner && op === 'withdraw') {
      await withdrawAnswer(m, ctx, req, click.from, card);
      return 'done';
    }
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (e.code === 'verification_withdraw_expired') {
      await queueText(m, click.from, TEXT.withdrawTooLate(await aboutForIssuer(m, req)), now, String(req.id));
      return politeClick(m, ctx, req, rcp, click);
    }
    throw e;
  }
  return politeClick(m, ctx, req, rcp, click);
}
