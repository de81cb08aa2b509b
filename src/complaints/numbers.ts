import { EntityManager } from 'typeorm';
import { ComplaintDayCounter } from '../../entities';
import { isSqlite, isUniqueViolation } from '../db/tx';
import { WorkingCalendar } from '../calendar';

/**
 * The next case number of the office-local day: TS20261126-0003. The counter row is
 * incremented in the caller's transaction (row lock on MySQL, one writer on SQLite), so
 * two instances never hand out the same number and a rolled-back registration gives its
 * number back; the unique index on complaints.number stays as the last guard.
 */
export async function nextComplaintNumber(m: EntityManager, cal: WorkingCalendar, at: Date): Promise<string> {
  const day = cal.localDate(at).replace(/-/g, '');
  if (!(await m.findOne(ComplaintDayCounter, { select: { day: true }, where: { day } }))) {
    // Created outside the caller's transaction (its own statement on MySQL): an UPDATE on a
    // missing row would take a gap lock, and two first registrations of a day would deadlock.
    const outside = isSqlite(m.connection) ? m : m.connection.manager;
    try {
      await outside.insert(ComplaintDayCounter, { day, lastSeq: 0 });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  // The row exists now: this UPDATE locks just that row until the caller commits.
  const res = await m
    .createQueryBuilder()
    .update(ComplaintDayCounter)
    .set({ lastSeq: () => 'last_seq + 1' })
    .where('day = :day', { day })
    .execute();
  if (res.affected !== 1) throw new Error(`complaint day counter ${day} is missing`);
  const row = await m.findOneByOrFail(ComplaintDayCounter, { day });
  return formatComplaintNumber(day, row.lastSeq);
}

export function formatComplaintNumber(day: string, seq: number): string {
  return `TS${day}-${String(seq).padStart(4, '0')}`;
}
