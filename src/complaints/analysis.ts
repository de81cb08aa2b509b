/**
 * 投诉举报办法 Art. 12: frequent, numerous or serious issues are analysed together and
 * measures proposed. One period (a month or a year) grouped by agency, ground and the
 * certificate asked for, frequent groups flagged, serious agencies marked; the office
 * records the measures it proposes for the period.
 */
import { EntityManager, IsNull } from 'typeorm';
import { Between } from 'typeorm';
import { Complaint, ComplaintAnalysisMeasures } from '../../entities';
import { AppError } from '../errors';
import { WorkingCalendar, addMonths, formatInZone, parseInstant } from '../calendar';
import { extractCertificate } from './understand';
import { GROUND_LABELS } from './lifecycle-messages';
import { REPEAT_FLAG_THRESHOLD } from './model';

export interface Period {
  /** YYYY-MM or YYYY. */
  key: string;
  months: number;
  start: Date;
  /** Exclusive. */
  end: Date;
}

/** `YYYY-MM` or `YYYY`; default: the current office-local month. */
export function parsePeriod(raw: string | undefined, cal: WorkingCalendar, now: Date): Period {
  const key = raw && raw !== '' ? raw : formatInZone(cal, now).slice(0, 7);
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(key)) {
    return { key, months: 1, start: parseInstant(`${key}-01T00:00`, cal), end: parseInstant(`${addMonths(`${key}-01`, 1)}T00:00`, cal) };
  }
  if (/^\d{4}$/.test(key)) {
    return { key, months: 12, start: parseInstant(`${key}-01-01T00:00`, cal), end: parseInstant(`${Number(key) + 1}-01-01T00:00`, cal) };
  }
  throw new AppError('validation_failed', 'period must be YYYY-MM or YYYY', { details: { field: 'period' } });
}

interface Group {
  count: number;
  frequent: boolean;
}

export interface AgencyGroup extends Group {
  code: string | null;
  name: string;
  upheld: number;
  /** Closed after its deadline, or still open past it. */
  late: number;
  /** An upheld complaint or a deadline missed: worth the office's attention even when rare. */
  serious: boolean;
}

export interface ComplaintAnalysis {
  period: string;
  from: string;
  to: string;
  /** Matters received in the period (a duplicate is the same matter: counted apart). */
  total: number;
  duplicates: number;
  /** A group with at least this many matters in the period is flagged frequent. */
  frequentThreshold: number;
  byAgency: AgencyGroup[];
  byGround: Array<Group & { ground: string; label: string }>;
  byCertificate: Array<Group & { certificate: string }>;
  /** Every flagged group, most frequent first. */
  flagged: Array<{ dimension: 'agency' | 'ground' | 'certificate'; key: string; label: string; count: number; serious: boolean }>;
  measures: { text: string; updatedBy: string; updatedAt: string } | null;
}

function isLate(c: Complaint, now: Date): boolean {
  if (!c.dueAt) return false;
  const end = c.closedAt ?? now;
  return (c.status === 'resolved' || c.status === 'terminated' || c.status === 'accepted' || c.status === 'extended') && end.getTime() > c.dueAt.getTime();
}

export async function complaintAnalysis(m: EntityManager, p: Period, cal: WorkingCalendar, now: Date): Promise<ComplaintAnalysis> {
  const inPeriod = Between(p.start, new Date(p.end.getTime() - 1));
  const rows = await m.find(Complaint, { where: { receivedAt: inPeriod, duplicateOf: IsNull() }, order: { id: 'ASC' } });
  const duplicates = await m.count(Complaint, { where: { receivedAt: inPeriod } });
  const threshold = REPEAT_FLAG_THRESHOLD * p.months;
  const agencies = new Map<string, AgencyGroup>();
  const grounds = new Map<string, number>();
  const certs = new Map<string, number>();
  for (const c of rows) {
    const ak = c.agencyCode ?? `name:${c.agencyName}`;
    const a = agencies.get(ak) ?? { code: c.agencyCode, name: c.agencyName, count: 0, upheld: 0, late: 0, frequent: false, serious: false };
    a.count++;
    if (c.upheld) a.upheld++;
    if (isLate(c, now)) a.late++;
    agencies.set(ak, a);
    grounds.set(c.ground, (grounds.get(c.ground) ?? 0) + 1);
    const cert = extractCertificate(`${c.facts}\n${c.request}`);
    if (cert) certs.set(cert, (certs.get(cert) ?? 0) + 1);
  }
  const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
  const byAgency = [...agencies.values()].map((a) => ({ ...a, frequent: a.count >= threshold, serious: a.upheld > 0 || a.late > 0 })).sort((a, b) => byCount(a, b) || a.name.localeCompare(b.name));
  const byGround = [...grounds].map(([ground, count]) => ({ ground, label: GROUND_LABELS[ground as keyof typeof GROUND_LABELS] ?? ground, count, frequent: count >= threshold })).sort(byCount);
  const byCertificate = [...certs].map(([certificate, count]) => ({ certificate, count, frequent: count >= threshold })).sort((a, b) => byCount(a, b) || a.certificate.localeCompare(b.certificate));
  const flagged: ComplaintAnalysis['flagged'] = [
    ...byAgency.filter((a) => a.frequent || a.serious).map((a) => ({ dimension: 'agency' as const, key: a.code ?? a.name, label: a.name, count: a.count, serious: a.serious })),
    ...byGround.filter((g) => g.frequent).map((g) => ({ dimension: 'ground' as const, key: g.ground, label: g.label, count: g.count, serious: false })),
    ...byCertificate.filter((c) => c.frequent).map((c) => ({ dimension: 'certificate' as const, key: c.certificate, label: c.certificate, count: c.count, serious: false })),
  ].sort(byCount);
  const saved = await m.findOneBy(ComplaintAnalysisMeasures, { period: p.key });
  return {
    period: p.key,
    from: formatInZone(cal, p.start),
    to: formatInZone(cal, p.end),
    total: rows.length,
    duplicates: duplicates - rows.length,
    frequentThreshold: threshold,
    byAgency,
    byGround,
    byCertificate,
    flagged,
    measures: saved ? { text: saved.measures, updatedBy: saved.updatedBy, updatedAt: formatInZone(cal, saved.updatedAt) } : null,
  };
}

/** The measures the office proposes for the period (replaces the earlier text). */
export async function saveMeasures(m: EntityManager, period: string, measures: string, by: string, now: Date): Promise<void> {
  const existing = await m.findOneBy(ComplaintAnalysisMeasures, { period });
  if (existing) await m.update(ComplaintAnalysisMeasures, { id: existing.id }, { measures, updatedBy: by.slice(0, 100), updatedAt: now });
  else await m.insert(ComplaintAnalysisMeasures, { period, measures, updatedBy: by.slice(0, 100), updatedAt: now });
}
