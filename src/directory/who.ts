import { EntityManager, In } from 'typeorm';
import { Staff, Unit } from '../../entities';
import { isAway } from './rules';

/** Display names of units by code (unknown codes are left out). */
export async function unitNames(m: EntityManager, codes: string[]): Promise<Map<string, string>> {
  const uniq = [...new Set(codes.filter(Boolean))];
  if (!uniq.length) return new Map();
  const units = await m.getRepository(Unit).findBy({ code: In(uniq) });
  return new Map(units.map((u) => [u.code, u.name]));
}

/** Display names of staff by userid (unknown userids are left out). */
export async function staffNames(m: EntityManager, userids: Array<string | null>): Promise<Map<string, string>> {
  const uniq = [...new Set(userids.filter((u): u is string => !!u))];
  if (!uniq.length) return new Map();
  const staff = await m.getRepository(Staff).findBy({ userid: In(uniq) });
  return new Map(staff.map((s) => [s.userid, s.name]));
}

/** Present first; when everyone is away, everyone (somebody must hear it). */
function preferPresent(staff: Staff[], today: string): Staff[] {
  const present = staff.filter((s) => !isAway(s, today));
  return present.length ? present : staff;
}

/** Staff of the office (units flagged isOffice), those present `today` first: they act on escalations. */
export async function presentOfficeMembers(m: EntityManager, today: string): Promise<Staff[]> {
  const units = await m.getRepository(Unit).findBy({ isOffice: true });
  if (!units.length) return [];
  const staff = await m.getRepository(Staff).find({ where: { unitCode: In(units.map((u) => u.code)) }, order: { userid: 'ASC' } });
  return preferPresent(staff, today);
}

/** The office member `userid`, or null when the person is not in the office. */
export async function officeMember(m: EntityManager, userid: string): Promise<Staff | null> {
  const s = await m.getRepository(Staff).findOneBy({ userid });
  if (!s) return null;
  const u = await m.getRepository(Unit).findOneBy({ code: s.unitCode });
  return u?.isOffice ? s : null;
}

/** A unit's liaisons, those present `today` first. */
export async function unitLiaisons(m: EntityManager, unitCode: string, today: string): Promise<Staff[]> {
  const staff = await m.getRepository(Staff).find({ where: { unitCode, role: 'liaison' }, order: { userid: 'ASC' } });
  return preferPresent(staff, today);
}
