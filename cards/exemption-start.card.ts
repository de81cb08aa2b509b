import { cardKey } from './keys';
import { MSG } from '../src/exemptions/messages';
import type { AdjustmentKind } from '../entities/ExemptionApplication';

export interface ExemptionStartInput {
  /** Makes the task_id unique: the inbox id of the message that asked, or `r<draftId>` for a reminder. */
  nonce: string;
  /** The open draft (a recorded cause) the application completes; 0 = none. */
  draftId: number;
  unitName: string;
  /** Set on the Art. 9 reminder to the liaison. */
  reminder?: { due: string; note: string | null; overdue?: boolean };
}

const KINDS: AdjustmentKind[] = ['add', 'change', 'cancel'];

/** Starts an adjustment application from the chat (SPEC 2 Art. 9): pick add, change or cancel. */
export function exemptionStartCard(input: ExemptionStartInput, _now: Date): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: MSG.cardSource },
    main_title: input.reminder ? { title: MSG.reminderTitle, desc: MSG.startTitle } : { title: MSG.startTitle, desc: MSG.startDesc },
    sub_title_text: input.reminder ? (input.reminder.overdue ? MSG.reminderOverdueSub : MSG.reminderSub)(input.reminder.due, input.reminder.note) : MSG.startSub(input.unitName),
    task_id: `exm-start-${input.nonce}`,
    button_list: KINDS.map((k, i) => ({ text: MSG.startButtons[k], style: i === 0 ? 1 : 2, key: cardKey('exm_start', `${input.draftId}.${k}`) })),
  };
}
