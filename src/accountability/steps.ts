import { EntityManager } from 'typeorm';
import { AccountabilityCase } from '../../entities';
import type { AppealState, CaseOutcome, DecidingBody, ExemptionGround } from '../../entities/AccountabilityCase';
import { AppError } from '../errors';
import { HIRED_DECIDED_BY } from './codes';
import { BODY_LABEL } from './messages';
import { addCaseEvent, change, load } from './service';
import { tellPerson } from './notify';

/** Who files an appeal or an exemption (Art. 6, 7): the case's unit (its key) or the person. */
export type Party = { kind: 'unit'; unitCode: string } | { kind: 'person'; userid: string };

export function partyLabel(p: Party): string {
  return p.kind === 'unit' ? `unit:${p.unitCode}` : p.userid;
}

/** Only the case's own unit or its person may file; anyone else is refused. */
function checkParty(c: AccountabilityCase, p: Party): void {
  const ok = p.kind === 'unit' ? p.unitCode === c.unitCode : !!c.personUserid && p.userid === c.personUserid;
  if (!ok) throw new AppError('accountability_not_party', `case ${c.id}: only its unit (${c.unitCode}) or the person concerned may file this`);
}

export interface DecisionInput {
  outcome: CaseOutcome;
  body: DecidingBody;
  /** The body's name as written on the decision (县纪委监委, 县公安局党委...). */
  decidedBy?: string | null;
  note?: string | null;
  rectifyBy?: string | null;
}

/**
 * Art. 5: the body with accountability functions and its outcome, recorded by the office.
 * Hired staff are handled by their own unit under their contract: any other body is refused.
 */
export async function recordDecision(m: EntityManager, id: number, input: DecisionInput, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.status !== 'open') throw new AppError('accountability_invalid_state', `case ${id} is ${c.status}; only an open case takes a decision`);
  if (input.outcome === 'rectify' && !input.rectifyBy) throw new AppError('validation_failed', 'rectify needs rectifyBy (YYYY-MM-DD)');
  if (c.employment === 'hired' && input.body !== HIRED_DECIDED_BY) {
    throw new AppError('accountability_hired_own_unit', `case ${id}: hired staff are handled by their own unit under their contract (Art. 5); body must be ${HIRED_DECIDED_BY}`);
  }
  const updated = await change(
    m,
    c,
    {
      status: 'decided',
      outcome: input.outcome,
      decidingBody: input.body,
      outcomeNote: input.note?.trim() || null,
      rectifyBy: input.outcome === 'rectify' ? input.rectifyBy ?? null : null,
      decidedBy: input.decidedBy?.trim() || BODY_LABEL[input.body],
      decidedAt: now,
      updatedAt: now,
    },
    ['open'],
  );
  await addCaseEvent(m, c.id, now, 'decided', actor, { outcome: input.outcome, body: input.body, decidedBy: updated.decidedBy, rectifyBy: updated.rectifyBy });
  await tellPerson(m, updated, 'decided', now);
  return updated;
}

/** Art. 6: a review or appeal (复核/申诉) by the unit or the person; the decision stands meanwhile. */
export async function recordAppeal(m: EntityManager, id: number, reason: string, by: Party, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  checkParty(c, by);
  if (c.status !== 'decided') throw new AppError('accountability_invalid_state', `case ${id} is ${c.status}; only a decided case can be appealed`);
  if (c.appealState === 'pending') throw new AppError('accountability_invalid_state', `case ${id} already has an appeal pending`);
  const text = reason.trim();
  if (!text) throw new AppError('validation_failed', 'reason: the grounds of the appeal');
  const updated = await change(m, c, { appealState: 'pending', appealReason: text, appealBy: partyLabel(by), appealedAt: now, appealDecidedAt: null, updatedAt: now }, ['decided']);
  await addCaseEvent(m, c.id, now, 'appealed', partyLabel(by), { reason: text });
  return updated;
}

export interface AppealDecisionInput {
  result: Exclude<AppealState, 'pending'>;
  note?: string | null;
  /** For `revised`: the new outcome. */
  outcome?: CaseOutcome | null;
  rectifyBy?: string | null;
}

/** The office records the appeal's result: upheld (stands), revised (a new outcome), revoked. */
export async function recordAppealDecision(m: EntityManager, id: number, input: AppealDecisionInput, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.status !== 'decided' || c.appealState !== 'pending') throw new AppError('accountability_invalid_state', `case ${id} has no appeal pending`);
  const values: Partial<AccountabilityCase> = { appealState: input.result, appealDecidedAt: now, updatedAt: now };
  if (input.result === 'revised') {
    if (!input.outcome) throw new AppError('validation_failed', 'a revised decision needs the new outcome');
    if (input.outcome === 'rectify' && !input.rectifyBy) throw new AppError('validation_failed', 'rectify needs rectifyBy (YYYY-MM-DD)');
    values.outcome = input.outcome;
    values.rectifyBy = input.outcome === 'rectify' ? input.rectifyBy ?? null : null;
  }
  if (input.result === 'revoked') values.status = 'revoked';
  const updated = await change(m, c, values, ['decided']);
  await addCaseEvent(m, c.id, now, 'appeal_decided', actor, { result: input.result, note: input.note?.trim() || null, outcome: input.outcome ?? null });
  await tellPerson(m, updated, 'appeal_result', now);
  return updated;
}

export interface ExemptionApplicationInput {
  ground: ExemptionGround;
  explanation: string;
}

/** Art. 7-8: the unit or the person applies for exemption on one Art. 8 ground, explained. */
export async function applyForExemption(m: EntityManager, id: number, input: ExemptionApplicationInput, by: Party, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  checkParty(c, by);
  if (c.status !== 'open' && c.status !== 'decided') throw new AppError('accountability_invalid_state', `case ${id} is ${c.status}; it cannot be exempted`);
  if (c.exemptionState === 'applied') throw new AppError('accountability_invalid_state', `case ${id} already has an exemption application pending`);
  if (c.exemptionState === 'rejected') throw new AppError('accountability_invalid_state', `case ${id}: its exemption was refused`);
  const explanation = input.explanation.trim();
  if (!explanation) throw new AppError('validation_failed', 'explanation: why the ground applies');
  const updated = await change(
    m,
    c,
    { exemptionState: 'applied', exemptionGround: input.ground, exemptionNote: explanation, exemptionAppliedBy: partyLabel(by), exemptionAppliedAt: now, exemptionInvestigation: null, exemptionApprover: null, updatedAt: now },
    ['open', 'decided'],
  );
  await addCaseEvent(m, c.id, now, 'exemption_applied', partyLabel(by), { ground: input.ground, explanation });
  return updated;
}

/** Art. 10: the accountability body's investigation of the application, recorded by the office. */
export async function recordInvestigation(m: EntityManager, id: number, findings: string, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.exemptionState !== 'applied') throw new AppError('accountability_invalid_state', `case ${id} has no exemption application pending`);
  const updated = await change(m, c, { exemptionInvestigation: findings.trim(), updatedAt: now }, ['open', 'decided']);
  await addCaseEvent(m, c.id, now, 'exemption_investigated', actor, { findings: findings.trim() });
  return updated;
}

export interface ExemptionDecisionInput {
  approved: boolean;
  /** Art. 10: the party committee, or the supervising or deciding body, that approved. */
  approver: string;
  note?: string | null;
}

/**
 * Art. 10-11: approved after the investigation, the exemption is filed (免责备案) and the
 * case no longer counts in appraisal figures or the per-person record; refused, it stands.
 */
export async function decideExemption(m: EntityManager, id: number, input: ExemptionDecisionInput, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.exemptionState !== 'applied') throw new AppError('accountability_invalid_state', `case ${id} has no exemption application pending`);
  if (!c.exemptionInvestigation) throw new AppError('accountability_invalid_state', `case ${id}: record the investigation first (Art. 10)`);
  const approver = input.approver.trim();
  const values: Partial<AccountabilityCase> = input.approved
    ? { status: 'exempted', exemptionState: 'approved', exemptionApprover: approver, exemptedAt: now, exemptionFiledAt: now, updatedAt: now }
    : { exemptionState: 'rejected', exemptionApprover: approver, updatedAt: now };
  const updated = await change(m, c, values, ['open', 'decided']);
  await addCaseEvent(m, c.id, now, input.approved ? 'exemption_approved' : 'exemption_rejected', actor, { approver, note: input.note?.trim() || null });
  await tellPerson(m, updated, 'exemption_result', now);
  return updated;
}

export interface ExemptionRecordInput {
  ground: ExemptionGround;
  note: string;
  /** The approving authority (Art. 10). */
  decidedBy: string;
}

/**
 * Art. 10-11: an exemption applied for, investigated and approved outside the system (on
 * paper), recorded by the office in one step: approved and filed.
 */
export async function recordExemption(m: EntityManager, id: number, input: ExemptionRecordInput, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.status !== 'open' && c.status !== 'decided') throw new AppError('accountability_invalid_state', `case ${id} is ${c.status}; it cannot be exempted`);
  if (c.exemptionState === 'applied') throw new AppError('accountability_invalid_state', `case ${id} has an exemption application pending; decide it instead`);
  const approver = input.decidedBy.trim();
  const updated = await change(
    m,
    c,
    { status: 'exempted', exemptionState: 'approved', exemptionGround: input.ground, exemptionNote: input.note.trim(), exemptionApprover: approver, exemptedAt: now, exemptionFiledAt: now, updatedAt: now },
    ['open', 'decided'],
  );
  await addCaseEvent(m, c.id, now, 'exempted', actor, { ground: input.ground, approver });
  await tellPerson(m, updated, 'exemption_result', now);
  return updated;
}
