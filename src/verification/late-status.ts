/**
 * Where a late request stands, as the holder's card shows it (issue 18 item 6): the latest
 * deadline stage, how late from the original deadline in office time (counted now, never a
 * stored figure) and the 责成 deadline. The deadline sweep folds each stage into the
 * holder's card (src/escalations/holder-cards.ts); the owner's answer card of a late
 * request carries the same lead and facts, so 受理 on a status card loses none of them.
 */
import { EntityManager, In } from 'typeorm';
import { OfficeOrder, VerificationEvent, VerificationRequest } from '../../entities';
import { WorkingCalendar, officeMinutesBetween } from '../calendar';
import { staffName } from '../directory/who';
import { verificationAnswerCard } from '../../cards/verification.card';
import { HolderStatusView, holderStatusCard } from '../../cards/holder-status.card';
import { HOLDER, HolderStage } from './messages';
import { OpContext, cardView } from './common';

/** The events the deadline stages and the office's actions leave (src/escalations), and the stage each one is. */
const STAGE_OF_EVENT: Record<string, (data: Record<string, unknown>) => HolderStage> = {
  escalated: (d) => (Number(d.level) === 2 ? 'escalation2' : 'overdue'),
  urged: () => 'urge',
  ordered_completion: () => 'order',
  order_reminder_sent: () => 'order_reminder',
  order_warning_sent: () => 'order_warning',
};

/** The latest stage the request went through, from its history; `late` when none was recorded yet. */
export async function latestStage(m: EntityManager, req: VerificationRequest): Promise<HolderStage> {
  const ev = await m.getRepository(VerificationEvent).findOne({ where: { requestId: req.id, type: In(Object.keys(STAGE_OF_EVENT)) }, order: { id: 'DESC' } });
  if (!ev) return 'late';
  let data: Record<string, unknown> = {};
  try {
    data = ev.data ? (JSON.parse(ev.data) as Record<string, unknown>) : {};
  } catch {
    data = {};
  }
  return STAGE_OF_EVENT[ev.type](data);
}

/** What the card says; `stage` null: the latest one recorded. */
export async function holderStatus(m: EntityManager, cal: WorkingCalendar, req: VerificationRequest, stage: HolderStage | null, now: Date): Promise<HolderStatusView> {
  const order = await m.getRepository(OfficeOrder).findOne({ where: { requestId: req.id, kind: 'order' }, order: { id: 'DESC' } });
  const late = now.getTime() >= req.dueAt.getTime();
  return { stage: HOLDER.stage[stage ?? (await latestStage(m, req))], lateMinutes: late ? Math.round(officeMinutesBetween(cal, req.dueAt, now)) : null, orderBy: order?.completeBy ?? null };
}

/**
 * The owner's answer card (the five answers): once the deadline has passed, with the
 * status card's lead and facts (已超时 N, the latest stage, the 责成 deadline).
 */
export async function ownerAnswerCard(m: EntityManager, ctx: OpContext, req: VerificationRequest, taskId: string, ownerUserid: string): Promise<Record<string, unknown>> {
  const view = await cardView(m, ctx, req);
  const ownerName = await staffName(m, ownerUserid);
  if (ctx.now.getTime() <= req.dueAt.getTime()) return verificationAnswerCard(view, taskId, ownerName, ctx.now);
  return holderStatusCard(view, taskId, ctx.now, await holderStatus(m, ctx.cal, req, null, ctx.now), { ownerName });
}
