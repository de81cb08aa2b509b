import { newWorkbook } from '../excel';
import { AccountabilityCase, AccountabilityEvent } from '../../entities';
import { WorkingCalendar, formatInZone } from '../calendar';
import { countsForAppraisal } from './service';
import { APPEAL_LABEL, BODY_LABEL, EMPLOYMENT_LABEL, EVENT_LABEL, EXEMPTION_LABEL, EXEMPTION_STATE_LABEL, GROUND_LABEL, OUTCOME_LABEL, STATUS_LABEL, XLSX } from './messages';

function time(cal: WorkingCalendar, d: Date): string {
  return formatInZone(cal, d).slice(0, 16).replace('T', ' ');
}

/** What an event's data says, in words: reasons, findings, results. */
function eventNote(type: string, raw: string | null): string {
  if (!raw) return '';
  const d = JSON.parse(raw) as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.outcome === 'string' && d.outcome in OUTCOME_LABEL) parts.push(OUTCOME_LABEL[d.outcome as keyof typeof OUTCOME_LABEL]);
  if (typeof d.body === 'string' && d.body in BODY_LABEL) parts.push(BODY_LABEL[d.body as keyof typeof BODY_LABEL]);
  if (type === 'appeal_decided' && typeof d.result === 'string') parts.push(APPEAL_LABEL[d.result as keyof typeof APPEAL_LABEL] ?? d.result);
  if (typeof d.ground === 'string' && d.ground in EXEMPTION_LABEL) parts.push(EXEMPTION_LABEL[d.ground as keyof typeof EXEMPTION_LABEL]);
  if (typeof d.ground === 'string' && d.ground in GROUND_LABEL && type === 'opened') parts.push(GROUND_LABEL[d.ground as keyof typeof GROUND_LABEL]);
  for (const k of ['reason', 'explanation', 'findings', 'approver', 'note'] as const) if (typeof d[k] === 'string' && d[k]) parts.push(String(d[k]));
  return parts.join('；');
}

/**
 * SPEC 4: every case with every step, who did it and when, as a workbook: one row per
 * step, the case's columns repeated so the sheet filters and sorts on its own.
 */
export async function casesWorkbook(cal: WorkingCalendar, cases: AccountabilityCase[], events: AccountabilityEvent[]): Promise<Buffer> {
  const wb = newWorkbook();
  const ws = wb.addWorksheet(XLSX.sheet);
  ws.addRow([...XLSX.headers]).font = { bold: true };
  const byCase = new Map<number, AccountabilityEvent[]>();
  for (const e of events) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
  for (const c of cases) {
    const head = [
      c.id,
      GROUND_LABEL[c.ground] ?? c.ground,
      c.unitCode,
      c.personUserid ?? '',
      c.employment ? EMPLOYMENT_LABEL[c.employment] : '',
      STATUS_LABEL[c.status],
      countsForAppraisal(c) ? XLSX.yes : XLSX.no,
      c.outcome ? OUTCOME_LABEL[c.outcome] : '',
      c.decidingBody ? BODY_LABEL[c.decidingBody] : '',
      c.appealState ? APPEAL_LABEL[c.appealState] : '',
      c.exemptionState ? EXEMPTION_STATE_LABEL[c.exemptionState] : '',
      c.exemptionApprover ?? '',
    ];
    for (const e of byCase.get(c.id) ?? []) ws.addRow([...head, EVENT_LABEL[e.type] ?? e.type, time(cal, e.at), e.actor ?? '', eventNote(e.type, e.data)]);
  }
  ws.columns.forEach((col) => (col.width = 16));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
