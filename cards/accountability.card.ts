/**
 * What the person concerned reads at each step of an accountability case (SPEC 4): opened,
 * decision, appeal result, exemption result. Labels only, never codes. Pure functions.
 */
import type { AppealState, CaseGround, CaseOutcome, CaseStatus, DecidingBody, ExemptionState } from '../entities/AccountabilityCase';
import { APPEAL_LABEL, BODY_LABEL, CARD, EXEMPTION_STATE_LABEL, GROUND_LABEL, OUTCOME_LABEL } from '../src/accountability/messages';
import { cardKey } from './keys';
import { clip } from './verification.card';

export type CaseStep = 'opened' | 'decided' | 'appeal_result' | 'exemption_result';

export interface CaseCardView {
  id: number;
  ground: CaseGround;
  unitName: string;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  decidingBody: DecidingBody | null;
  rectifyBy: string | null;
  appealState: AppealState | null;
  exemptionState: ExemptionState | null;
  exemptionApprover: string | null;
}

const DESC: Record<CaseStep, string> = { opened: CARD.opened, decided: CARD.decided, appeal_result: CARD.appealResult, exemption_result: CARD.exemptionResult };

/** Which requests the person may still make: an appeal of a standing decision, an exemption. */
export function caseButtons(v: CaseCardView): Array<{ text: string; key: string }> {
  const live = v.status === 'open' || v.status === 'decided';
  const buttons: Array<{ text: string; key: string }> = [];
  if (v.status === 'decided' && v.appealState === null) buttons.push({ text: CARD.appealButton, key: cardKey('acc_appeal', v.id) });
  if (live && v.exemptionState !== 'applied' && v.exemptionState !== 'rejected') buttons.push({ text: CARD.exemptButton, key: cardKey('acc_exempt', v.id) });
  if (!buttons.length) buttons.push({ text: CARD.okButton, key: cardKey('acc_ok', v.id) });
  return buttons;
}

export function caseStepCard(v: CaseCardView, step: CaseStep, taskId: string, _now: Date): Record<string, unknown> {
  const rows: Array<{ keyname: string; value: string }> = [
    { keyname: CARD.ground, value: clip(GROUND_LABEL[v.ground] ?? CARD.ground, 30) },
    { keyname: CARD.unit, value: clip(v.unitName, 30) },
  ];
  if (v.outcome) rows.push({ keyname: CARD.outcome, value: OUTCOME_LABEL[v.outcome] });
  if (v.decidingBody) rows.push({ keyname: CARD.body, value: BODY_LABEL[v.decidingBody] });
  if (v.rectifyBy && v.outcome === 'rectify') rows.push({ keyname: CARD.rectifyBy, value: v.rectifyBy });
  if (step === 'appeal_result' && v.appealState) rows.push({ keyname: CARD.appeal, value: clip(APPEAL_LABEL[v.appealState], 30) });
  if (step === 'exemption_result' && v.exemptionState) rows.push({ keyname: CARD.exemption, value: clip(EXEMPTION_STATE_LABEL[v.exemptionState], 30) });
  if (step === 'exemption_result' && v.exemptionApprover) rows.push({ keyname: CARD.approver, value: clip(v.exemptionApprover, 30) });
  return {
    card_type: 'button_interaction',
    source: { desc: CARD.source, desc_color: step === 'exemption_result' && v.exemptionState === 'approved' ? 3 : 2 },
    main_title: { title: clip(CARD.title(v.id), 36), desc: clip(DESC[step], 44) },
    ...(step === 'decided' ? { sub_title_text: CARD.stands } : {}),
    horizontal_content_list: rows.slice(0, 6),
    task_id: taskId,
    button_list: caseButtons(v).map((b, i) => ({ text: b.text, style: i === 0 ? 1 : 2, key: b.key })),
  };
}
