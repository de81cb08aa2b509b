/**
 * Time-driven questions the deadline job (deadlines.job.ts) asks about complaints. Read-only:
 * the job decides whom to remind, how often, and when to tell the office.
 */
import { DataSource, EntityManager, In, IsNull, LessThan, LessThanOrEqual, Not } from 'typeorm';
import { Complaint, KfConversation } from '../../entities';
import { WorkingCalendar, endOfWorkingDay, officeMinutesBetween } from '../calendar';
import { unitContacts } from '../directory/who';

type Db = DataSource | EntityManager;

function manager(db: Db): EntityManager {
  return db instanceof DataSource ? db.manager : db;
}

export interface ComplaintReminder {
  complaintId: number;
  number: string;
  agencyCode: string | null;
  agencyName: string;
  status: string;
  dueAt: Date;
  /** due_soon: within the window before the deadline; overdue: past it (Art. 10). */
  kind: 'due_soon' | 'overdue';
  /** Office minutes left (negative once overdue). */
  officeMinutesLeft: number;
  /** The agency's liaisons (or A deputies): whom to remind. */
  contacts: string[];
}

/** Office minutes of one working day (default hours: 450). */
export function officeDayMinutes(cal: WorkingCalendar): number {
  return cal.officeRanges.reduce((n, r) => n + (r.end - r.start), 0);
}

/**
 * Accepted or extended cases (duplicates excluded: they follow their original) due within
 * `withinOfficeMinutes` office minutes (default: one working day), or already overdue.
 */
export async function dueComplaintReminders(db: Db, now: Date, cal: WorkingCalendar, opts: { withinOfficeMinutes?: number } = {}): Promise<ComplaintReminder[]> {
  const m = manager(db);
  const window = opts.withinOfficeMinutes ?? officeDayMinutes(cal);
  const rows = await m.find(Complaint, {
    where: { status: In(['accepted', 'extended']), duplicateOf: IsNull(), dueAt: Not(IsNull()) },
    order: { dueAt: 'ASC', id: 'ASC' },
  });
  const out: ComplaintReminder[] = [];
  const contacts = new Map<string, string[]>();
  for (const c of rows) {
    const due = c.dueAt as Date;
    const overdue = now.getTime() >= due.getTime();
    const left = overdue ? -officeMinutesBetween(cal, due, now) : officeMinutesBetween(cal, now, due);
    if (!overdue && left > window) continue;
    let to: string[] = [];
    if (c.agencyCode) {
      if (!contacts.has(c.agencyCode)) contacts.set(c.agencyCode, await unitContacts(m, c.agencyCode, { deputies: 'A' }));
      to = contacts.get(c.agencyCode) as string[];
    }
    out.push({
      complaintId: c.id,
      number: c.number,
      agencyCode: c.agencyCode,
      agencyName: c.agencyName,
      status: c.status,
      dueAt: due,
      kind: overdue ? 'overdue' : 'due_soon',
      officeMinutesLeft: left,
      contacts: to,
    });
  }
  return out;
}

/**
 * Art. 7 asks for registration at once; a case nobody accepted or refused by the end of the
 * working day after registration is waiting on someone (the office or the agency).
 */
export async function unansweredComplaints(db: Db, now: Date, cal: WorkingCalendar, afterWorkingDays = 1): Promise<Complaint[]> {
  const rows = await manager(db).find(Complaint, { where: { status: 'registered', duplicateOf: IsNull() }, order: { registeredAt: 'ASC', id: 'ASC' } });
  return rows.filter((c) => now.getTime() >= endOfWorkingDay(cal, c.registeredAt, afterWorkingDays).getTime());
}

/**
 * Art. 10: closed cases whose result has not reached the complainant after `olderThanMs`
 * (the citizen has not written since and the chat window is closed): the office should
 * tell them another way and record it (POST /complaints/{id}/result-delivered).
 */
export async function undeliveredResults(db: Db, now: Date, olderThanMs = 48 * 3600_000): Promise<Complaint[]> {
  return manager(db).find(Complaint, {
    where: { status: In(['rejected', 'resolved', 'terminated']), resultDelivered: false, closedAt: LessThanOrEqual(new Date(now.getTime() - olderThanMs)) },
    order: { closedAt: 'ASC', id: 'ASC' },
  });
}

/** Conversation states past their expiry by `graceMs` are dropped (the flow has told the citizen by then or never will). */
export async function purgeExpiredConversations(db: Db, now: Date, graceMs = 7 * 86_400_000): Promise<number> {
  const res = await manager(db).update(KfConversation, { expiresAt: LessThan(new Date(now.getTime() - graceMs)) }, { state: null, expiresAt: null });
  return res.affected ?? 0;
}
