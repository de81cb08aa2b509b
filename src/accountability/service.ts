import { EntityManager } from 'typeorm';
import { AccountabilityCase, AccountabilityEvent, Staff } from '../../entities';
import type { CaseGround, CaseStatus } from '../../entities/AccountabilityCase';
import { AppError } from '../errors';
import { isUniqueViolation } from '../db/tx';
import { tellPerson } from './notify';

export { CASE_OUTCOMES, EXEMPTION_GROUNDS } from './codes';

export interface NewCase {
  sourceKey: string;
  ground: CaseGround;
  unitCode: string;
  personUserid: string | null;
  personRole: 'owner' | 'liaison' | 'named' | null;
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
    decidingBody: null,
    appealBy: null,
    exemptionState: null,
    exemptionAppliedBy: null,
    exemptionAppliedAt: null,
    exemptionInvestigation: null,
    exemptionApprover: null,
    exemptionFiledAt: null,
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
  // SPEC 4: the person concerned is told at each step, from the first.
  await tellPerson(m, row, 'opened', c.now);
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

export async function load(m: EntityManager, id: number): Promise<AccountabilityCase> {
  const c = Number.isSafeInteger(id) ? await m.getRepository(AccountabilityCase).findOneBy({ id }) : null;
  if (!c) throw new AppError('accountability_case_not_found', `no accountability case ${id}`);
  return c;
}

/** Conditional update: of two office clerks recording at once, one wins; the other reloads. */
export async function change(m: EntityManager, c: AccountabilityCase, values: Partial<AccountabilityCase>, from: CaseStatus[]): Promise<AccountabilityCase> {
  const r = await m
    .createQueryBuilder()
    .update(AccountabilityCase)
    .set({ ...values, version: () => 'version + 1' } as Record<string, unknown>)
    .where('id = :id AND version = :v AND status IN (:...st)', { id: c.id, v: c.version, st: from })
    .execute();
  if (r.affected !== 1) throw new AppError('accountability_conflict', `case ${c.id} changed meanwhile; reload and retry`);
  return Object.assign(c, values, { version: c.version + 1 });
}

/**
 * SPEC 4: the person an upheld complaint's case names: the one the complaint says (by
 * directory userid, or by name within the agency), else the agency's liaison.
 */
export async function complaintPerson(m: EntityManager, unitCode: string, named: string | null): Promise<{ userid: string | null; role: 'named' | 'liaison' | null }> {
  const who = named?.trim();
  if (who) {
    const s = (await m.getRepository(Staff).findOneBy({ userid: who, unitCode })) ?? (await m.getRepository(Staff).findOne({ where: { name: who, unitCode }, order: { userid: 'ASC' } }));
    if (s) return { userid: s.userid, role: 'named' };
  }
  const liaison = await accountableLiaison(m, unitCode);
  return { userid: liaison, role: liaison ? 'liaison' : null };
}
