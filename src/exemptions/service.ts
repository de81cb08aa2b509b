import crypto from 'crypto';
import { EntityManager, In } from 'typeorm';
import { z } from 'zod';
import { ExemptionApplication, ExemptionEntry, Staff, Unit } from '../../entities';
import type { AdjustmentKind, ApplicationStatus } from '../../entities/ExemptionApplication';
import { AppError } from '../errors';
import { WorkingCalendar, endOfWorkingDay, nextOfficeInstant, parseInstant, formatInZone, shortTime } from '../calendar';
import { isSqlite, isUniqueViolation } from '../db/tx';
import { isValidDate } from '../directory/rules';
import { CATEGORIES, KINDS, METHODS, REASONS, APPLY_WORKING_DAYS, REMIND_AFTER_WORKING_DAYS, ENTRY_FIELDS, EntryData, EntryField, normaliseName, changedFields } from './rules';
import { MSG, DECISION_LABEL, KIND_LABEL, METHOD_LABEL, CATEGORY_LABEL, STATUS_LABEL } from './messages';
import { REVIEW_REF, closeReviewCards } from './notify';
import { sendCard, sendText } from '../wecom/messaging';
import { officeMembers, unitContacts } from '../directory/who';
import { exemptionReviewCard } from '../../cards/exemption-review.card';

/** Who acts: the office (API key or an office member in WeCom) or one unit. */
export interface Actor {
  kind: 'office' | 'unit';
  /** The acting unit; for the office the office unit when known. */
  unitCode: string | null;
  /** API key name or userid, recorded on the application. */
  name: string;
  /** Set when the actor is a WeCom member. */
  userid?: string;
  /** Display name on cards (a staff member's name; the office for API calls). */
  display?: string;
}

const dateField = z.string().refine(isValidDate, 'must be a date YYYY-MM-DD');
const unitCodeField = z.string().trim().min(1).max(40);

/** Entry fields as an application or an import carries them (Art. 3, Art. 9). */
export const entryFieldsSchema = {
  serviceItem: z.string().trim().min(1).max(200),
  certificate: z.string().trim().min(1).max(200),
  requesterUnit: unitCodeField,
  issuerUnit: unitCodeField,
  method: z.enum(METHODS as [string, ...string[]]),
  legalBasis: z.string().trim().min(1).max(2000),
  defaultCategory: z.enum(CATEGORIES as [string, ...string[]]),
};

/** Body of POST /api/v1/exemptions/applications. */
export const applicationBody = z
  .object({
    kind: z.enum(KINDS as [string, ...string[]]),
    reason: z.string().trim().min(1).max(40),
    entryId: z.number().int().positive().optional(),
    /** Office only: the unit the adjustment concerns (default: the office itself). */
    unitCode: unitCodeField.optional(),
    /** A recorded cause (draft) this application completes. */
    draftId: z.number().int().positive().optional(),
    causeDate: dateField.optional(),
    note: z.string().trim().max(2000).optional(),
    serviceItem: entryFieldsSchema.serviceItem.optional(),
    certificate: entryFieldsSchema.certificate.optional(),
    requesterUnit: entryFieldsSchema.requesterUnit.optional(),
    issuerUnit: entryFieldsSchema.issuerUnit.optional(),
    method: entryFieldsSchema.method.optional(),
    legalBasis: entryFieldsSchema.legalBasis.optional(),
    defaultCategory: entryFieldsSchema.defaultCategory.optional(),
  })
  .strict();
export type ApplicationInput = z.infer<typeof applicationBody>;

/** Body of POST .../applications/{id}/resubmit: the same, without kind, entry and cause. */
export const resubmitBody = applicationBody.omit({ kind: true, entryId: true, unitCode: true, draftId: true, causeDate: true }).partial().strict();
export type ResubmitInput = z.infer<typeof resubmitBody>;

/** Body of POST /api/v1/exemptions/causes: a cause arose; the unit must apply within 7 working days. */
export const causeBody = z.object({ unitCode: unitCodeField.optional(), causeDate: dateField, note: z.string().trim().max(500).optional() }).strict();

export const reviewBody = z.object({ decision: z.enum(['approve', 'return', 'reject']), comment: z.string().trim().max(2000).optional() }).strict();
export type Decision = 'approve' | 'return' | 'reject';

/** A refusal both the API (English message) and the chat (Chinese, by reason) can show. */
function refuse(code: ConstructorParameters<typeof AppError>[0], message: string, reason: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError(code, message, { details: { reason, ...extra } });
}

// ---------------------------------------------------------------- dates (Art. 9)

/** The cause's day as an instant (noon office time) for working-day arithmetic. */
function causeInstant(cal: WorkingCalendar, causeDate: string): Date {
  return parseInstant(`${causeDate}T12:00:00`, cal);
}

/** Art. 9: the limit, and when the liaison is reminded (two working days left). */
export function applicationLimits(cal: WorkingCalendar, causeDate: string): { dueAt: Date; remindAt: Date } {
  const start = causeInstant(cal, causeDate);
  const dueAt = endOfWorkingDay(cal, start, APPLY_WORKING_DAYS);
  const remindAt = nextOfficeInstant(cal, new Date(endOfWorkingDay(cal, start, REMIND_AFTER_WORKING_DAYS).getTime() + 60_000));
  return { dueAt, remindAt };
}

function checkCauseDate(cal: WorkingCalendar, causeDate: string, now: Date): void {
  if (causeDate > cal.localDate(now)) throw refuse('validation_failed', `causeDate ${causeDate} is in the future`, 'cause_in_future');
}

// ---------------------------------------------------------------- helpers

async function loadApplication(m: EntityManager, id: number, lock = false): Promise<ExemptionApplication> {
  let qb = m.getRepository(ExemptionApplication).createQueryBuilder('a').where('a.id = :id', { id });
  if (lock && !isSqlite(m.connection)) qb = qb.setLock('pessimistic_write');
  const app = await qb.getOne();
  if (!app) throw refuse('exemption_not_found', `no application ${id}`, 'application_not_found', { applicationId: id });
  return app;
}

async function requireUnits(m: EntityManager, fields: Array<[string, string | undefined | null]>): Promise<void> {
  const codes = fields.map(([, v]) => v).filter((v): v is string => !!v);
  if (!codes.length) return;
  const found = new Set((await m.getRepository(Unit).find({ where: { code: In([...new Set(codes)]) }, select: { code: true } })).map((u) => u.code));
  for (const [field, v] of fields) {
    if (v && !found.has(v)) throw refuse('validation_failed', `${field}: unknown unit ${v}`, 'unit_unknown', { field, value: v });
  }
}

async function officeUnitCode(m: EntityManager): Promise<string | null> {
  const u = await m.getRepository(Unit).findOne({ where: { isOffice: true }, order: { code: 'ASC' } });
  return u?.code ?? null;
}

function entryData(e: ExemptionEntry): EntryData {
  return { serviceItem: e.serviceItem, certificate: e.certificate, requesterUnit: e.requesterUnit, issuerUnit: e.issuerUnit, method: e.method, legalBasis: e.legalBasis, defaultCategory: e.defaultCategory };
}

function givenFields(a: Partial<Record<EntryField, string | null>>): Partial<EntryData> {
  const out: Record<string, string> = {};
  for (const f of ENTRY_FIELDS) {
    const v = a[f];
    if (v !== undefined && v !== null) out[f] = v;
  }
  return out as Partial<EntryData>;
}

function addKey(d: Pick<EntryData, 'serviceItem' | 'certificate' | 'requesterUnit'>): string {
  const h = crypto.createHash('sha1').update(`${normaliseName(d.serviceItem)}\u0000${normaliseName(d.certificate)}\u0000${d.requesterUnit}`).digest('hex');
  return `add:${h}`;
}

/** An active entry with the same service item, certificate and requesting unit. */
async function findDuplicate(m: EntityManager, d: Pick<EntryData, 'serviceItem' | 'certificate' | 'requesterUnit'>, exceptId?: number): Promise<ExemptionEntry | null> {
  const candidates = await m.getRepository(ExemptionEntry).find({ where: { requesterUnit: d.requesterUnit, status: 'active' } });
  const si = normaliseName(d.serviceItem);
  const ce = normaliseName(d.certificate);
  return candidates.find((e) => e.id !== exceptId && normaliseName(e.serviceItem) === si && normaliseName(e.certificate) === ce) ?? null;
}

async function openApplicationOn(m: EntityManager, key: string): Promise<ExemptionApplication | null> {
  return m.getRepository(ExemptionApplication).findOne({ where: { pendingKey: key } });
}

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
  if (!REASONS[kind].includes(input.reason)) {
    throw refuse('validation_failed', `reason: for ${kind} one of ${REASONS[kind].join(', ')}`, 'reason_invalid', { kind });
  }

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
      if (Object.keys(given).length) throw refuse('validation_failed', `${Object.keys(given).join(', ')}: not allowed for cancel`, 'cancel_with_fields');
      fields = {};
    } else {
      const before = entryData(entry);
      const after = { ...before, ...given };
      const changed = changedFields(before, after);
      if (!changed.length) throw refuse('validation_failed', 'change: no field differs from the entry', 'nothing_to_change');
      fields = Object.fromEntries(changed.map((f) => [f, after[f]])) as Partial<EntryData>;
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
  const a = c.draft ?? repo.create({ createdAt: now, remindedAt: null, reviewedAt: null, reviewedBy: null, reviewComment: null, publishedVersion: null });
  applyChecked(a, c);
  a.unitCode = c.unitCode;
  a.initiator = actor.kind === 'office' ? 'office' : 'unit';
  a.causeDate = c.causeDate;
  a.dueAt = c.dueAt;
  a.remindAt = c.remindAt;
  a.late = now.getTime() > c.dueAt.getTime();
  a.status = 'pending';
  a.pendingKey = c.pendingKey;
  a.submittedAt = now;
  a.submittedBy = (actor.userid ?? actor.name).slice(0, 100);
  a.updatedAt = now;
  const saved = await saveOpen(m, a);
  await sendReviewCards(m, cal, saved, now);
  return saved;
}

/** A returned application, corrected and sent again (a new review round). */
export async function resubmit(m: EntityManager, cal: WorkingCalendar, actor: Actor, id: number, input: ResubmitInput, now: Date): Promise<ExemptionApplication> {
  const a = await loadApplication(m, id, true);
  ownCheck(actor, a);
  if (a.status !== 'returned') throw refuse('exemption_invalid_state', `application ${id} is ${a.status}; only a returned application can be resubmitted`, 'application_state', { status: a.status });
  // unchanged fields keep what the unit sent before
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
  const c = await checkApplication(m, cal, actor.kind === 'office' ? { ...actor, unitCode: a.unitCode } : actor, prev, now, a);
  applyChecked(a, c);
  a.status = 'pending';
  a.submittedAt = now;
  a.submittedBy = (actor.userid ?? actor.name).slice(0, 100);
  a.updatedAt = now;
  const saved = await saveOpen(m, a);
  await sendReviewCards(m, cal, saved, now);
  return saved;
}

function ownCheck(actor: Actor, a: ExemptionApplication): void {
  if (actor.kind === 'unit' && a.unitCode !== actor.unitCode) throw refuse('exemption_not_found', `no application ${a.id}`, 'application_not_found', { applicationId: a.id });
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
export async function recordCause(m: EntityManager, cal: WorkingCalendar, actor: Actor, input: z.infer<typeof causeBody>, now: Date): Promise<ExemptionApplication> {
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
    reviewedAt: null, reviewedBy: null, reviewComment: null, publishedVersion: null,
    createdAt: now, updatedAt: now,
  });
  return repo.save(a);
}

// ---------------------------------------------------------------- review (Art. 10-11)

async function unitName(m: EntityManager, code: string): Promise<string> {
  return (await m.getRepository(Unit).findOneBy({ code }))?.name ?? code;
}

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** "label: value" lines describing an application for cards. */
export async function describeLines(m: EntityManager, a: Pick<ExemptionApplication, 'kind' | 'entryId'> & Partial<Record<EntryField, string | null>>): Promise<Array<{ key: string; value: string }>> {
  const entry = a.entryId ? await m.getRepository(ExemptionEntry).findOneBy({ id: a.entryId }) : null;
  const g = givenFields(a);
  const base: Partial<EntryData> = entry ? entryData(entry) : {};
  const shown: Partial<EntryData> = { ...base, ...g };
  const units = await m.getRepository(Unit).find({ where: { code: In([shown.requesterUnit, shown.issuerUnit].filter((x): x is string => !!x)) } });
  const uname = (c?: string) => (c ? (units.find((u) => u.code === c)?.name ?? c) : '');
  const L = MSG.labels;
  const mark = (f: EntryField) => (a.kind === 'change' && g[f] !== undefined ? L.changedMark : '');
  const lines: Array<{ key: string; value: string }> = [
    { key: `${L.serviceItem}${mark('serviceItem')}`, value: clip(shown.serviceItem ?? '', 30) },
    { key: `${L.certificate}${mark('certificate')}`, value: clip(shown.certificate ?? '', 30) },
  ];
  if (a.kind !== 'cancel') {
    lines.push({ key: `${L.issuer}${mark('issuerUnit')}`, value: clip(uname(shown.issuerUnit), 20) });
    lines.push({ key: `${L.method}${mark('method')}`, value: shown.method ? METHOD_LABEL[shown.method] : '' });
    if (g.requesterUnit) lines.push({ key: `${L.requester}${mark('requesterUnit')}`, value: clip(uname(g.requesterUnit), 20) });
    if (g.legalBasis) lines.push({ key: `${L.basis}${mark('legalBasis')}`, value: clip(g.legalBasis, 40) });
    if (g.defaultCategory && (shown.method === 'verification' || a.kind === 'change')) lines.push({ key: `${L.category}${mark('defaultCategory')}`, value: CATEGORY_LABEL[g.defaultCategory] });
  }
  return lines;
}

/** One review card to every office member, per submission round (Art. 10). */
async function sendReviewCards(m: EntityManager, _cal: WorkingCalendar, a: ExemptionApplication, now: Date): Promise<void> {
  const members = await officeMembers(m);
  if (!members.length) return;
  const round = a.submittedAt!.getTime();
  const card = exemptionReviewCard(
    {
      applicationId: a.id,
      round,
      kind: a.kind!,
      unitName: await unitName(m, a.unitCode),
      entryId: a.entryId,
      reason: a.reason!,
      causeDate: a.causeDate,
      late: a.late,
      lines: await describeLines(m, a),
    },
    now,
  );
  await sendCard(m, members.map((s) => s.userid), card, now, { refType: REVIEW_REF, refId: `${a.id}:${round}`, dedupeKey: `exm-review-${a.id}-${round}` });
}

export interface ReviewOptions {
  /** The review round the card showed (a stale card is refused). */
  round?: number;
  /** The clicker's response_code, used when the send's code is not at hand. */
  click?: { userid: string; responseCode: string };
}

/**
 * The office's decision (Art. 10): approve changes the working list at once; the change
 * waits in the draft until the next publication. Return keeps the entry locked for the
 * unit to correct; reject releases it. Return and reject need a comment.
 */
export async function review(m: EntityManager, cal: WorkingCalendar, actor: Actor, id: number, decision: Decision, comment: string | null, now: Date, opts: ReviewOptions = {}): Promise<ExemptionApplication> {
  if (actor.kind !== 'office') throw refuse('forbidden', 'only the office reviews applications', 'not_office');
  const text = comment?.trim() || null;
  if (decision !== 'approve' && !text) throw refuse('validation_failed', `comment: required to ${decision}`, 'comment_required');
  const a = await loadApplication(m, id, true);
  if (a.status !== 'pending') throw refuse('exemption_invalid_state', `application ${id} is ${a.status}, not pending`, 'application_state', { status: a.status });
  const round = a.submittedAt!.getTime();
  if (opts.round !== undefined && opts.round !== round) throw refuse('exemption_invalid_state', `application ${id} was resubmitted since this card`, 'stale_round');

  // claim the decision: the first of two concurrent reviewers wins
  const status: ApplicationStatus = decision === 'approve' ? 'approved' : decision === 'return' ? 'returned' : 'rejected';
  const res = await m
    .createQueryBuilder()
    .update(ExemptionApplication)
    .set({
      status,
      pendingKey: decision === 'return' ? a.pendingKey : null,
      reviewedAt: now,
      reviewedBy: (actor.userid ?? actor.name).slice(0, 100),
      reviewComment: text,
      updatedAt: now,
      version: () => 'version + 1',
    })
    .where('id = :id AND version = :v AND status = :st', { id, v: a.version, st: 'pending' })
    .execute();
  if (!res.affected) throw refuse('exemption_conflict', `application ${id} was decided concurrently`, 'application_state', { status: 'changed' });

  if (decision === 'approve') a.entryId = await applyToList(m, a, now);
  if (decision === 'approve' && a.kind === 'add') await m.getRepository(ExemptionApplication).update({ id }, { entryId: a.entryId });
  const fresh = await loadApplication(m, id);

  const label = DECISION_LABEL[decision];
  await closeReviewCards(m, id, round, MSG.reviewDone(label, actor.display ?? MSG.apiReviewer), now, opts.click);
  const summary = await summaryOf(m, fresh);
  const to = await unitContacts(m, a.unitCode);
  const submitter = a.submittedBy && (await m.getRepository(Staff).findOneBy({ userid: a.submittedBy })) ? [a.submittedBy] : [];
  await sendText(m, [...to, ...submitter], MSG.decisionToUnit(id, shortTime(cal, a.submittedAt!), summary, label, text), now, { refType: 'exemption_decision', refId: String(id) });
  return fresh;
}

export async function summaryOf(m: EntityManager, a: ExemptionApplication): Promise<string> {
  const entry = a.entryId ? await m.getRepository(ExemptionEntry).findOneBy({ id: a.entryId }) : null;
  return MSG.summary(a.kind ?? 'add', clip(a.serviceItem ?? entry?.serviceItem ?? '', 30), clip(a.certificate ?? entry?.certificate ?? '', 30));
}

/** Applies an approved application to the working list; returns the entry id. */
async function applyToList(m: EntityManager, a: ExemptionApplication, now: Date): Promise<number> {
  const repo = m.getRepository(ExemptionEntry);
  if (a.kind === 'add') {
    const d = givenFields(a) as EntryData;
    const dup = await findDuplicate(m, d);
    if (dup) throw refuse('exemption_conflict', `entry ${dup.id} already lists this certificate for this service item`, 'entry_duplicate', { entryId: dup.id });
    const e = repo.create({ ...d, status: 'active', createdAt: now, updatedAt: now });
    return (await repo.save(e)).id;
  }
  const e = await repo.findOneBy({ id: a.entryId! });
  if (!e) throw refuse('exemption_not_found', `no list entry ${a.entryId}`, 'entry_not_found', { entryId: a.entryId });
  if (e.status !== 'active') throw refuse('exemption_invalid_state', `entry ${e.id} is already cancelled`, 'entry_cancelled', { entryId: e.id });
  if (a.kind === 'cancel') e.status = 'cancelled';
  else Object.assign(e, givenFields(a));
  e.updatedAt = now;
  await repo.save(e);
  return e.id;
}

// ---------------------------------------------------------------- views

export function applicationView(a: ExemptionApplication, cal: WorkingCalendar) {
  return {
    id: a.id,
    unitCode: a.unitCode,
    initiator: a.initiator,
    kind: a.kind,
    reason: a.reason,
    entryId: a.entryId,
    fields: givenFields(a),
    note: a.note,
    status: a.status,
    causeDate: a.causeDate,
    dueAt: formatInZone(cal, a.dueAt),
    late: a.late,
    submittedAt: a.submittedAt ? formatInZone(cal, a.submittedAt) : null,
    submittedBy: a.submittedBy,
    reviewedAt: a.reviewedAt ? formatInZone(cal, a.reviewedAt) : null,
    reviewedBy: a.reviewedBy,
    reviewComment: a.reviewComment,
    publishedVersion: a.publishedVersion,
  };
}

export function entryView(e: ExemptionEntry) {
  return { id: e.id, ...entryData(e), status: e.status };
}

export async function getApplication(m: EntityManager, actor: Actor, id: number): Promise<ExemptionApplication> {
  const a = await loadApplication(m, id);
  ownCheck(actor, a);
  return a;
}

export async function listApplications(m: EntityManager, actor: Actor, status: string | undefined, limit = 100): Promise<ExemptionApplication[]> {
  const qb = m.getRepository(ExemptionApplication).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(limit);
  if (status) qb.andWhere('a.status = :status', { status });
  if (actor.kind === 'unit') qb.andWhere('a.unitCode = :u', { u: actor.unitCode });
  return qb.getMany();
}

export { KIND_LABEL };
