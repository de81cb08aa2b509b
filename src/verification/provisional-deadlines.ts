import { DataSource, EntityManager, IsNull, Like } from 'typeorm';
import { VerificationRequest } from '../../entities';
import { computeDeadline, PROVISIONAL_SUFFIX, WorkingCalendar } from '../calendar';
import { inTransaction } from '../db/tx';
import { addEvent } from './service';

export interface RecomputedDeadline {
  requestId: number;
  fromDueAt: string;
  dueAt: string;
  deadlineRule: string;
}

/**
 * SPEC "Working time": a deadline counted on a derived year is provisional. Once the year's
 * real calendar is in (entered by the office, or a newer holiday package), every open
 * request with such a deadline is counted again; a unit never loses time it was promised,
 * so the later of the two deadlines stands.
 */
export async function recomputeProvisionalDeadlines(m: EntityManager, cal: WorkingCalendar, now: Date): Promise<RecomputedDeadline[]> {
  const repo = m.getRepository(VerificationRequest);
  const open = await repo.find({ where: { closedAt: IsNull(), deadlineRule: Like(`%${PROVISIONAL_SUFFIX}`) }, order: { id: 'ASC' } });
  const out: RecomputedDeadline[] = [];
  for (const req of open) {
    const counted = computeDeadline(cal, req.category, req.startedAt);
    const dueAt = counted.dueAt.getTime() > req.dueAt.getTime() ? counted.dueAt : req.dueAt;
    if (dueAt.getTime() === req.dueAt.getTime() && counted.rule === req.deadlineRule) continue;
    // Conditional on the version: a request answered meanwhile keeps what it had.
    const res = await m
      .createQueryBuilder()
      .update(VerificationRequest)
      .set({ dueAt, originalDueAt: dueAt, deadlineRule: counted.rule, updatedAt: now })
      .where('id = :id AND version = :v', { id: req.id, v: req.version })
      .andWhere('closed_at IS NULL')
      .execute();
    if (res.affected !== 1) continue;
    const line = { requestId: req.id, fromDueAt: req.dueAt.toISOString(), dueAt: dueAt.toISOString(), deadlineRule: counted.rule };
    await addEvent(m, req, now, 'deadline_recomputed', 'system', { data: { ...line, computedDueAt: counted.dueAt.toISOString() } });
    out.push(line);
  }
  return out;
}

/** The same in its own transaction: after the office enters a year, and on every sweep (a package update). */
export function refreshProvisionalDeadlines(ds: DataSource, cal: WorkingCalendar, now: Date): Promise<RecomputedDeadline[]> {
  return inTransaction(ds, (m) => recomputeProvisionalDeadlines(m, cal, now));
}
