import { cardKey } from './keys';
import { MSG } from '../src/exemptions/messages';

export interface ExemptionReturnedInput {
  applicationId: number;
  /** The round the office returned (submittedAt in ms), so a stale card is recognised. */
  round: number;
  /** "新增：事项／材料". */
  summary: string;
  comment: string | null;
}

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** SPEC 2 Art. 10: a returned application, corrected and resubmitted from this card, or withdrawn. */
export function exemptionReturnedCard(input: ExemptionReturnedInput, _now: Date): Record<string, unknown> {
  const arg = `${input.applicationId}.${input.round}`;
  return {
    card_type: 'button_interaction',
    source: { desc: MSG.cardSource },
    main_title: { title: MSG.returnedTitle(input.applicationId), desc: clip(input.summary, 44) },
    sub_title_text: clip(MSG.returnedSub(input.summary, input.comment), 160),
    task_id: `exm-returned-${input.applicationId}-${input.round}`,
    button_list: [
      { text: MSG.resubmitButtons.edit, style: 1, key: cardKey('exm_resubmit', `${arg}.edit`) },
      { text: MSG.resubmitButtons.withdraw, style: 2, key: cardKey('exm_resubmit', `${arg}.withdraw`) },
    ],
  };
}
