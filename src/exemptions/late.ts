import { EntityManager } from 'typeorm';
import { ExemptionApplication } from '../../entities';

export interface LateApplications {
  unit: string;
  /** Applications submitted in the period after their 7 working days (Art. 9). */
  late: number;
}

/** Per unit, the list applications submitted late in [start, end), for supervision figures. */
export async function lateApplicationsByUnit(m: EntityManager, start: Date, end: Date, unit?: string): Promise<LateApplications[]> {
  const qb = m
    .getRepository(ExemptionApplication)
    .createQueryBuilder('a')
    .select('a.unit_code', 'unit')
    .addSelect('COUNT(*)', 'late')
    .where('a.late = :late AND a.submitted_at >= :s AND a.submitted_at < :e', { late: 1, s: start, e: end })
    .andWhere("a.status <> 'withdrawn'")
    .groupBy('a.unit_code')
    .orderBy('a.unit_code', 'ASC');
  if (unit) qb.andWhere('a.unit_code = :u', { u: unit });
  const rows: Array<{ unit: string; late: number | string }> = await qb.getRawMany();
  return rows.map((r) => ({ unit: r.unit, late: Number(r.late) }));
}
