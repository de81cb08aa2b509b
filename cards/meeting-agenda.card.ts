/**
 * Joint meeting cards for convenors and responsible units (SPEC 5): a proposed agenda item
 * to approve (同意 / 不同意), and a decision of the minutes to report progress on. Pure.
 */
import { CARD } from '../src/meeting/messages';
import { cardKey } from './keys';
import { clip } from './verification.card';

export interface AgendaCardView {
  itemId: number;
  unitName: string;
  text: string;
  meetingTitle: string | null;
}

export function agendaApprovalCard(v: AgendaCardView, taskId: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: CARD.source, desc_color: 1 },
    main_title: { title: CARD.agendaTitle, desc: clip(CARD.agendaDesc(v.unitName), 44) },
    sub_title_text: clip(v.text, 160),
    horizontal_content_list: [{ keyname: CARD.agendaMeeting, value: clip(v.meetingTitle ?? CARD.agendaNext, 30) }],
    task_id: taskId,
    button_list: [
      { text: CARD.approve, style: 1, key: cardKey('meeting_agenda', `${v.itemId}.yes`) },
      { text: CARD.decline, style: 2, key: cardKey('meeting_agenda', `${v.itemId}.no`) },
    ],
  };
}

export interface DecisionCardView {
  decisionId: number;
  meetingTitle: string;
  text: string;
  dueDate: string | null;
}

export function decisionProgressCard(v: DecisionCardView, taskId: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: CARD.source, desc_color: 1 },
    main_title: { title: CARD.progressTitle, desc: clip(CARD.progressDesc(v.meetingTitle), 44) },
    sub_title_text: clip(v.text, 160),
    horizontal_content_list: [{ keyname: CARD.progressDue, value: v.dueDate ?? CARD.progressNoDue }],
    task_id: taskId,
    button_list: [{ text: CARD.progressButton, style: 1, key: cardKey('meeting_progress', v.decisionId) }],
  };
}
