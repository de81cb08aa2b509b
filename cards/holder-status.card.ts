/**
 * The one card a holder of a late request keeps (issue 18 item 6): the request card (受理 /
 * 退回) or the owner's answer card, with the latest deadline stage on it instead of a text
 * per stage: how late from the original deadline in office time, the stage (催办, 督办,
 * 责成 ...) and the 责成 deadline when one is set. Pure: view + status -> template_card.
 */
import { shortTime } from '../src/calendar/format';
import { formatLate } from '../src/calendar/messages';
import { HOLDER } from '../src/escalations/messages';
import { maskReply } from '../src/verification/mask';
import { VerificationCardView, clip, leadTitle, verificationAnswerCard, verificationRequestCard } from './verification.card';

export interface HolderStatusView {
  /** The latest stage, as HOLDER.stage says it. */
  stage: string;
  /** Office minutes past the original deadline; null while it has not passed. */
  lateMinutes: number | null;
  /** The 责成 deadline, when the office set one. */
  orderBy: Date | null;
}

/** `answer`: the owner's card (the five answers); else the 受理 / 退回 card. */
export function holderStatusCard(v: VerificationCardView, taskId: string, now: Date, s: HolderStatusView, answer: { ownerName: string } | null): Record<string, unknown> {
  const base = answer ? verificationAnswerCard(v, taskId, answer.ownerName, now) : verificationRequestCard(v, taskId, now);
  const late = s.lateMinutes !== null ? formatLate(s.lateMinutes) : null;
  const day = (d: Date) => shortTime(v.tz, d).slice(5);
  const tail = late ? HOLDER.lateTail(late) : s.orderBy ? HOLDER.orderLine(day(s.orderBy)) : `截止${day(v.dueAt)}`;
  const lines = [HOLDER.stageLine(s.stage), ...(s.orderBy ? [HOLDER.orderLine(day(s.orderBy))] : []), HOLDER.dueLine(day(v.dueAt))];
  if (v.question) lines.push(`核验内容：${maskReply(v.question, [v.applicantName])}`);
  return {
    ...base,
    source: { desc: '协查核验', desc_color: late ? 2 : 1 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, tail), desc: clip(`${s.stage}｜协查 ${v.number}`, 44) },
    emphasis_content: late ? { title: clip(late, 14), desc: HOLDER.lateEmphasis } : { title: clip(day(s.orderBy ?? v.dueAt), 14), desc: s.orderBy ? '责成办结时限' : '答复截止' },
    sub_title_text: clip(lines.join('；'), 120),
  };
}
