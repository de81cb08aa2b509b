import { newWorkbook } from '../excel';
import { WorkingCalendar, shortTime } from '../calendar';
import { Figures, VerificationStats } from './stats';
import type { Summons } from '../../entities';
import type { AutomaticMonth } from './automatic';
import { SUMMONS } from '../escalations/messages';
import { CASE_STATUS_LABEL, CATEGORY_SHORT, REQUEST_STATUS_LABEL, XLSX } from './messages';

const FIGURES: Array<keyof Figures> = ['requests', 'answered', 'returned', 'openInTime', 'onTime', 'overdue', 'exempted', 'onTimeRate', 'medianMinutes', 'p90Minutes'];

function figureCells(f: Figures): Array<string | number | null> {
  return FIGURES.map((k) => (k === 'onTimeRate' ? (f.onTimeRate === null ? null : Math.round(f.onTimeRate * 1000) / 10) : f[k]));
}

function time(cal: WorkingCalendar, d: Date | null): string {
  return d ? shortTime(cal, d) : '';
}

/** Art. 13 figures as a workbook: units, people, every missed deadline and the summonses (no personal data of applicants). */
export async function statsWorkbook(cal: WorkingCalendar, s: VerificationStats, summonses: Summons[] = [], automatic: AutomaticMonth[] = []): Promise<Buffer> {
  const wb = newWorkbook();
  const head = FIGURES.map((k) => (k === 'onTimeRate' ? `${XLSX.figures.onTimeRate}(%)` : XLSX.figures[k]));
  const units = wb.addWorksheet(XLSX.sheets.units);
  units.addRow([XLSX.period(s.period.from, s.period.to)]);
  units.addRow([XLSX.unit, XLSX.unitName, ...head]).font = { bold: true };
  for (const u of s.units) units.addRow([u.unit, u.name, ...figureCells(u)]);
  const people = wb.addWorksheet(XLSX.sheets.people);
  people.addRow([XLSX.period(s.period.from, s.period.to)]);
  people.addRow([XLSX.userid, XLSX.name, XLSX.unit, ...head]).font = { bold: true };
  for (const p of s.people) people.addRow([p.userid, p.name, p.unit ?? '', ...figureCells(p)]);
  const over = wb.addWorksheet(XLSX.sheets.overdue);
  over.addRow([XLSX.number, XLSX.issuer, XLSX.requester, XLSX.category, XLSX.status, XLSX.dueAt, XLSX.closedAt, XLSX.person, XLSX.caseStatus, XLSX.counts]).font = { bold: true };
  for (const o of s.overdue) {
    over.addRow([
      o.number,
      o.issuerUnit,
      o.requesterUnit,
      CATEGORY_SHORT[o.category as keyof typeof CATEGORY_SHORT] ?? o.category,
      REQUEST_STATUS_LABEL[o.status as keyof typeof REQUEST_STATUS_LABEL] ?? o.status,
      time(cal, o.dueAt),
      time(cal, o.closedAt),
      o.person ?? '',
      o.caseStatus ? CASE_STATUS_LABEL[o.caseStatus as keyof typeof CASE_STATUS_LABEL] : '',
      o.countsForAppraisal ? XLSX.yes : XLSX.no,
    ]);
  }
  // SPEC 1 Art. 11: every 约谈 of the period, with the county government's decision.
  const sum = wb.addWorksheet(SUMMONS.sheet);
  sum.addRow([...SUMMONS.columns]).font = { bold: true };
  for (const x of summonses) {
    sum.addRow([x.number, x.unitCode, x.personName, x.effect, x.officeRequest, x.requestedBy, time(cal, x.requestedAt), x.decision ? SUMMONS.decision[x.decision] : '', x.heldOn ?? '']);
  }
  // 秒核 (issue 15): the share answered by the units' data services, per month and unit.
  const auto = wb.addWorksheet(XLSX.sheets.automatic);
  auto.addRow([XLSX.period(s.period.from, s.period.to)]);
  auto.addRow([...XLSX.automatic]).font = { bold: true };
  for (const a of automatic) auto.addRow([a.month, a.unit || XLSX.allUnits, a.unit ? a.name : XLSX.allUnits, a.requests, a.automaticAnswers, a.automaticShare === null ? null : Math.round(a.automaticShare * 1000) / 10]);
  for (const ws of [units, people, over, sum, auto]) ws.columns.forEach((c) => (c.width = 16));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
