/**
 * Joint meeting cards (SPEC 5): the reminder a week before, and the minutes with a
 * 确认收到 button whose click records the unit's acknowledgement. Pure functions.
 */
import type { MeetingKind } from '../entities/JointMeeting';
import { CARD, KIND_LABEL } from '../src/meeting/messages';
import { cardKey } from './keys';
import { clip } from './verification.card';
import { shortTime } from '../src/calendar/format';

export interface MeetingCardView {
  id: number;
  kind: MeetingKind;
  title: string;
  scheduledAt: Date;
  place: string | null;
  agendaCount: number;
  url: string;
  tz: string;
}

export function meetingReminderCard(v: MeetingCardView, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: CARD.source, desc_color: 1 },
    main_title: { title: clip(CARD.reminderTitle(v.title), 36), desc: clip(CARD.reminderDesc(v.kind), 44) },
    emphasis_content: { title: shortTime(v.tz, v.scheduledAt).slice(5, 10), desc: shortTime(v.tz, v.scheduledAt).slice(11) },
    sub_title_text: CARD.reminderAgenda,
    horizontal_content_list: [
      { keyname: CARD.kind, value: KIND_LABEL[v.kind] },
      { keyname: CARD.time, value: shortTime(v.tz, v.scheduledAt) },
      { keyname: CARD.place, value: clip(v.place ?? CARD.noPlace, 30) },
      { keyname: CARD.agenda, value: String(v.agendaCount) },
    ],
    card_action: { type: 1, url: v.url },
  };
}

export function meetingMinutesCard(v: MeetingCardView, excerpt: string, taskId: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: CARD.source, desc_color: 1 },
    main_title: { title: clip(CARD.minutesTitle(v.title), 36), desc: clip(CARD.minutesDesc, 44) },
    sub_title_text: clip(excerpt, 160),
    horizontal_content_list: [
      { keyname: CARD.kind, value: KIND_LABEL[v.kind] },
      { keyname: CARD.time, value: shortTime(v.tz, v.scheduledAt) },
    ],
    card_action: { type: 1, url: v.url },
    task_id: taskId,
    button_list: [{ text: CARD.ack, style: 1, key: cardKey('meeting_ack', v.id) }],
  };
}
