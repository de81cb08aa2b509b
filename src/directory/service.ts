import { EntityManager, In } from 'typeorm';
import { z } from 'zod';
import { Unit, Staff } from '../../entities';
import type { StaffRole, AbRole } from '../../entities/Staff';
import { AppError } from '../errors';
import { tableChanged } from '../db/local-changes';
import { UNIT_CODE_RE, USERID_RE, MOBILE_RE, isValidDate, unitStrength, UnitStrength, isAway } from './rules';

/** Bodies of PUT /api/v1/units/{code} and .../staff/{userid} (CONTRACT.md). */
export const unitBody = z.object({
  name: z.string().trim().min(1).max(100),
  isOffice: z.boolean().optional(),
});

const dateField = z.string().refine(isValidDate, 'must be a date YYYY-MM-DD');

export const staffBody = z.object({
  name: z.string().trim().min(1).max(64),
  role: z.enum(['liaison', 'deputy', 'member']),
  ab: z.enum(['A', 'B']).nullable().optional(),
  mobile: z.string().trim().regex(MOBILE_RE, 'must be a phone number').nullable().optional(),
  away: z.boolean().optional(),
  awayUntil: dateField.nullable().optional(),
  trainedOn: dateField.nullable().optional(),
});

export type UnitInput = z.infer<typeof unitBody>;
export type StaffInput = z.infer<typeof staffBody>;

export function checkUnitCode(code: string): void {
  if (!UNIT_CODE_RE.test(code)) throw new AppError('validation_failed', 'unit code: letters, digits, _ . - and at most 40 characters');
}

export function checkUserid(userid: string): void {
  if (!USERID_RE.test(userid)) throw new AppError('validation_failed', 'userid: letters, digits, _ . - @ and at most 64 characters');
}

export async function upsertUnit(m: EntityManager, code: string, input: UnitInput, now: Date): Promise<{ unit: Unit; created: boolean }> {
  checkUnitCode(code);
  // The kf worker caches the units (src/complaints/understand-store.ts).
  tableChanged(m, 'units');
  const repo = m.getRepository(Unit);
  const existing = await repo.findOneBy({ code });
  if (existing) {
    existing.name = input.name;
    if (input.isOffice !== undefined) existing.isOffice = input.isOffice;
    existing.updatedAt = now;
    await repo.save(existing);
    return { unit: existing, created: false };
  }
  const unit = repo.create({ code, name: input.name, isOffice: input.isOffice ?? false, createdAt: now, updatedAt: now });
  await repo.insert(unit);
  return { unit, created: true };
}

/** A staff member belongs to one unit; a PUT under another unit moves them. */
export async function upsertStaff(m: EntityManager, unitCode: string, userid: string, input: StaffInput, now: Date): Promise<{ staff: Staff; created: boolean }> {
  checkUserid(userid);
  if (!(await m.getRepository(Unit).findOneBy({ code: unitCode }))) throw new AppError('unit_not_found', `unknown unit ${unitCode}`);
  const repo = m.getRepository(Staff);
  const existing = await repo.findOneBy({ userid });
  const fields = {
    unitCode,
    name: input.name,
    role: input.role as StaffRole,
    ab: (input.ab ?? null) as AbRole | null,
    mobile: input.mobile ?? null,
    away: input.away ?? false,
    awayUntil: input.awayUntil ?? null,
    trainedOn: input.trainedOn === undefined ? (existing?.trainedOn ?? null) : input.trainedOn,
    updatedAt: now,
  };
  if (existing) {
    Object.assign(existing, fields);
    await repo.save(existing);
    return { staff: existing, created: false };
  }
  const staff = repo.create({ userid, ...fields, createdAt: now });
  await repo.insert(staff);
  return { staff, created: true };
}

export async function removeStaff(m: EntityManager, unitCode: string, userid: string): Promise<void> {
  const r = await m.getRepository(Staff).delete({ userid, unitCode });
  if (!r.affected) throw new AppError('staff_not_found', `no staff ${userid} in unit ${unitCode}`);
}

export interface UnitView extends UnitStrength {
  code: string;
  name: string;
  isOffice: boolean;
}

export interface StaffView {
  userid: string;
  name: string;
  role: StaffRole;
  ab: AbRole | null;
  mobile: string | null;
  away: boolean;
  awayUntil: string | null;
  awayToday: boolean;
  trainedOn: string | null;
}

export function staffView(s: Staff, today: string): StaffView {
  return {
    userid: s.userid,
    name: s.name,
    role: s.role,
    ab: s.ab,
    mobile: s.mobile,
    away: !!s.away,
    awayUntil: s.awayUntil,
    awayToday: isAway(s, today),
    trainedOn: s.trainedOn,
  };
}

/** Units with their Art. 6 strength and gap flags; `codes` narrows (a unit key sees itself). */
export async function listUnits(m: EntityManager, codes?: string[]): Promise<UnitView[]> {
  const units = await m.getRepository(Unit).find({ where: codes ? { code: In(codes) } : {}, order: { code: 'ASC' } });
  if (!units.length) return [];
  const staff = await m.getRepository(Staff).find({ where: { unitCode: In(units.map((u) => u.code)) } });
  return units.map((u) => ({
    code: u.code,
    name: u.name,
    isOffice: !!u.isOffice,
    ...unitStrength(staff.filter((s) => s.unitCode === u.code), !!u.isOffice),
  }));
}

export async function getUnit(m: EntityManager, code: string, today: string): Promise<UnitView & { staff: StaffView[] }> {
  const [view] = await listUnits(m, [code]);
  if (!view) throw new AppError('unit_not_found', `unknown unit ${code}`);
  const staff = await m.getRepository(Staff).find({ where: { unitCode: code }, order: { role: 'ASC', userid: 'ASC' } });
  return { ...view, staff: staff.map((s) => staffView(s, today)) };
}

