import crypto from 'crypto';
import { EntityManager, In } from 'typeorm';
import { z } from 'zod';
import { AccountabilityCase, Complaint, ExemptionApplication, Staff, Unit, VerificationRequest } from '../../entities';
import type { Art4Ground, Employment } from '../../entities/AccountabilityCase';
import { AppError } from '../errors';
import { ART4_GROUNDS, EMPLOYMENT_TYPES, LATE_APPLICATION_GROUND } from './codes';
import { accountableLiaison, openCase } from './service';

const ids = z.array(z.number().int().positive()).max(50);
const ground = z.enum(ART4_GROUNDS as [Art4Ground, ...Art4Ground[]], { error: `one of ${ART4_GROUNDS.join(', ')} (Art. 4 (1)-(6))` });
const employment = z.enum(EMPLOYMENT_TYPES as [Employment, ...Employment[]]);
const person = z.string().trim().min(1).max(64);

/** Links to the system's own records, and the office's text (SPEC 4 Art. 4: "with its evidence"). */
export const evidenceBody = z
  .object({ requests: ids.optional(), complaints: ids.optional(), applications: ids.optional(), text: z.string().trim().max(4000).optional() })
  .strict()
  .refine((e) => !!e.text || !!e.requests?.length || !!e.complaints?.length || !!e.applications?.length, 'evidence: a link to a request, complaint or list application, or a text');
export type Evidence = z.infer<typeof evidenceBody>;

/** Body of POST /api/v1/accountability/cases (CONTRACT.md). */
export const openCaseBody = z.object({ ground, unit: z.string().trim().min(1).max(40), person: person.optional(), employment: employment.optional(), evidence: evidenceBody }).strict();
export type OpenCaseInput = z.infer<typeof openCaseBody>;

/** Body of POST /api/v1/accountability/cases/from-application/{id}: all optional. */
export const lateApplicationBody = z.object({ ground: ground.optional(), person: person.optional(), employment: employment.optional(), text: z.string().trim().max(4000).optional() }).strict();
export type LateApplicationInput = z.infer<typeof lateApplicationBody>;

/** Every link names an existing record; nothing is opened on evidence that is not there. */
async function checkEvidence(m: EntityManager, e: Evidence): Promise<void> {
  const sets: Array<[string, number[] | undefined, () => Promise<number[]>]> = [
    ['requests', e.requests, async () => (await m.getRepository(VerificationRequest).find({ where: { id: In(e.requests!) }, select: { id: true } })).map((x) => x.id)],
    ['complaints', e.complaints, async () => (await m.getRepository(Complaint).find({ where: { id: In(e.complaints!) }, select: { id: true } })).map((x) => x.id)],
    ['applications', e.applications, async () => (await m.getRepository(ExemptionApplication).find({ where: { id: In(e.applications!) }, select: { id: true } })).map((x) => x.id)],
  ];
  for (const [field, wanted, found] of sets) {
    if (!wanted?.length) continue;
    const have = new Set(await found());
    const missing = wanted.filter((id) => !have.has(id));
    if (missing.length) throw new AppError('validation_failed', `evidence.${field}: no record ${missing.join(', ')}`);
  }
}

/** The unit exists; the person is in the directory; an employment type needs a person. */
async function checkWho(m: EntityManager, unit: string, personId: string | undefined, emp: Employment | undefined): Promise<void> {
  if (!(await m.getRepository(Unit).findOneBy({ code: unit }))) throw new AppError('unit_unknown', `unit: unknown unit ${unit}`);
  if (emp && !personId) throw new AppError('validation_failed', 'employment: names the employment of a person; give person too');
  // borrowed or seconded staff may be listed under their home unit, so any directory member will do
  if (personId && !(await m.getRepository(Staff).findOneBy({ userid: personId }))) throw new AppError('staff_unknown', `person: ${personId} is not in the directory`);
}

/** What the shared openCase does not take: who the person is to the case, and their employment. */
async function complete(m: EntityManager, c: AccountabilityCase, personRole: string | null, emp: Employment | undefined): Promise<AccountabilityCase> {
  const values = { personRole, employment: emp ?? null };
  await m.getRepository(AccountabilityCase).update({ id: c.id }, values);
  return Object.assign(c, values);
}

/** SPEC 4 Art. 4: the office opens a case on any ground (1)-(6), with its evidence. */
export async function openOfficeCase(m: EntityManager, input: OpenCaseInput, actor: string, now: Date): Promise<AccountabilityCase> {
  await checkWho(m, input.unit, input.person, input.employment);
  await checkEvidence(m, input.evidence);
  const c = await openCase(m, {
    sourceKey: `office:${crypto.randomUUID()}`,
    ground: input.ground,
    unitCode: input.unit,
    personUserid: input.person ?? null,
    personRole: null,
    requestId: input.evidence.requests?.[0] ?? null,
    facts: { openedBy: 'office', evidence: input.evidence },
    occurredAt: now,
    actor,
    now,
  });
  return complete(m, c!, input.person ? 'named' : null, input.employment);
}

/**
 * SPEC 2 Art. 9: a list application filed after its 7 working days may be opened as a
 * case by the office, once, against the applying unit and whoever filed it (else the
 * unit's liaison).
 */
export async function openLateApplicationCase(m: EntityManager, applicationId: number, input: LateApplicationInput, actor: string, now: Date): Promise<AccountabilityCase> {
  const a = Number.isSafeInteger(applicationId) ? await m.getRepository(ExemptionApplication).findOneBy({ id: applicationId }) : null;
  if (!a) throw new AppError('exemption_not_found', `no application ${applicationId}`);
  if (!a.late) throw new AppError('validation_failed', `application ${a.id} was filed within its 7 working days; it is not late`);
  const submitter = a.submittedBy ? await m.getRepository(Staff).findOneBy({ userid: a.submittedBy }) : null;
  const personId = input.person ?? submitter?.userid ?? (await accountableLiaison(m, a.unitCode)) ?? undefined;
  await checkWho(m, a.unitCode, personId, input.employment);
  const sourceKey = `exemption-app:${a.id}:late`;
  const existing = await m.getRepository(AccountabilityCase).findOneBy({ sourceKey });
  if (existing) throw new AppError('accountability_conflict', `application ${a.id} already has case ${existing.id}`, { details: { caseId: existing.id } });
  const c = await openCase(m, {
    sourceKey,
    ground: input.ground ?? LATE_APPLICATION_GROUND,
    unitCode: a.unitCode,
    personUserid: personId ?? null,
    personRole: null,
    requestId: null,
    facts: { openedBy: 'office', evidence: { applications: [a.id], ...(input.text ? { text: input.text } : {}) }, causeDate: a.causeDate, dueAt: a.dueAt.toISOString(), submittedAt: a.submittedAt?.toISOString() ?? null },
    occurredAt: a.dueAt,
    actor,
    now,
  });
  if (!c) throw new AppError('accountability_conflict', `application ${a.id} already has a case`);
  return complete(m, c, input.person ? 'named' : submitter ? 'submitter' : personId ? 'liaison' : null, input.employment);
}
