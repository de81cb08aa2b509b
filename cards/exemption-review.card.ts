import { cardKey } from './keys';
import { MSG, KIND_LABEL, REASON_LABEL } from '../src/exemptions/messages';
import type { AdjustmentKind } from '../entities/ExemptionApplication';

export interface ExemptionReviewInput {
  applicationId: number;
  /** submittedAt in ms: a resubmission after "return" is a new round with a new card. */
  round: number;
  kind: AdjustmentKind;
  unitName: string;
  entryId: number | null;
  reason: string;
  causeDate: string;
  late: boolean;
  /** "label: value" lines describing the change (already shortened). */
  lines: Array<{ key: string; value: string }>;
  /** 说明 as the unit wrote it. */
  note?: string | null;
  /** Who applied: the submitter's name (or the API key's). */
  applicant?: string | null;
  /** 1 for the first submission; a resubmission after a return adds one. */
  roundNumber?: number;
  /** From the second round: what changed since the last one ("label：old→new"), empty when nothing did. */
  changes?: string[];
}

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/**
 * An application awaiting the office's review (SPEC 2 Art. 10): who applied, which round,
 * its 说明 and, after a return, what changed; approve, return or reject.
 */
export function exemptionReviewCard(input: ExemptionReviewInput, _now: Date): Record<string, unknown> {
  const arg = `${input.applicationId}.${input.round}`;
  const R = MSG.reviewLabels;
  // from the second round on, what changed comes first: it is what the office returned it for
  const changed = input.roundNumber && input.roundNumber > 1 && input.changes ? [`【${R.changed}】${input.changes.length ? input.changes.join('；') : MSG.noChange}`] : [];
  return {
    card_type: 'button_interaction',
    source: { desc: MSG.cardSource },
    main_title: { title: MSG.reviewTitle, desc: clip(`${input.unitName}·${KIND_LABEL[input.kind]}`, 44) },
    sub_title_text: clip([...changed, ...input.lines.map((l) => `${l.key}：${l.value}`)].join('\n'), 160),
    ...(input.note ? { quote_area: { type: 0, title: R.note, quote_text: clip(input.note, 120) } } : {}),
    horizontal_content_list: [
      { keyname: MSG.labels.kind, value: KIND_LABEL[input.kind] + (input.entryId ? ` #${input.entryId}` : '') },
      { keyname: MSG.labels.reason, value: clip(REASON_LABEL[input.reason] ?? input.reason, 30) },
      { keyname: MSG.labels.causeDate, value: input.late ? `${input.causeDate} ${MSG.lateMark}` : input.causeDate },
      ...(input.applicant ? [{ keyname: R.applicant, value: clip(input.applicant, 20) }] : []),
      ...(input.roundNumber ? [{ keyname: R.round, value: MSG.roundValue(input.roundNumber) }] : []),
    ],
    task_id: `exm-review-${input.applicationId}-${input.round}`,
    button_list: [
      { text: MSG.reviewButtons.approve, style: 1, key: cardKey('exm_review', `${arg}.approve`) },
      { text: MSG.reviewButtons.return, style: 2, key: cardKey('exm_review', `${arg}.return`) },
      { text: MSG.reviewButtons.reject, style: 3, key: cardKey('exm_review', `${arg}.reject`) },
    ],
  };
}
