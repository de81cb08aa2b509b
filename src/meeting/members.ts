import { EntityManager, In, LessThanOrEqual } from 'typeorm';
import { JointMeetingLiaisonChange, JointMeetingMember, Staff, Unit } from '../../entities';
import type { MemberRole } from '../../entities/JointMeetingMember';
import { AppError } from '../errors';
import { unitLiaisons } from '../directory/who';

export type ConvenorRole = Exclude<MemberRole, 'unit'>;
export const CONVENOR_ROLES: readonly ConvenorRole[] = ['general_convenor', 'convenor'];

/**
 * SPEC 5: the general convenor (总召集人) and convenors (召集人), by directory userid. There
 * is one general convenor: naming a second one is refused until the first is removed.
 */
export async function setConvenor(m: EntityManager, userid: string, role: ConvenorRole, now: Date): Promise<JointMeetingMember> {
  if (!(await m.getRepository(Staff).findOneBy({ userid }))) throw new AppError('staff_unknown', `${userid} is not in the directory`);
  const repo = m.getRepository(JointMeetingMember);
  if (role === 'general_convenor') {
    const other = await repo.findOneBy({ role: 'general_convenor' });
    if (other && other.userid !== userid) throw new AppError('meeting_invalid_state', `${other.userid} is the general convenor; remove them first`);
  }
  const row = await repo.findOneBy({ userid });
  if (row) {
    await repo.update({ id: row.id }, { role, updatedAt: now });
    return { ...row, role, updatedAt: now };
  }
  const created = repo.create({ role, userid, unitCode: null, liaisonUserid: null, liaisonSince: null, createdAt: now, updatedAt: now });
  await repo.insert(created);
  return created;
}

export async function removeMember(m: EntityManager, where: { userid: string } | { unitCode: string }): Promise<void> {
  const r = await m.getRepository(JointMeetingMember).delete(where);
  if (!r.affected) throw new AppError('meeting_not_found', 'no such member of the joint meeting');
}

/** Files a meeting liaison for a member unit with the date it takes effect; history is kept. */
async function fileLiaison(m: EntityManager, member: JointMeetingMember, liaison: string, effectiveOn: string, by: string, now: Date): Promise<void> {
  const s = await m.getRepository(Staff).findOneBy({ userid: liaison });
  if (!s || s.unitCode !== member.unitCode) throw new AppError('staff_unknown', `liaison: ${liaison} is not on the staff of ${member.unitCode}`);
  await m.getRepository(JointMeetingLiaisonChange).insert({ unitCode: member.unitCode!, previousUserid: member.liaisonUserid, liaisonUserid: liaison, effectiveOn, filedBy: by.slice(0, 100), filedAt: now });
  await m.getRepository(JointMeetingMember).update({ id: member.id }, { liaisonUserid: liaison, liaisonSince: effectiveOn, updatedAt: now });
}

/** SPEC 5: the office adds a member unit with its meeting liaison (one per unit). */
export async function addMemberUnit(m: EntityManager, unitCode: string, liaison: string, effectiveOn: string, by: string, now: Date): Promise<JointMeetingMember> {
  if (!(await m.getRepository(Unit).findOneBy({ code: unitCode }))) throw new AppError('unit_unknown', `unknown unit ${unitCode}`);
  const repo = m.getRepository(JointMeetingMember);
  if (await repo.findOneBy({ unitCode })) throw new AppError('meeting_invalid_state', `${unitCode} is already a member unit; file a change of liaison instead`);
  const row = repo.create({ role: 'unit', unitCode, userid: null, liaisonUserid: null, liaisonSince: null, createdAt: now, updatedAt: now });
  await repo.insert(row);
  await fileLiaison(m, row, liaison, effectiveOn, by, now);
  return repo.findOneByOrFail({ id: row.id });
}

/** SPEC 5: a change of a member unit's meeting liaison, filed with the office with its date. */
export async function changeLiaison(m: EntityManager, unitCode: string, liaison: string, effectiveOn: string, by: string, now: Date): Promise<JointMeetingMember> {
  const row = await memberUnit(m, unitCode);
  if (!row) throw new AppError('meeting_not_member', `${unitCode} is not a member unit of the joint meeting`);
  if (row.liaisonUserid === liaison) throw new AppError('meeting_invalid_state', `${liaison} is already the meeting liaison of ${unitCode}`);
  await fileLiaison(m, row, liaison, effectiveOn, by, now);
  return m.getRepository(JointMeetingMember).findOneByOrFail({ id: row.id });
}

export async function memberUnit(m: EntityManager, unitCode: string): Promise<JointMeetingMember | null> {
  return m.getRepository(JointMeetingMember).findOneBy({ unitCode, role: 'unit' });
}

export async function memberUnitCodes(m: EntityManager): Promise<string[]> {
  return (await m.getRepository(JointMeetingMember).find({ where: { role: 'unit' }, order: { unitCode: 'ASC' } })).map((r) => r.unitCode!);
}

export async function convenor(m: EntityManager, userid: string): Promise<JointMeetingMember | null> {
  return m.getRepository(JointMeetingMember).findOneBy({ userid, role: In([...CONVENOR_ROLES]) });
}

export async function convenors(m: EntityManager): Promise<JointMeetingMember[]> {
  return m.getRepository(JointMeetingMember).find({ where: { role: In([...CONVENOR_ROLES]) }, order: { role: 'DESC', userid: 'ASC' } });
}

/** The unit's meeting liaison on `today` (the latest change in effect), else null. */
export async function meetingLiaison(m: EntityManager, unitCode: string, today: string): Promise<string | null> {
  const c = await m.getRepository(JointMeetingLiaisonChange).findOne({ where: { unitCode, effectiveOn: LessThanOrEqual(today) }, order: { effectiveOn: 'DESC', id: 'DESC' } });
  return c?.liaisonUserid ?? null;
}

/** Who hears about the meeting for a unit: its meeting liaison, else its liaisons. */
export async function meetingRecipients(m: EntityManager, unitCode: string, today: string): Promise<string[]> {
  const named = await meetingLiaison(m, unitCode, today);
  if (named) return [named];
  return (await unitLiaisons(m, unitCode, today)).map((s) => s.userid);
}

export async function membersJson(m: EntityManager, today: string) {
  const rows = await m.getRepository(JointMeetingMember).find({ order: { role: 'ASC', unitCode: 'ASC', userid: 'ASC' } });
  const history = await m.getRepository(JointMeetingLiaisonChange).find({ order: { effectiveOn: 'ASC', id: 'ASC' } });
  const units = rows.filter((r) => r.role === 'unit');
  return {
    generalConvenor: rows.find((r) => r.role === 'general_convenor')?.userid ?? null,
    convenors: rows.filter((r) => r.role === 'convenor').map((r) => r.userid),
    units: await Promise.all(
      units.map(async (u) => ({
        unit: u.unitCode,
        liaison: await meetingLiaison(m, u.unitCode!, today),
        history: history.filter((h) => h.unitCode === u.unitCode).map((h) => ({ liaison: h.liaisonUserid, previous: h.previousUserid, effectiveOn: h.effectiveOn, filedBy: h.filedBy })),
      })),
    ),
  };
}
