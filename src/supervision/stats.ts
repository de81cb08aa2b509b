import { EntityManager, In } from 'typeorm';
import { AccountabilityCase, DataServiceLookup, Staff, Unit, VerificationRequest } from '../../entities';
import { countsForAppraisal } from '../accountability/service';
import { Period } from '../calendar/period';
import { lateApplicationsByUnit } from '../exemptions/late';

/** Nearest-rank percentile of sorted numbers (null when empty). */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export interface Figures {
  /** Requests started in the period (cancelled ones excluded). */
  requests: number;
  answered: number;
  returned: number;
  /** Still open and not yet due. */
  openInTime: number;
  onTime: number;
  /** Missed the deadline (closed late, or still open past it) and not exempted. */
  overdue: number;
  /** Missed, but the case was exempted (Art. 8, 11) or revoked on appeal: not counted. */
  exempted: number;
  /** onTime / (onTime + overdue); null when nothing was decided yet. */
  onTimeRate: number | null;
  /** Office minutes from start to answer (or return): median and 90th percentile. */
  medianMinutes: number | null;
  p90Minutes: number | null;
}

export interface UnitFigures extends Figures {
  unit: string;
  name: string;
  /** Answered by the unit's data service (秒核), and their share of the unit's requests. */
  automaticAnswers: number;
  automaticShare: number | null;
}

export interface PersonFigures extends Figures {
  userid: string;
  name: string;
  unit: string | null;
}

export interface OverdueRow {
  requestId: number;
  number: string;
  issuerUnit: string;
  requesterUnit: string;
  category: string;
  status: string;
  dueAt: Date;
  closedAt: Date | null;
  person: string | null;
  caseId: number | null;
  caseStatus: string | null;
  countsForAppraisal: boolean;
}

export interface VerificationStats {
  period: { from: string; to: string };
  totals: Figures;
  units: UnitFigures[];
  people: PersonFigures[];
  overdue: OverdueRow[];
  /** SPEC 2 Art. 9: list applications submitted past their 7 working days, per unit. */
  lateApplications: Array<{ unit: string; name: string; late: number }>;
}

class Acc {
  requests = 0;
  answered = 0;
  returned = 0;
  openInTime = 0;
  onTime = 0;
  overdue = 0;
  exempted = 0;
  times: number[] = [];
  figures(): Figures {
    const sorted = [...this.times].sort((a, b) => a - b);
    const decided = this.onTime + this.overdue;
    return {
      requests: this.requests,
      answered: this.answered,
      returned: this.returned,
      openInTime: this.openInTime,
      onTime: this.onTime,
      overdue: this.overdue,
      exempted: this.exempted,
      onTimeRate: decided ? Math.round((this.onTime / decided) * 10000) / 10000 : null,
      medianMinutes: percentile(sorted, 50),
      p90Minutes: percentile(sorted, 90),
    };
  }
}

function bump<K>(map: Map<K, Acc>, key: K): Acc {
  let a = map.get(key);
  if (!a) map.set(key, (a = new Acc()));
  return a;
}

/**
 * SPEC 1 Art. 13: the office's supervision figures for requests started in a period, per
 * issuing unit and per person. A person is charged with a miss through its accountability
 * case (the owner, or the liaison when nobody accepted it); handling figures count the
 * owner. Exempted and revoked cases do not count (SPEC 4, Art. 11).
 */
export async function verificationStats(m: EntityManager, period: Period, now: Date, unit?: string): Promise<VerificationStats> {
  const qb = m
    .getRepository(VerificationRequest)
    .createQueryBuilder('r')
    .select(['r.id', 'r.number', 'r.issuerUnit', 'r.requesterUnit', 'r.category', 'r.status', 'r.startedAt', 'r.dueAt', 'r.originalDueAt', 'r.closedAt', 'r.assignee', 'r.verificationMinutes'])
    .where('r.started_at >= :s AND r.started_at < :e', { s: period.start, e: period.end })
    .andWhere('r.status <> :c', { c: 'cancelled' });
  if (unit) qb.andWhere('r.issuer_unit = :u', { u: unit });
  const reqs = await qb.getMany();
  const cases = new Map<number, AccountabilityCase>();
  for (let i = 0; i < reqs.length; i += 1000) {
    const ids = reqs.slice(i, i + 1000).map((r) => r.id);
    const rows = await m.getRepository(AccountabilityCase).find({ where: { requestId: In(ids), ground: 'verification_overdue' } });
    for (const c of rows) if (c.requestId !== null) cases.set(c.requestId, c);
  }

  const total = new Acc();
  const byUnit = new Map<string, Acc>();
  const byPerson = new Map<string, Acc>();
  const overdue: OverdueRow[] = [];
  for (const r of reqs) {
    const u = bump(byUnit, r.issuerUnit);
    const owner = r.assignee ? bump(byPerson, r.assignee) : null;
    const accs = [total, u, ...(owner ? [owner] : [])];
    for (const a of accs) a.requests++;
    const closedByIssuer = r.status === 'answered' || r.status === 'returned';
    if (closedByIssuer) {
      for (const a of accs) {
        if (r.status === 'answered') a.answered++;
        else a.returned++;
        if (r.verificationMinutes !== null) a.times.push(r.verificationMinutes);
      }
    }
    // A return counts from when its reason arrived (closedAt); a late reclassification
    // does not move the deadline the figures count against (Art. 7, 13).
    const end = r.closedAt ?? now;
    const late = end.getTime() > (r.originalDueAt ?? r.dueAt).getTime();
    if (!closedByIssuer && !late) {
      for (const a of accs) a.openInTime++;
      continue;
    }
    if (!late) {
      for (const a of accs) a.onTime++;
      continue;
    }
    const c = cases.get(r.id) ?? null;
    const counts = c ? countsForAppraisal(c) : true;
    const person = c?.personUserid ?? r.assignee ?? null;
    const charged = [total, u, ...(person ? [bump(byPerson, person)] : [])];
    for (const a of charged) {
      if (counts) a.overdue++;
      else a.exempted++;
    }
    overdue.push({
      requestId: r.id,
      number: r.number,
      issuerUnit: r.issuerUnit,
      requesterUnit: r.requesterUnit,
      category: r.category,
      status: r.status,
      dueAt: r.dueAt,
      closedAt: r.closedAt,
      person,
      caseId: c?.id ?? null,
      caseStatus: c?.status ?? null,
      countsForAppraisal: counts,
    });
  }

  const automatic = new Map<string, number>();
  for (let i = 0; i < reqs.length; i += 1000) {
    const ids = reqs.slice(i, i + 1000).map((r) => r.id);
    const rows = await m.getRepository(DataServiceLookup).find({ where: { requestId: In(ids), status: 'answered' } });
    for (const l of rows) automatic.set(l.issuerUnit, (automatic.get(l.issuerUnit) ?? 0) + 1);
  }
  const autoOf = (code: string, requests: number) => ({ automaticAnswers: automatic.get(code) ?? 0, automaticShare: requests ? Math.round(((automatic.get(code) ?? 0) / requests) * 10000) / 10000 : null });
  const late = await lateApplicationsByUnit(m, period.start, period.end, unit);
  const unitRows = await m.getRepository(Unit).findBy({ code: In([...byUnit.keys(), ...late.map((l) => l.unit), '']) });
  const unitName = new Map(unitRows.map((x) => [x.code, x.name]));
  const staffRows = byPerson.size ? await m.getRepository(Staff).findBy({ userid: In([...byPerson.keys()]) }) : [];
  const staff = new Map(staffRows.map((s) => [s.userid, s]));
  return {
    period: { from: period.from, to: period.to },
    totals: total.figures(),
    units: [...byUnit.entries()].map(([code, a]) => ({ unit: code, name: unitName.get(code) ?? code, ...a.figures(), ...autoOf(code, a.requests) })).sort((a, b) => b.overdue - a.overdue || a.unit.localeCompare(b.unit)),
    people: [...byPerson.entries()]
      .map(([userid, a]) => ({ userid, name: staff.get(userid)?.name ?? userid, unit: staff.get(userid)?.unitCode ?? null, ...a.figures() }))
      .sort((a, b) => b.overdue - a.overdue || a.userid.localeCompare(b.userid)),
    overdue,
    lateApplications: late.map((l) => ({ unit: l.unit, name: unitName.get(l.unit) ?? l.unit, late: l.late })),
  };
}
