import { cardKey } from './keys';
import { MSG, KIND_LABEL, REASON_LABEL } from '../src/exemptions/messages';
import type { AdjustmentKind } from '../entities/ExemptionApplication';

export interface ExemptionConfirmInput {
  /** The prompt's nonce: a click on an older confirmation card is recognised as stale. */
  nonce: string;
  kind: AdjustmentKind;
  unitName: string;
  entryId: number | null;
  reason: string;
  causeDate: string;
  /** The 7-working-day limit, office-local "YYYY-MM-DD HH:mm". */
  due: string;
  late: boolean;
  /** What the entry will read, as "label: value" lines (already shortened). */
  lines: Array<{ key: string; value: string }>;
  /** Set when the form corrects a returned application (a resubmission). */
  resubmitOf?: number;
}

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** Summary of a filled application form, with submit / discard (SPEC 2 Art. 9). */
export function exemptionConfirmCard(input: ExemptionConfirmInput, _now: Date): Record<string, unknown> {
  const horizontal = [
    { keyname: MSG.labels.kind, value: KIND_LABEL[input.kind] + (input.entryId ? ` #${input.entryId}` : '') },
    { keyname: MSG.labels.reason, value: clip(REASON_LABEL[input.reason] ?? input.reason, 30) },
    { keyname: MSG.labels.causeDate, value: input.causeDate },
    { keyname: MSG.labels.due, value: input.late ? `${input.due} ${MSG.lateMark}` : input.due },
  ];
  return {
    card_type: 'button_interaction',
    source: { desc: MSG.cardSource },
    main_title: { title: input.resubmitOf ? MSG.confirmResubmitTitle(input.resubmitOf) : MSG.confirmTitle, desc: clip(input.unitName, 44) },
    sub_title_text: clip(input.lines.map((l) => `${l.key}：${l.value}`).join('\n'), 160),
    horizontal_content_list: horizontal,
    task_id: `exm-confirm-${input.nonce}`,
    button_list: [
      { text: MSG.confirmButtons.submit, style: 1, key: cardKey('exm_confirm', `${input.nonce}.submit`) },
      { text: MSG.confirmButtons.discard, style: 2, key: cardKey('exm_confirm', `${input.nonce}.discard`) },
    ],
  };
}
