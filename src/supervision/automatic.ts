import { EntityManager, In } from 'typeorm';
import { DataServiceLookup, Unit, VerificationRequest } from '../../entities';
import { WorkingCalendar } from '../calendar';
import { Period } from '../calendar/period';

/** One month of one issuing unit ('' = all units): requests started, answered by data, the share. */
export interface AutomaticMonth {
  month: string;
  unit: string;
  name: string;
  requests: number;
  automaticAnswers: number;
  /** automaticAnswers / requests (4 decimals); null without requests. */
  automaticShare: number | null;
}

function share(n: number, of: number): number | null {
  return of ? Math.round((n / of) * 10000) / 10000 : null;
}

/**
 * The headline figure of 秒核 over time (issue 15): per month (office time zone) and per
 * issuing unit, the share of requests started in the period that the unit's data service
 * answered and nobody overrode. Cancelled requests do not count, as in the other figures.
 * Rows: every month in order, the all-units row ('') first, then the units by code.
 */
export async function automaticByMonth(m: EntityManager, cal: WorkingCalendar, period: Period, unit?: string): Promise<AutomaticMonth[]> {
  const qb = m
    .getRepository(VerificationRequest)
    .createQueryBuilder('r')
    .select(['r.id', 'r.issuerUnit', 'r.startedAt'])
    .where('r.started_at >= :s AND r.started_at < :e', { s: period.start, e: period.end })
    .andWhere('r.status <> :c', { c: 'cancelled' });
  if (unit) qb.andWhere('r.issuer_unit = :u', { u: unit });
  const reqs = await qb.getMany();
  const auto = new Set<number>();
  for (let i = 0; i < reqs.length; i += 1000) {
    const ids = reqs.slice(i, i + 1000).map((r) => r.id);
    for (const l of await m.getRepository(DataServiceLookup).find({ where: { requestId: In(ids), status: 'answered' }, select: { requestId: true } })) auto.add(l.requestId);
  }
  const acc = new Map<string, { requests: number; automaticAnswers: number }>();
  const bump = (key: string, isAuto: boolean) => {
    const a = acc.get(key) ?? { requests: 0, automaticAnswers: 0 };
    a.requests++;
    if (isAuto) a.automaticAnswers++;
    acc.set(key, a);
  };
  for (const r of reqs) {
    const month = cal.localDate(r.startedAt).slice(0, 7);
    bump(`${month}|`, auto.has(r.id));
    bump(`${month}|${r.issuerUnit}`, auto.has(r.id));
  }
  const codes = [...new Set(reqs.map((r) => r.issuerUnit))];
  const names = new Map((codes.length ? await m.getRepository(Unit).findBy({ code: In(codes) }) : []).map((u) => [u.code, u.name]));
  return [...acc.entries()]
    .map(([key, a]) => {
      const [month, code] = key.split('|');
      return { month, unit: code, name: code ? (names.get(code) ?? code) : '', requests: a.requests, automaticAnswers: a.automaticAnswers, automaticShare: share(a.automaticAnswers, a.requests) };
    })
    .sort((a, b) => a.month.localeCompare(b.month) || a.unit.localeCompare(b.unit));
}
