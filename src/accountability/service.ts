import { EntityManager } from 'typeorm';
import { AccountabilityCase, AccountabilityEvent, Staff } from '../../entities';
import type { AppealState, CaseGround, CaseOutcome, CaseStatus, ExemptionGround } from '../../entities/AccountabilityCase';
import { AppError } from '../errors';
import { isUniqueViolation } from '../db/tx';

export { CASE_OUTCOMES, EXEMPTION_GROUNDS } from './codes';

export interface NewCase {
  sourceKey: string;
  ground: CaseGround;
  unitCode: string;
  personUserid: string | null;
  personRole: 'owner' | 'liaison' | null;
  requestId: number | null;
  facts: Record<string, unknown>;
  occurredAt: Date;
  actor?: string;
  now: Date;
}

export async function addCaseEvent(m: EntityManager, caseId: number, at: Date, type: string, actor: string | null, data?: unknown): Promise<void> {
  await m.getRepository(AccountabilityEvent).insert({ caseId, at, type, actor, data: data === undefined ? null : JSON.stringify(data) });
}

/**
 * SPEC 4: every missed deadline becomes a case, once per source (the unique source key).
 * Returns null when the case already exists. Other modules (complaints: an upheld
 * complaint, Art. 4) call this too, in their own transaction.
 */
export async function openCase(m: EntityManager, c: NewCase): Promise<AccountabilityCase | null> {
  const repo = m.getRepository(AccountabilityCase);
  if (await repo.findOneBy({ sourceKey: c.sourceKey })) return null;
  const row = repo.create({
    sourceKey: c.sourceKey,
    ground: c.ground,
    unitCode: c.unitCode,
    personUserid: c.personUserid,
    personRole: c.personRole,
    requestId: c.requestId,
    facts: JSON.stringify(c.facts),
    occurredAt: c.occurredAt,
    status: 'open',
    outcome: null,
    outcomeNote: null,
    rectifyBy: null,
    decidedBy: null,
    decidedAt: null,
    appealState: null,
    appealReason: null,
    appealedAt: null,
    appealDecidedAt: null,
    exemptionGround: null,
    exemptionNote: null,
    exemptedAt: null,
    createdAt: c.now,
    updatedAt: c.now,
  });
  try {
    await repo.insert(row);
  } catch (e) {
    // Raised at the same moment by another path (e.g. a late answer and the sweep).
    if (isUniqueViolation(e)) return null;
    throw e;
  }
  await addCaseEvent(m, row.id, c.now, 'opened', c.actor ?? 'system', { ground: c.ground });
  return row;
}

/** The accountable person of a unit when nobody owns the request: its first liaison (Art. 6). */
export async function accountableLiaison(m: EntityManager, unitCode: string): Promise<string | null> {
  const s = await m.getRepository(Staff).findOne({ where: { unitCode, role: 'liaison' }, order: { userid: 'ASC' } });
  return s?.userid ?? null;
}

/** Counted in appraisal figures: not exempted (Art. 11) and not revoked on appeal (Art. 6). */
export function countsForAppraisal(c: Pick<AccountabilityCase, 'status'>): boolean {
  return c.status !== 'exempted' && c.status !== 'revoked';
}

// ---------------------------------------------------------------- the office records

async function load(m: EntityManager, id: number): Promise<AccountabilityCase> {
  const c = Number.isSafeInteger(id) ? await m.getRepository(AccountabilityCase).findOneBy({ id }) : null;
  if (!c) throw new AppError('accountability_case_not_found', `no accountability case ${id}`);
  return c;
}

/** Conditional update: of two office clerks recording at once, one wins; the other reloads. */
async function change(m: EntityManager, c: AccountabilityCase, values: Partial<AccountabilityCase>, from: CaseStatus[]): Promise<AccountabilityCase> {
  const r = await m
    .createQueryBuilder()
    .update(AccountabilityCase)
    .set({ ...values, version: () => 'version + 1' } as Record<string, unknown>)
    .where('id = :id AND version = :v AND status IN (:...st)', { id: c.id, v: c.version, st: from })
    .execute();
  if (r.affected !== 1) throw new AppError('accountability_conflict', `case ${c.id} changed meanwhile; reload and retry`);
  return Object.assign(c, values, { version: c.version + 1 });
}

export interface DecisionInput {
  outcome: CaseOutcome;
  note?: string | null;
  rectifyBy?: string | null;
  decidedBy: string;
}

/** Art. 5: the outcome the accountable body decided, recorded by the office. */
export async function recordDecision(m: EntityManager, id: number, input: DecisionInput, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.status !== 'open') throw new AppError('accountability_invalid_state', `case ${id} is ${c.status}; only an open case takes a decision`);
  if (input.outcome === 'rectify' && !input.rectifyBy) throw new AppError('validation_failed', 'rectify needs rectifyBy (YYYY-MM-DD)');
  const updated = await change(
    m,
    c,
    { status: 'decided', outcome: input.outcome, outcomeNote: input.note?.trim() || null, rectifyBy: input.outcome === 'rectify' ? input.rectifyBy ?? null : null, decidedBy: input.decidedBy.trim(), decidedAt: now, updatedAt: now },
    ['open'],
  );
  await addCaseEvent(m, c.id, now, 'decided', actor, { outcome: input.outcome, decidedBy: input.decidedBy, rectifyBy: updated.rectifyBy });
  return updated;
}

/** Art. 6: an appeal (复核/申诉); the decision stands meanwhile. */
export async function recordAppeal(m: EntityManager, id: number, reason: string, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.status !== 'decided') throw new AppError('accountability_invalid_state', `case ${id} is ${c.status}; only a decided case can be appealed`);
  if (c.appealState === 'pending') throw new AppError('accountability_invalid_state', `case ${id} already has an appeal pending`);
  const updated = await change(m, c, { appealState: 'pending', appealReason: reason.trim(), appealedAt: now, appealDecidedAt: null, updatedAt: now }, ['decided']);
  await addCaseEvent(m, c.id, now, 'appealed', actor, { reason: reason.trim() });
  return updated;
}

export interface AppealDecisionInput {
  result: Exclude<AppealState, 'pending'>;
  note?: string | null;
  /** For `revised`: the new outcome. */
  outcome?: CaseOutcome | null;
  rectifyBy?: string | null;
}

/** The appeal's result: upheld (stands), revised (a new outcome), revoked (no longer counts). */
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
  return updated;
}

export interface ExemptionInput {
  ground: ExemptionGround;
  note: string;
  decidedBy: string;
}

/**
 * Art. 7, 8, 10, 11: a fault-tolerance exemption decided by the unit's party committee or
 * the accountability body, recorded with its ground; the case then stays on file but does
 * not affect appraisal.
 */
export async function recordExemption(m: EntityManager, id: number, input: ExemptionInput, actor: string, now: Date): Promise<AccountabilityCase> {
  const c = await load(m, id);
  if (c.status !== 'open' && c.status !== 'decided') throw new AppError('accountability_invalid_state', `case ${id} is ${c.status}; it cannot be exempted`);
  const updated = await change(
    m,
    c,
    { status: 'exempted', exemptionGround: input.ground, exemptionNote: input.note.trim(), decidedBy: input.decidedBy.trim(), exemptedAt: now, updatedAt: now },
    ['open', 'decided'],
  );
  await addCaseEvent(m, c.id, now, 'exempted', actor, { ground: input.ground, decidedBy: input.decidedBy });
  return updated;
}
