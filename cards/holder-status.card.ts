/**
 * The one card a holder of a late request keeps (issue 18 item 6): the request card (受理 /
 * 退回) or the owner's answer card, with the latest deadline stage on it instead of a text
 * per stage: how late from the original deadline in office time, the stage (催办, 督办,
 * 责成 ...) and the 责成 deadline when one is set; a read-only card of the same for whoever is
 * told but holds no card. Pure: view + status -> template_card.
 */
import { shortTime } from '../src/calendar/format';
import { formatLate } from '../src/calendar/messages';
import { HOLDER } from '../src/verification/messages';
import { maskReply } from '../src/verification/mask';
import { VerificationCardView, clip, issuerFields, leadTitle, verificationAnswerCard, verificationRequestCard } from './verification.card';

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
  return { ...base, ...statusLead(v, s, []) };
}

/**
 * For someone told of a stage who holds no card of the request (the liaison once a deputy
 * accepted): the same lead and facts, who has it, and no buttons (nothing for them to do).
 */
export function holderWatchCard(v: VerificationCardView, now: Date, s: HolderStatusView, ownerName: string): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    ...statusLead(v, s, [HOLDER.ownerLine(ownerName)]),
    horizontal_content_list: issuerFields(v),
    jump_list: [{ type: 1, title: '查看详情（需登录）', url: v.detailUrl }],
    card_action: { type: 1, url: v.detailUrl },
  };
}

/** The lead (unit, item, how late), the stage, the 责成 deadline and the original one: the pieces every status card shares. */
function statusLead(v: VerificationCardView, s: HolderStatusView, extra: string[]): Record<string, unknown> {
  const late = s.lateMinutes !== null ? formatLate(s.lateMinutes) : null;
  const day = (d: Date) => shortTime(v.tz, d).slice(5);
  const tail = late ? HOLDER.lateTail(late) : s.orderBy ? HOLDER.orderLine(day(s.orderBy)) : `截止${day(v.dueAt)}`;
  const lines = [HOLDER.stageLine(s.stage), ...(s.orderBy ? [HOLDER.orderLine(day(s.orderBy))] : []), HOLDER.dueLine(day(v.dueAt)), ...extra];
  if (v.question) lines.push(`核验内容：${maskReply(v.question, [v.applicantName])}`);
  return {
    source: { desc: '协查核验', desc_color: late ? 2 : 1 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, tail), desc: clip(`${s.stage}｜协查 ${v.number}`, 44) },
    emphasis_content: late ? { title: clip(late, 14), desc: HOLDER.lateEmphasis } : { title: clip(day(s.orderBy ?? v.dueAt), 14), desc: s.orderBy ? '责成办结时限' : '答复截止' },
    sub_title_text: clip(lines.join('；'), 120),
  };
}
