import { EntityManager } from 'typeorm';
import { VerificationRequest } from '../../entities';
import type { WorkingCalendar } from '../calendar';
import type { Period } from '../calendar/period';

export const RESPONSE_BUCKETS = ['m30', 'h2', 'd1', 'd3', 'later'] as const;
export type ResponseBucket = (typeof RESPONSE_BUCKETS)[number];

/** Office minutes of one working day (the sum of the office windows, e.g. 450 for 08:30-12:00,13:30-17:30). */
export function workingDayMinutes(cal: WorkingCalendar): number {
  return cal.officeRanges.reduce((t, r) => t + (r.end - r.start), 0);
}

/** The bucket of a response time in office minutes: ≤30 min, ≤2 h, ≤1, ≤3 working days, later. */
export function bucketOf(minutes: number, dayMinutes: number): ResponseBucket {
  if (minutes <= 30) return 'm30';
  if (minutes <= 120) return 'h2';
  if (minutes <= dayMinutes) return 'd1';
  if (minutes <= 3 * dayMinutes) return 'd3';
  return 'later';
}

/**
 * How fast answered requests started in the period were answered (office time, the same
 * `verification_minutes` the Art. 13 medians use), counted per bucket; `unit` limits to
 * one issuing unit.
 */
export async function responseTimeDistribution(m: EntityManager, cal: WorkingCalendar, period: Period, unit?: string): Promise<Array<{ bucket: ResponseBucket; n: number }>> {
  const qb = m
    .getRepository(VerificationRequest)
    .createQueryBuilder('r')
    .select('r.verification_minutes', 'minutes')
    .where('r.started_at >= :s AND r.started_at < :e', { s: period.start, e: period.end })
    .andWhere('r.status = :a', { a: 'answered' })
    .andWhere('r.verification_minutes IS NOT NULL');
  if (unit) qb.andWhere('r.issuer_unit = :u', { u: unit });
  const rows = await qb.getRawMany<{ minutes: number | string }>();
  const day = workingDayMinutes(cal);
  const counts = new Map<ResponseBucket, number>(RESPONSE_BUCKETS.map((b) => [b, 0]));
  for (const r of rows) {
    const b = bucketOf(Number(r.minutes), day);
    counts.set(b, counts.get(b)! + 1);
  }
  return RESPONSE_BUCKETS.map((bucket) => ({ bucket, n: counts.get(bucket)! }));
}
