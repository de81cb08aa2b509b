import crypto from 'crypto';
import { EntityManager, In } from 'typeorm';
import { ExemptionApplication, ExemptionEntry, Unit } from '../../entities';
import { AppError } from '../errors';
import { WorkingCalendar, endOfWorkingDay, nextOfficeInstant, parseInstant } from '../calendar';
import { isSqlite } from '../db/tx';
import { APPLY_WORKING_DAYS, REMIND_AFTER_WORKING_DAYS, ENTRY_FIELDS, EntryData, EntryField, normaliseName } from './rules';


/** What the application services share: who acts, refusals, the Art. 9 dates, lookups. */

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

/** A refusal both the API (English message) and the chat (Chinese, by reason) can show. */
export function refuse(code: ConstructorParameters<typeof AppError>[0], message: string, reason: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError(code, message, { details: { reason, ...extra } });
}

// ---------------------------------------------------------------- dates (Art. 9)

/** The cause's day as an instant (noon office time) for working-day arithmetic. */
export function causeInstant(cal: WorkingCalendar, causeDate: string): Date {
  return parseInstant(`${causeDate}T12:00:00`, cal);
}

/** Art. 9: the limit, and when the liaison is reminded (two working days left). */
export function applicationLimits(cal: WorkingCalendar, causeDate: string): { dueAt: Date; remindAt: Date } {
  const start = causeInstant(cal, causeDate);
  const dueAt = endOfWorkingDay(cal, start, APPLY_WORKING_DAYS);
  const remindAt = nextOfficeInstant(cal, new Date(endOfWorkingDay(cal, start, REMIND_AFTER_WORKING_DAYS).getTime() + 60_000));
  return { dueAt, remindAt };
}

export function checkCauseDate(cal: WorkingCalendar, causeDate: string, now: Date): void {
  if (causeDate > cal.localDate(now)) throw refuse('validation_failed', `causeDate ${causeDate} is in the future`, 'cause_in_future');
}

// ---------------------------------------------------------------- helpers

export async function loadApplication(m: EntityManager, id: number, lock = false): Promise<ExemptionApplication> {
  let qb = m.getRepository(ExemptionApplication).createQueryBuilder('a').where('a.id = :id', { id });
  if (lock && !isSqlite(m.connection)) qb = qb.setLock('pessimistic_write');
  const app = await qb.getOne();
  if (!app) throw refuse('exemption_not_found', `no application ${id}`, 'application_not_found', { applicationId: id });
  return app;
}

export async function requireUnits(m: EntityManager, fields: Array<[string, string | undefined | null]>): Promise<void> {
  const codes = fields.map(([, v]) => v).filter((v): v is string => !!v);
  if (!codes.length) return;
  const found = new Set((await m.getRepository(Unit).find({ where: { code: In([...new Set(codes)]) }, select: { code: true } })).map((u) => u.code));
  for (const [field, v] of fields) {
    if (v && !found.has(v)) throw refuse('validation_failed', `${field}: unknown unit ${v}`, 'unit_unknown', { field, value: v });
  }
}

export async function officeUnitCode(m: EntityManager): Promise<string | null> {
  const u = await m.getRepository(Unit).findOne({ where: { isOffice: true }, order: { code: 'ASC' } });
  return u?.code ?? null;
}

export function entryData(e: ExemptionEntry): EntryData {
  return { serviceItem: e.serviceItem, certificate: e.certificate, requesterUnit: e.requesterUnit, issuerUnit: e.issuerUnit, method: e.method, legalBasis: e.legalBasis, defaultCategory: e.defaultCategory };
}

export function givenFields(a: Partial<Record<EntryField, string | null>>): Partial<EntryData> {
  const out: Record<string, string> = {};
  for (const f of ENTRY_FIELDS) {
    const v = a[f];
    if (v !== undefined && v !== null) out[f] = v;
  }
  return out as Partial<EntryData>;
}

export function addKey(d: Pick<EntryData, 'serviceItem' | 'certificate' | 'requesterUnit'>): string {
  const h = crypto.createHash('sha1').update(`${normaliseName(d.serviceItem)}\u0000${normaliseName(d.certificate)}\u0000${d.requesterUnit}`).digest('hex');
  return `add:${h}`;
}

/** An active entry with the same service item, certificate and requesting unit. */
export async function findDuplicate(m: EntityManager, d: Pick<EntryData, 'serviceItem' | 'certificate' | 'requesterUnit'>, exceptId?: number): Promise<ExemptionEntry | null> {
  const candidates = await m.getRepository(ExemptionEntry).find({ where: { requesterUnit: d.requesterUnit, status: 'active' } });
  const si = normaliseName(d.serviceItem);
  const ce = normaliseName(d.certificate);
  return candidates.find((e) => e.id !== exceptId && normaliseName(e.serviceItem) === si && normaliseName(e.certificate) === ce) ?? null;
}

export async function openApplicationOn(m: EntityManager, key: string): Promise<ExemptionApplication | null> {
  return m.getRepository(ExemptionApplication).findOne({ where: { pendingKey: key } });
}

/** A unit sees only its own applications; another unit's reads as not found. */
export function ownCheck(actor: Actor, a: ExemptionApplication): void {
  if (actor.kind === 'unit' && a.unitCode !== actor.unitCode) throw refuse('exemption_not_found', `no application ${a.id}`, 'application_not_found', { applicationId: a.id });
}
