/**
 * The office member's card for a missed deadline (SPEC 1 Art. 10, 11): number, units, owner,
 * category, how late; buttons 督办 / 责成限时办结 / 约谈 with the completion time picked
 * from presets (button_selection), so nobody types a time on a phone. No personal data.
 */
import type { DeadlineCategory } from '../src/calendar';
import { CARD, CATEGORY_SHORT, OFFICE_ACTION_TEXT, ORDER_PRESET_LABEL, OrderPreset, formatLate } from '../src/escalations/messages';
import { cardKey } from './keys';
import { clip } from './verification.card';
import { shortTime } from '../src/calendar/format';

export interface EscalationCardView {
  escalationId: number;
  level: number;
  number: string;
  requesterUnitName: string;
  issuerUnitName: string;
  serviceItem: string;
  ownerName: string | null;
  category: DeadlineCategory;
  /** The deadline missed: the request's, or (level 2) the order's. */
  missedDueAt: Date;
  lateMinutes: number;
  detailUrl: string;
  tz: string;
}

export const ORDER_PRESETS: readonly OrderPreset[] = ['2h', 'today', 'next_day', '3d'];
export const ORDER_QUESTION_KEY = 'complete_by';

/** The action card; `done` lists what the office already did (shown after a click). */
export function escalationActionCard(v: EscalationCardView, taskId: string, _now: Date, done: string[] = []): Record<string, unknown> {
  const late = formatLate(v.lateMinutes);
  return {
    card_type: 'button_interaction',
    source: { desc: CARD.source, desc_color: v.level === 2 ? 2 : 3 },
    main_title: { title: clip(CARD.title(v.level, v.issuerUnitName, v.serviceItem), 36), desc: clip(CARD.desc(late, v.number), 44) },
    emphasis_content: { title: clip(late, 14), desc: CARD.emphasisDesc },
    ...(done.length ? { sub_title_text: clip(`${CARD.done}${done.join('；')}`, 160) } : {}),
    horizontal_content_list: [
      { keyname: CARD.issuer, value: clip(v.issuerUnitName, 30) },
      { keyname: CARD.requester, value: clip(v.requesterUnitName, 30) },
      { keyname: CARD.owner, value: clip(v.ownerName ?? CARD.noOwner, 30) },
      { keyname: CARD.category, value: CATEGORY_SHORT[v.category] },
      { keyname: v.level === 2 ? CARD.orderedBy : CARD.due, value: shortTime(v.tz, v.missedDueAt) },
    ],
    jump_list: [{ type: 1, title: CARD.detail, url: v.detailUrl }],
    card_action: { type: 1, url: v.detailUrl },
    task_id: taskId,
    button_selection: {
      question_key: ORDER_QUESTION_KEY,
      title: OFFICE_ACTION_TEXT.selectionTitle,
      option_list: ORDER_PRESETS.map((id) => ({ id, text: ORDER_PRESET_LABEL[id] })),
      selected_id: '2h',
    },
    button_list: [
      { text: OFFICE_ACTION_TEXT.urge, style: 1, key: cardKey('office_urge', v.escalationId) },
      { text: OFFICE_ACTION_TEXT.order, style: 1, key: cardKey('office_order', v.escalationId) },
      { text: OFFICE_ACTION_TEXT.summons, style: 2, key: cardKey('office_summons', v.escalationId) },
    ],
  };
}

/** What an escalation card becomes when its request is done and no response_code is left: no buttons. */
export function escalationClosedCard(v: EscalationCardView, outcome: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: CARD.source, desc_color: 0 },
    main_title: { title: clip(CARD.title(v.level, v.issuerUnitName, v.serviceItem), 36), desc: clip(CARD.closedDesc(outcome, v.number), 44) },
    horizontal_content_list: [
      { keyname: CARD.issuer, value: clip(v.issuerUnitName, 30) },
      { keyname: CARD.requester, value: clip(v.requesterUnitName, 30) },
      { keyname: CARD.due, value: shortTime(v.tz, v.missedDueAt) },
    ],
    card_action: { type: 1, url: v.detailUrl },
  };
}
