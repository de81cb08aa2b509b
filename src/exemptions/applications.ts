import { EntityManager } from 'typeorm';
import { ExemptionApplication, ExemptionEntry } from '../../entities';
import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import { WorkingCalendar } from '../calendar';
import { isUniqueViolation } from '../db/tx';
import { checkReason, checkLegalBasis, EntryData, EntryField, changedFields } from './rules';
import { MSG, STATUS_LABEL } from './messages';
import { closeReviewCards } from './notify';

import type { ApplicationInput, ResubmitInput, CauseInput } from './routes';
import { Actor, ownCheck, refuse, checkCauseDate, loadApplication, requireUnits, officeUnitCode, entryData, givenFields, addKey, findDuplicate, openApplicationOn, applicationLimits } from './common';
import { sendReviewCards } from './review';

/** Adjustment applications (Art. 9): check, file, resubmit, withdraw, record a cause. */

// ---------------------------------------------------------------- validation (no writes)

export interface CheckedApplication {
  unitCode: string;
  kind: AdjustmentKind;
  reason: string;
  entryId: number | null;
  /** add: every field; change: the fields that change; cancel: none. */
  fields: Partial<EntryData>;
  /** The entry as it stands (change/cancel). */
  entry: ExemptionEntry | null;
  pendingKey: string;
  causeDate: string;
  dueAt: Date;
  remindAt: Date;
  draft: ExemptionApplication | null;
  note: string | null;
}

/**
 * Every check of an application, before anything is written (bad input leaves no trace):
 * reason per kind (Art. 6-8), the Art. 9 fields, units that exist, the entry's state,
 * and no other open application on the same entry.
 */
export async function checkApplication(m: EntityManager, cal: WorkingCalendar, actor: Actor, input: ApplicationInput, now: Date, self?: ExemptionApplication): Promise<CheckedApplication> {
  const kind = input.kind as AdjustmentKind;
  // the applying unit
  let unitCode: string;
  if (actor.kind === 'unit') {
    if (input.unitCode && input.unitCode !== actor.unitCode) throw refuse('forbidden', 'a unit applies as itself only', 'not_own_unit');
    unitCode = actor.unitCode!;
  } else {
    const u = input.unitCode ?? actor.unitCode ?? (await officeUnitCode(m));
    if (!u) throw refuse('validation_failed', 'unitCode: required (no office unit in the directory)', 'fields_missing', { fields: ['unitCode'] });
    unitCode = u;
  }
  await requireUnits(m, [['unitCode', unitCode]]);
  checkReason(kind, input.reason, input.note);

  // the cause date and the limit (Art. 9)
  let draft: ExemptionApplication | null = null;
  let causeDate = input.causeDate;
  if (input.draftId) {
    draft = await loadApplication(m, input.draftId, true);
    if (draft.status !== 'draft') throw refuse('exemption_invalid_state', `application ${draft.id} is ${draft.status}, not a draft`, 'application_state', { status: draft.status });
    if (draft.unitCode !== unitCode) throw refuse('forbidden', `draft ${draft.id} belongs to another unit`, 'not_own_unit');
    causeDate = causeDate ?? draft.causeDate;
  }
  if (self) causeDate = self.causeDate;
  if (!causeDate) throw refuse('validation_failed', 'causeDate: required (the date the cause arose)', 'fields_missing', { fields: ['causeDate'] });
  checkCauseDate(cal, causeDate, now);
  const { dueAt, remindAt } = draft && draft.causeDate === causeDate ? { dueAt: draft.dueAt, remindAt: draft.remindAt ?? draft.dueAt } : applicationLimits(cal, causeDate);

  const given = givenFields(input as Partial<Record<EntryField, string>>);
  let entry: ExemptionEntry | null = null;
  let fields: Partial<EntryData>;
  let pendingKey: string;
  if (kind === 'add') {
    if (input.entryId !== undefined) throw refuse('validation_failed', 'entryId: not allowed for add', 'entry_not_allowed');
    const full: Partial<EntryData> = { requesterUnit: unitCode, defaultCategory: 'digital', ...given };
    const missing = (['serviceItem', 'certificate', 'issuerUnit', 'method', 'legalBasis'] as const).filter((f) => !full[f]);
    if (missing.length) throw refuse('validation_failed', `${missing.join(', ')}: required for add`, 'fields_missing', { fields: missing });
    fields = full;
    const d = full as EntryData;
    if (actor.kind === 'unit' && d.requesterUnit !== unitCode && d.issuerUnit !== unitCode) {
      throw refuse('forbidden', 'a unit applies for entries it requests or issues only', 'not_own_entry');
    }
    await requireUnits(m, [['requesterUnit', d.requesterUnit], ['issuerUnit', d.issuerUnit]]);
    const dup = await findDuplicate(m, d);
    if (dup) throw refuse('exemption_conflict', `entry ${dup.id} already lists this certificate for this service item`, 'entry_duplicate', { entryId: dup.id });
    pendingKey = addKey(d);
  } else {
    if (!input.entryId) throw refuse('validation_failed', `entryId: required for ${kind}`, 'fields_missing', { fields: ['entryId'] });
    entry = await m.getRepository(ExemptionEntry).findOneBy({ id: input.entryId });
    if (!entry) throw refuse('exemption_not_found', `no list entry ${input.entryId}`, 'entry_not_found', { entryId: input.entryId });
    if (entry.status === 'cancelled') throw refuse('exemption_invalid_state', `entry ${entry.id} is already cancelled`, 'entry_cancelled', { entryId: entry.id });
    if (actor.kind === 'unit' && entry.requesterUnit !== unitCode && entry.issuerUnit !== unitCode) {
      throw refuse('forbidden', `entry ${entry.id} is not requested or issued by ${unitCode}`, 'not_own_entry');
    }
    if (kind === 'cancel') {
      const extra = Object.keys(given).filter((f) => f !== 'legalBasis');
      if (extra.length) throw refuse('validation_failed', `${extra.join(', ')}: not allowed for cancel`, 'cancel_with_fields');
      checkLegalBasis(kind, input.reason, [], given.legalBasis);
      fields = given.legalBasis ? { legalBasis: given.legalBasis } : {};
    } else {
      const before = entryData(entry);
      const after = { ...before, ...given };
      const changed = changedFields(before, after);
      if (!changed.length) throw refuse('validation_failed', 'change: no field differs from the entry', 'nothing_to_change');
      checkLegalBasis(kind, input.reason, changed, given.legalBasis);
      fields = Object.fromEntries(changed.map((f) => [f, after[f]])) as Partial<EntryData>;
      // the basis the change relies on is kept even when it is the entry's own (Art. 9)
      if (given.legalBasis) fields.legalBasis = given.legalBasis;
      await requireUnits(m, [['requesterUnit', fields.requesterUnit], ['issuerUnit', fields.issuerUnit]]);
      if (fields.serviceItem || fields.certificate || fields.requesterUnit) {
        const dup = await findDuplicate(m, after, entry.id);
        if (dup) throw refuse('exemption_conflict', `entry ${dup.id} already lists this certificate for this service item`, 'entry_duplicate', { entryId: dup.id });
      }
    }
    pendingKey = `entry:${entry.id}`;
  }
  const open = await openApplicationOn(m, pendingKey);
  if (open && open.id !== self?.id) {
    throw refuse('exemption_conflict', `application ${open.id} on the same ${entry ? `entry ${entry.id}` : 'item'} is still open`, 'open_application', { applicationId: open.id, entryId: entry?.id ?? null });
  }
  return { unitCode, kind, reason: input.reason, entryId: entry?.id ?? null, fields, entry, pendingKey, causeDate, dueAt, remindAt, draft, note: input.note ?? null };
}

// ---------------------------------------------------------------- apply / resubmit / withdraw

function applyChecked(a: ExemptionApplication, c: CheckedApplication): void {
  a.kind = c.kind;
  a.reason = c.reason;
  a.entryId = c.entryId;
  a.serviceItem = c.fields.serviceItem ?? null;
  a.certificate = c.fields.certificate ?? null;
  a.requesterUnit = c.fields.requesterUnit ?? null;
  a.issuerUnit = c.fields.issuerUnit ?? null;
  a.method = c.fields.method ?? null;
  a.legalBasis = c.fields.legalBasis ?? null;
  a.defaultCategory = c.fields.defaultCategory ?? null;
  a.note = c.note;
}

/** Insert/update with the open-application key; a race on the same entry becomes a 409. */
async function saveOpen(m: EntityManager, a: ExemptionApplication): Promise<ExemptionApplication> {
  try {
    return await m.getRepository(ExemptionApplication).save(a);
  } catch (e) {
    if (isUniqueViolation(e)) throw refuse('exemption_conflict', 'another open application on the same entry was submitted at the same time', 'open_application', { entryId: a.entryId });
    throw e;
  }
}

/** Files an application (Art. 9); past the 7 working days it is accepted and flagged late. */
export async function apply(m: EntityManager, cal: WorkingCalendar, actor: Actor, input: ApplicationInput, now: Date): Promise<ExemptionApplication> {
  const c = await checkApplication(m, cal, actor, input, now);
  const repo = m.getRepository(ExemptionApplication);
  const a = c.draft ?? repo.create({ createdAt: now, remindedAt: null, reviewedAt: null, reviewedBy: null, reviewComment: null, publishedVersion: null, round: 0, previousSubmission: null });
  applyChecked(a, c);
  a.unitCode = c.unitCode;
  a.initiator = actor.kind === 'office' ? 'office' : 'unit';
  a.causeDate = c.causeDate;
  a.dueAt = c.dueAt;
  a.remindAt = c.remindAt;
  a.late = now.getTime() > c.dueAt.getTime();
  a.pendingKey = c.pendingKey;
  return submitRound(m, cal, actor, a, now);
}

/** A returned application, corrected and sent again (a new review round). */
export async function resubmit(m: EntityManager, cal: WorkingCalendar, actor: Actor, id: number, input: ResubmitInput, now: Date): Promise<ExemptionApplication> {
  const a = await loadApplication(m, id, true);
  const c = await checkResubmission(m, cal, actor, a, input, now);
  // the review card shows what changed since the round the office returned
  a.previousSubmission = JSON.stringify(submittedFields(a));
  applyChecked(a, c);
  return submitRound(m, cal, actor, a, now);
}

/** Every check of a resubmission, nothing written: unchanged fields keep what the unit sent before. */
export async function checkResubmission(m: EntityManager, cal: WorkingCalendar, actor: Actor, a: ExemptionApplication, input: ResubmitInput, now: Date): Promise<CheckedApplication> {
  ownCheck(actor, a);
  if (a.status !== 'returned') throw refuse('exemption_invalid_state', `application ${a.id} is ${a.status}; only a returned application can be resubmitted`, 'application_state', { status: a.status });
  const prev: ApplicationInput = {
    kind: a.kind!,
    reason: input.reason ?? a.reason!,
    entryId: a.entryId ?? undefined,
    unitCode: a.unitCode,
    note: input.note ?? a.note ?? undefined,
    ...givenFields(a),
    ...givenFields(input as Partial<Record<EntryField, string>>),
  } as ApplicationInput;
  if (a.kind === 'add') prev.entryId = undefined;
  return checkApplication(m, cal, actor.kind === 'office' ? { ...actor, unitCode: a.unitCode } : actor, prev, now, a);
}

/** The fields of a submission, as compared between rounds. */
export function submittedFields(a: ExemptionApplication): Record<string, string | null> {
  return { reason: a.reason, serviceItem: a.serviceItem, certificate: a.certificate, requesterUnit: a.requesterUnit, issuerUnit: a.issuerUnit, method: a.method, legalBasis: a.legalBasis, defaultCategory: a.defaultCategory, note: a.note };
}

/** Sends an application (new or corrected) for review: a new round of review cards. */
async function submitRound(m: EntityManager, cal: WorkingCalendar, actor: Actor, a: ExemptionApplication, now: Date): Promise<ExemptionApplication> {
  a.round = (a.round ?? 0) + 1;
  a.status = 'pending';
  a.submittedAt = now;
  a.submittedBy = (actor.userid ?? actor.name).slice(0, 100);
  a.updatedAt = now;
  const saved = await saveOpen(m, a);
  await sendReviewCards(m, cal, saved, now);
  return saved;
}

export async function withdraw(m: EntityManager, actor: Actor, id: number, now: Date): Promise<ExemptionApplication> {
  const a = await loadApplication(m, id, true);
  ownCheck(actor, a);
  if (!['draft', 'pending', 'returned'].includes(a.status)) throw refuse('exemption_invalid_state', `application ${id} is ${a.status}`, 'application_state', { status: a.status });
  const round = a.submittedAt?.getTime();
  a.status = 'withdrawn';
  a.pendingKey = null;
  a.updatedAt = now;
  await m.getRepository(ExemptionApplication).save(a);
  if (round) await closeReviewCards(m, a.id, round, MSG.reviewAlready(STATUS_LABEL.withdrawn), now);
  return a;
}

/** Records that a cause arose (Art. 9): the unit is reminded before its 7 working days end. */
export async function recordCause(m: EntityManager, cal: WorkingCalendar, actor: Actor, input: CauseInput, now: Date): Promise<ExemptionApplication> {
  let unitCode: string;
  if (actor.kind === 'unit') {
    if (input.unitCode && input.unitCode !== actor.unitCode) throw refuse('forbidden', 'a unit records causes for itself only', 'not_own_unit');
    unitCode = actor.unitCode!;
  } else {
    if (!input.unitCode) throw refuse('validation_failed', 'unitCode: required', 'fields_missing', { fields: ['unitCode'] });
    unitCode = input.unitCode;
  }
  await requireUnits(m, [['unitCode', unitCode]]);
  checkCauseDate(cal, input.causeDate, now);
  const { dueAt, remindAt } = applicationLimits(cal, input.causeDate);
  const repo = m.getRepository(ExemptionApplication);
  const a = repo.create({
    unitCode,
    initiator: actor.kind === 'office' ? 'office' : 'unit',
    kind: null, reason: null, entryId: null,
    serviceItem: null, certificate: null, requesterUnit: null, issuerUnit: null, method: null, legalBasis: null, defaultCategory: null,
    note: input.note ?? null,
    causeDate: input.causeDate,
    dueAt,
    // a cause recorded late is reminded at once
    remindAt: remindAt.getTime() < now.getTime() ? now : remindAt,
    remindedAt: null,
    late: false,
    status: 'draft',
    pendingKey: null,
    submittedAt: null, submittedBy: (actor.userid ?? actor.name).slice(0, 100),
    reviewedAt: null, reviewedBy: null, reviewComment: null, publishedVersion: null, round: 0, previousSubmission: null,
    createdAt: now, updatedAt: now,
  });
  return repo.save(a);
}

