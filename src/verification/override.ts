/**
 * 改判 on the card of an automatic answer (秒核, issue 15): until the original deadline the
 * issuing unit's liaison (or deputy) takes the request back from the system and answers it
 * through the ordinary answer card (核验一致, or 核验不一致 with details in the chat). The
 * requesting unit is told the automatic result no longer stands; after the deadline the
 * button is refused and the card closes.
 */
import { ownerAnswerCard } from './late-status';
import { EntityManager } from 'typeorm';
import { DataServiceLookup, DeadlineTracker, VerificationEvent, VerificationRecipient, VerificationRequest } from '../../entities';
import { shortTime } from '../calendar';
import { staffName } from '../directory/who';
import { verificationWithdrawnCard } from '../../cards/verification-result.card';
import { queueCardUpdate, queueReplaceName, queueText, usableSendCode } from './notify';
import { OpContext, aboutForIssuer, addEvent, resultView, tellRequester, transition } from './common';
import { Click, politeClick } from './decide';

/** User-facing texts of 改判 (Chinese). */
export const OVERRIDE_TEXT = {
  tooLateCard: '已过改判时限',
  tooLate: (a: string, due: string) => `${a}的原办理时限 ${due} 已过，系统自动答复不能再改判。如确有错误，请联系联席会议办公室更正。`,
  overriddenBy: (name: string) => `已由${name}改判`,
  taken: (a: string, due: string) => `你已收回系统对${a}的自动答复，请在卡片上重新答复（核验一致，或核验不一致并说明情况），原办理时限 ${due}。`,
};

/** The request's current answer was given by a data service on the unit's behalf. */
async function answeredBySystem(m: EntityManager, req: VerificationRequest): Promise<boolean> {
  if (req.status !== 'answered') return false;
  const last = await m.getRepository(VerificationEvent).findOne({ where: { requestId: req.id, type: 'answered' }, order: { id: 'DESC' } });
  return !!last?.actor?.startsWith('system:data-service:');
}

export async function overrideAutoAnswer(m: EntityManager, ctx: OpContext, req: VerificationRequest, rcp: VerificationRecipient, click: Click): Promise<'done' | 'refused' | 'late'> {
  if (!(await answeredBySystem(m, req)) || !req.result) return politeClick(m, ctx, req, rcp, click);
  const now = ctx.now;
  const a = await aboutForIssuer(m, req);
  const due = shortTime(ctx.tz, req.dueAt);
  if (now.getTime() > req.dueAt.getTime()) {
    await queueReplaceName(m, click.from, click.responseCode, OVERRIDE_TEXT.tooLateCard, now, rcp.taskId);
    await queueText(m, click.from, OVERRIDE_TEXT.tooLate(a, due), now, String(req.id));
    return 'refused';
  }
  const result = req.result;
  const won = await transition(
    m,
    req,
    { status: 'accepted', assignee: click.from, acceptedAt: now, result: null, reply: null, answeredAt: null, closedAt: null, verificationMinutes: null, updatedAt: now },
    { statuses: ['answered'], checkVersion: true },
  );
  if (!won) {
    Object.assign(req, await m.getRepository(VerificationRequest).findOneByOrFail({ id: req.id }));
    return politeClick(m, ctx, req, rcp, click);
  }
  await addEvent(m, req, now, 'auto_answer_overridden', click.from, { from: 'answered', to: 'accepted', data: { result } });
  // The automatic answer no longer counts as one in the figures.
  await m.getRepository(DataServiceLookup).update({ requestId: req.id, status: 'answered' }, { status: 'overridden' });
  // The deadline stages stopped when the system answered: they resume from now.
  await m.getRepository(DeadlineTracker).update({ requestId: req.id }, { nextStageAt: now, state: 'active', updatedAt: now });
  const targets = await tellRequester(m, ctx, req, verificationWithdrawnCard(await resultView(m, ctx, req), result, now), `overridden-${req.version}`);
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets, kind: 'overridden' } });
  const name = await staffName(m, click.from);
  await queueCardUpdate(m, click.from, click.responseCode, await ownerAnswerCard(m, ctx, req, rcp.taskId, click.from), now, rcp.taskId);
  await queueText(m, click.from, OVERRIDE_TEXT.taken(a, due), now, String(req.id));
  // The others' automatic-answer cards show who took it.
  for (const other of await m.getRepository(VerificationRecipient).findBy({ requestId: req.id })) {
    if (other.userid === click.from) continue;
    const code = await usableSendCode(m, other, now);
    if (!code) continue;
    await queueReplaceName(m, other.userid, code, OVERRIDE_TEXT.overriddenBy(name), now, other.taskId);
    await m.getRepository(VerificationRecipient).update({ id: other.id }, { codeUsed: true });
  }
  return 'done';
}
