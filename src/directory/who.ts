import { EntityManager, In } from 'typeorm';
import { Staff, Unit, VerificationRequest } from '../../entities';
import { isAway } from './rules';

/**
 * Who to tell and who may act: the one reading of the directory every module shares.
 * "Present" means not away on that local date; a list that prefers the present falls back
 * to everyone when all are away (somebody must hear it).
 */

/** Who acts: a WeCom member, or an API key (of a unit; the office's has no unit). */
export type Actor = { kind: 'staff'; userid: string } | { kind: 'api'; name: string; unitCode: string | null };

/** Present first; when everyone is away, everyone. */
export function preferPresent(staff: Staff[], today: string): Staff[] {
  const present = staff.filter((s) => !isAway(s, today));
  return present.length ? present : staff;
}

/**
 * Staff of the office (units flagged isOffice), by userid. With `presentOn` (a local date)
 * those present that day, or all of them when all are away.
 */
export async function officeMembers(m: EntityManager, opts: { presentOn?: string } = {}): Promise<Staff[]> {
  const units = await m.getRepository(Unit).find({ where: { isOffice: true }, select: { code: true } });
  if (!units.length) return [];
  const staff = await m.getRepository(Staff).find({ where: { unitCode: In(units.map((u) => u.code)) }, order: { userid: 'ASC' } });
  return opts.presentOn === undefined ? staff : preferPresent(staff, opts.presentOn);
}

/** The staff member when userid is on the staff of an office unit, else null. */
export async function isOfficeMember(m: EntityManager, userid: string): Promise<Staff | null> {
  const s = await m.getRepository(Staff).findOneBy({ userid });
  if (!s) return null;
  const u = await m.getRepository(Unit).findOneBy({ code: s.unitCode });
  return u?.isOffice ? s : null;
}

/** A unit's liaisons present on `today` (all of them when all are away). */
export async function unitLiaisons(m: EntityManager, unitCode: string, today: string): Promise<Staff[]> {
  const staff = await m.getRepository(Staff).find({ where: { unitCode, role: 'liaison' }, order: { userid: 'ASC' } });
  return preferPresent(staff, today);
}

/**
 * Who answers for a unit: its liaisons; with none, its deputies (`deputies: 'A'`: only the
 * A deputy, SPEC 1 Art. 6).
 */
export async function unitContacts(m: EntityManager, unitCode: string, opts: { deputies?: 'all' | 'A' } = {}): Promise<string[]> {
  const staff = await m.getRepository(Staff).find({ where: { unitCode, role: In(['liaison', 'deputy']) }, order: { userid: 'ASC' } });
  const liaisons = staff.filter((s) => s.role === 'liaison');
  if (liaisons.length) return liaisons.map((s) => s.userid);
  return staff.filter((s) => s.role === 'deputy' && (opts.deputies !== 'A' || s.ab === 'A')).map((s) => s.userid);
}

/** The issuing unit's accountable people: the owner once accepted, and its present liaisons. */
export function ownerAndLiaisonsOf(req: Pick<VerificationRequest, 'assignee'>, issuerStaff: Staff[], today: string): string[] {
  const liaisons = preferPresent(issuerStaff.filter((s) => s.role === 'liaison'), today).map((s) => s.userid);
  return [...new Set([...(req.assignee ? [req.assignee] : []), ...liaisons])];
}

/** As ownerAndLiaisonsOf, reading the issuing unit's staff. */
export async function ownerAndLiaisons(m: EntityManager, req: VerificationRequest, today: string): Promise<string[]> {
  const staff = await m.getRepository(Staff).find({ where: { unitCode: req.issuerUnit, role: 'liaison' }, order: { userid: 'ASC' } });
  return ownerAndLiaisonsOf(req, staff, today);
}

/**
 * Who hears about a request on the requesting side: the person who asked; else the unit's
 * present liaisons, all its liaisons when all are away, and its A deputy when it has none.
 */
export async function requesterTargets(m: EntityManager, req: VerificationRequest, today: string): Promise<string[]> {
  if (req.requestedBy) return [req.requestedBy];
  const staff = await m.getRepository(Staff).find({ where: { unitCode: req.requesterUnit, role: In(['liaison', 'deputy']) }, order: { userid: 'ASC' } });
  const liaisons = staff.filter((s) => s.role === 'liaison');
  if (liaisons.length) return preferPresent(liaisons, today).map((s) => s.userid);
  return staff.filter((s) => s.ab === 'A').map((s) => s.userid);
}

/** Display names of units by code (unknown codes are absent). */
export async function unitNames(m: EntityManager, codes: string[]): Promise<Map<string, string>> {
  const uniq = [...new Set(codes.filter(Boolean))];
  if (!uniq.length) return new Map();
  const units = await m.getRepository(Unit).findBy({ code: In(uniq) });
  return new Map(units.map((u) => [u.code, u.name]));
}

/** Display names of staff by userid (unknown userids are absent). */
export async function staffNames(m: EntityManager, userids: Array<string | null>): Promise<Map<string, string>> {
  const uniq = [...new Set(userids.filter((u): u is string => !!u))];
  if (!uniq.length) return new Map();
  const staff = await m.getRepository(Staff).findBy({ userid: In(uniq) });
  return new Map(staff.map((s) => [s.userid, s.name]));
}

/** A staff member's display name; the userid when unknown, '' for nobody. */
export async function staffName(m: EntityManager, userid: string | null): Promise<string> {
  if (!userid) return '';
  const s = await m.getRepository(Staff).findOneBy({ userid });
  return s?.name ?? userid;
}
