import { EntityManager } from 'typeorm';
import { AccountabilityCase, Staff, Unit } from '../../entities';
import { sendCard, sendText } from '../wecom/messaging';
import { CaseCardView, CaseStep, caseStepCard } from '../../cards/accountability.card';

export const REF = { card: 'accountability_card', text: 'accountability_text' } as const;

export async function caseCardView(m: EntityManager, c: AccountabilityCase): Promise<CaseCardView> {
  const unit = await m.getRepository(Unit).findOneBy({ code: c.unitCode });
  return {
    id: c.id,
    ground: c.ground,
    unitName: unit?.name ?? c.unitCode,
    status: c.status,
    outcome: c.outcome,
    decidingBody: c.decidingBody,
    rectifyBy: c.rectifyBy,
    appealState: c.appealState,
    exemptionState: c.exemptionState,
    exemptionApprover: c.exemptionApprover,
  };
}

/**
 * SPEC 4: the person concerned is told in WeCom at each step (opened, decision, appeal
 * result, exemption result), in person only: group messages never carry a case. Nobody
 * named, or nobody in the directory: nothing to send.
 */
export async function tellPerson(m: EntityManager, c: AccountabilityCase, step: CaseStep, now: Date): Promise<void> {
  if (!c.personUserid) return;
  if (!(await m.getRepository(Staff).findOneBy({ userid: c.personUserid }))) return;
  const taskId = `acc${c.id}_${step}_${c.version}`;
  const card = caseStepCard(await caseCardView(m, c), step, taskId, now);
  await sendCard(m, c.personUserid, card, now, { refType: REF.card, refId: taskId, dedupeKey: `acc-card:${taskId}` });
}

export async function textTo(m: EntityManager, to: string, content: string, now: Date, key: string): Promise<void> {
  await sendText(m, to, content, now, { refType: REF.text, refId: key.slice(0, 60), dedupeKey: `acc-text:${key}` });
}
