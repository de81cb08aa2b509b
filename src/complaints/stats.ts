/**
 * Art. 12-13: what was complained about, where, how it came in and how it ended, per
 * office-local month; agencies complained about repeatedly are flagged; 12345 hotline
 * cases are counted apart for the hotline's monthly and yearly assessment.
 */
import { newWorkbook } from '../excel';
import { EntityManager } from 'typeorm';
import { Complaint } from '../../entities';
import { AppError } from '../errors';
import { WorkingCalendar, addMonths, formatInZone, parseInstant, shortTime } from '../calendar';
import { maskName } from '../verification/mask';
import { CHANNEL_LABELS, EXPORT, GROUND_LABELS, STATUS_LABELS } from './lifecycle-messages';
import { Channel, ComplaintStatus, REPEAT_FLAG_THRESHOLD } from './model';
import { maskPhone } from './validate';

export interface MonthRange {
  /** YYYY-MM, inclusive. */
  from: string;
  to: string;
  start: Date;
  /** Exclusive: the first instant of the month after `to`. */
  end: Date;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const MAX_MONTHS = 36;

function addMonthsYm(ym: string, n: number): string {
  return addMonths(`${ym}-01`, n).slice(0, 7);
}

function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split('-').map(Number);
  const [yb, mb] = b.split('-').map(Number);
  return (yb - ya) * 12 + (mb - ma);
}

/** ?from=YYYY-MM&to=YYYY-MM (a date YYYY-MM-DD is read as its month); default: the last 12 months. */
export function monthRange(from: string | undefined, to: string | undefined, cal: WorkingCalendar, now: Date): MonthRange {
  const norm = (s: string | undefined, name: string): string | undefined => {
    if (s === undefined || s === '') return undefined;
    const v = /^\d{4}-\d{2}-\d{2}$/.test(s) ? s.slice(0, 7) : s;
    if (!MONTH_RE.test(v)) throw new AppError('validation_failed', `${name} must be YYYY-MM`, { details: { field: name } });
    return v;
  };
  const current = formatInZone(cal, now).slice(0, 7);
  const t = norm(to, 'to') ?? current;
  const f = norm(from, 'from') ?? addMonthsYm(t, -11);
  if (monthsBetween(f, t) < 0) throw new AppError('validation_failed', 'from is after to', { details: { field: 'from' } });
  if (monthsBetween(f, t) >= MAX_MONTHS) throw new AppError('validation_failed', `at most ${MAX_MONTHS} months at once`, { details: { field: 'to' } });
  return { from: f, to: t, start: parseInstant(`${f}-01T00:00`, cal), end: parseInstant(`${addMonthsYm(t, 1)}-01T00:00`, cal) };
}

type Counts = Record<string, number>;

interface AgencyCount {
  agencyCode: string | null;
  agencyName: string;
  count: number;
  flagged: boolean;
}

export interface MonthStats {
  month: string;
  /** Cases, duplicates (Art. 9) not counted again. */
  total: number;
  duplicates: number;
  byGround: Counts;
  byChannel: Counts;
  byOutcome: Counts;
  byAgency: AgencyCount[];
  resolvedOnTime: number;
  resolvedLate: number;
  overdueOpen: number;
  hotline: { total: number; byOutcome: Counts; resolvedOnTime: number; resolvedLate: number };
}

export interface ComplaintStats {
  from: string;
  to: string;
  threshold: number;
  totals: { complaints: number; duplicates: number; hotline: number; byGround: Counts; byChannel: Counts; byOutcome: Counts };
  months: MonthStats[];
  /** Art. 12: agencies with >= threshold complaints in one month. */
  flaggedAgencies: Array<{ month: string; agencyCode: string | null; agencyName: string; count: number }>;
}

function inc(c: Counts, k: string): void {
  c[k] = (c[k] ?? 0) + 1;
}

function emptyMonth(month: string): MonthStats {
  return {
    month,
    total: 0,
    duplicates: 0,
    byGround: {},
    byChannel: {},
    byOutcome: {},
    byAgency: [],
    resolvedOnTime: 0,
    resolvedLate: 0,
    overdueOpen: 0,
    hotline: { total: 0, byOutcome: {}, resolvedOnTime: 0, resolvedLate: 0 },
  };
}

export async function loadRange(m: EntityManager, range: MonthRange): Promise<Complaint[]> {
  return m
    .getRepository(Complaint)
    .createQueryBuilder('c')
    .where('c.received_at >= :start AND c.received_at < :end', { start: range.start, end: range.end })
    .orderBy('c.received_at', 'ASC')
    .addOrderBy('c.id', 'ASC')
    .getMany();
}

export function computeStats(rows: Complaint[], range: MonthRange, cal: WorkingCalendar, now: Date): ComplaintStats {
  const months = new Map<string, MonthStats>();
  for (let ym = range.from; monthsBetween(ym, range.to) >= 0; ym = addMonthsYm(ym, 1)) months.set(ym, emptyMonth(ym));
  const agencies = new Map<string, Map<string, AgencyCount>>();
  const totals = { complaints: 0, duplicates: 0, hotline: 0, byGround: {} as Counts, byChannel: {} as Counts, byOutcome: {} as Counts };
  for (const c of rows) {
    const ym = formatInZone(cal, c.receivedAt).slice(0, 7);
    const ms = months.get(ym);
    if (!ms) continue;
    if (c.duplicateOf !== null) {
      ms.duplicates++;
      totals.duplicates++;
      continue;
    }
    ms.total++;
    totals.complaints++;
    inc(ms.byGround, c.ground);
    inc(ms.byChannel, c.channel);
    inc(ms.byOutcome, c.status);
    inc(totals.byGround, c.ground);
    inc(totals.byChannel, c.channel);
    inc(totals.byOutcome, c.status);
    const onTime = c.status === 'resolved' && c.dueAt && c.closedAt ? c.closedAt.getTime() <= c.dueAt.getTime() : null;
    if (onTime === true) ms.resolvedOnTime++;
    if (onTime === false) ms.resolvedLate++;
    if ((c.status === 'accepted' || c.status === 'extended') && c.dueAt && now.getTime() > c.dueAt.getTime()) ms.overdueOpen++;
    if (c.hotline) {
      totals.hotline++;
      ms.hotline.total++;
      inc(ms.hotline.byOutcome, c.status);
      if (onTime === true) ms.hotline.resolvedOnTime++;
      if (onTime === false) ms.hotline.resolvedLate++;
    }
    const key = c.agencyCode ?? `name:${c.agencyName}`;
    const perMonth = agencies.get(ym) ?? new Map<string, AgencyCount>();
    agencies.set(ym, perMonth);
    const a = perMonth.get(key) ?? { agencyCode: c.agencyCode, agencyName: c.agencyName, count: 0, flagged: false };
    a.count++;
    perMonth.set(key, a);
  }
  const flaggedAgencies: ComplaintStats['flaggedAgencies'] = [];
  for (const [ym, perMonth] of agencies) {
    const list = [...perMonth.values()].sort((x, y) => y.count - x.count || x.agencyName.localeCompare(y.agencyName, 'zh'));
    for (const a of list) {
      a.flagged = a.count >= REPEAT_FLAG_THRESHOLD;
      if (a.flagged) flaggedAgencies.push({ month: ym, agencyCode: a.agencyCode, agencyName: a.agencyName, count: a.count });
    }
    (months.get(ym) as MonthStats).byAgency = list;
  }
  flaggedAgencies.sort((x, y) => (x.month < y.month ? -1 : x.month > y.month ? 1 : y.count - x.count));
  return { from: range.from, to: range.to, threshold: REPEAT_FLAG_THRESHOLD, totals, months: [...months.values()], flaggedAgencies };
}

export async function complaintStats(m: EntityManager, range: MonthRange, cal: WorkingCalendar, now: Date): Promise<ComplaintStats> {
  return computeStats(await loadRange(m, range), range, cal, now);
}

function label(map: Record<string, string>, k: string): string {
  return map[k] ?? k;
}

/** The xlsx export: monthly summary, agencies per month (flags), and the cases (complainant masked). */
export async function complaintStatsWorkbook(m: EntityManager, s: ComplaintStats, range: MonthRange, cal: WorkingCalendar): Promise<Buffer> {
  const rows = await loadRange(m, range);
  const wb = newWorkbook();
  wb.creator = 'nocert';

  const grounds = Object.keys(GROUND_LABELS);
  const channels = Object.keys(CHANNEL_LABELS);
  const statuses = Object.keys(STATUS_LABELS);
  const sum = wb.addWorksheet(EXPORT.sheetMonths);
  sum.addRow([
    EXPORT.month,
    EXPORT.total,
    EXPORT.hotline,
    EXPORT.duplicates,
    EXPORT.flagged,
    ...grounds.map((g) => EXPORT.ground_(label(GROUND_LABELS, g))),
    ...channels.map((c) => EXPORT.channel_(label(CHANNEL_LABELS, c))),
    ...statuses.map((st) => EXPORT.outcome_(label(STATUS_LABELS, st))),
  ]);
  for (const mo of s.months) {
    sum.addRow([
      mo.month,
      mo.total,
      mo.hotline.total,
      mo.duplicates,
      mo.byAgency.filter((a) => a.flagged).length,
      ...grounds.map((g) => mo.byGround[g] ?? 0),
      ...channels.map((c) => mo.byChannel[c] ?? 0),
      ...statuses.map((st) => mo.byOutcome[st] ?? 0),
    ]);
  }
  sum.getRow(1).font = { bold: true };

  const ag = wb.addWorksheet(EXPORT.sheetAgencies);
  ag.addRow([EXPORT.month, EXPORT.agencyCode, EXPORT.agency, EXPORT.count, EXPORT.flag]);
  for (const mo of s.months) for (const a of mo.byAgency) ag.addRow([mo.month, a.agencyCode ?? '', a.agencyName, a.count, a.flagged ? EXPORT.flagText : '']);
  ag.getRow(1).font = { bold: true };

  const cases = wb.addWorksheet(EXPORT.sheetCases);
  cases.addRow([
    EXPORT.number,
    EXPORT.receivedAt,
    EXPORT.channel,
    EXPORT.ground,
    EXPORT.agency,
    EXPORT.status,
    EXPORT.dueAt,
    EXPORT.closedAt,
    EXPORT.duplicateOf,
    EXPORT.hotline,
    EXPORT.complainant,
    EXPORT.phone,
    EXPORT.resultDelivered,
  ]);
  const numbers = new Map(rows.map((r) => [r.id, r.number]));
  const fmt = (d: Date | null) => (d ? shortTime(cal, d) : '');
  for (const c of rows) {
    const final = c.status === 'rejected' || c.status === 'resolved' || c.status === 'terminated';
    cases.addRow([
      c.number,
      fmt(c.receivedAt),
      label(CHANNEL_LABELS, c.channel as Channel),
      label(GROUND_LABELS, c.ground),
      c.agencyName,
      STATUS_LABELS[c.status as ComplaintStatus] ?? c.status,
      fmt(c.dueAt),
      fmt(c.closedAt),
      c.duplicateOf !== null ? (numbers.get(c.duplicateOf) ?? String(c.duplicateOf)) : '',
      c.hotline ? EXPORT.yes : EXPORT.no,
      maskName(c.complainantName),
      maskPhone(c.complainantPhone),
      final ? (c.resultDelivered ? EXPORT.yes : EXPORT.no) : EXPORT.open,
    ]);
  }
  cases.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
