import { EntityManager } from 'typeorm';
import { WorkingCalendar, inOfficeHours, officeMinutesBetween, shortTime } from '../calendar';
import { formatLate } from '../calendar/messages';
import { JobDeps } from '../module';
import { Line, isClaimed, once } from '../scheduler';
import { officeMembers } from '../directory/who';
import { REMINDER_TEXT_REF, queueGroupMarkdown, sendText } from '../wecom/messaging';
import { dueComplaintReminders, purgeExpiredConversations, unansweredComplaints, undeliveredResults } from './reminders';
import { COMPLAINT } from './deadline-messages';

/**
 * SPEC 3 deadlines, with the complaints module's read-only queries (src/complaints/reminders.ts):
 * a reminder to the agency a working day before the deadline, the agency and the office
 * group told once it passed, the office told of cases nobody accepted and of results that
 * never reached the complainant; expired chat states purged daily. Each once (claims),
 * in office hours only.
 */
export async function complaintDeadlines(d: JobDeps, now: Date): Promise<Line[]> {
  const ds = d.dataSource;
  const cal: WorkingCalendar = await d.calendar();
  const lines: Line[] = [];
  const purgeKey = `complaints-purge:${cal.localDate(now)}`;
  if (!(await isClaimed(ds.manager, purgeKey))) {
    const purged = await once(ds, purgeKey, 'complaint-deadlines', now, async (m) => ({ action: 'purged_conversations', count: await purgeExpiredConversations(m, now) }));
    if (purged && (purged.count as number) > 0) lines.push(purged);
  }
  if (!inOfficeHours(cal, now)) return lines;
  const tz = d.config.officeTz;
  const today = cal.localDate(now);
  for (const r of await dueComplaintReminders(ds, now, cal)) {
    const due = shortTime(tz, r.dueAt);
    const key = `complaint:${r.complaintId}:${r.dueAt.getTime()}:${r.kind}`;
    const line = await once(ds, key, 'complaint-deadlines', now, async (m) => {
      for (const u of r.contacts) await sendText(m, u, r.kind === 'due_soon' ? COMPLAINT.dueSoon(r.number, due) : COMPLAINT.overdue(r.number, due), now, { refType: REMINDER_TEXT_REF, refId: `complaint:${r.complaintId}`, dedupeKey: `${key}:${u}` });
      let group: string | null = null;
      if (r.kind === 'overdue') {
        const sent = await queueGroupMarkdown(m, d.config, COMPLAINT.overdueGroup(r.number, r.agencyName, due, formatLate(officeMinutesBetween(cal, r.dueAt, now))), now, { id: `complaint:${r.complaintId}`, dedupeKey: `${key}:group` });
        group = sent?.channel ?? 'none';
      }
      return { action: r.kind === 'due_soon' ? 'complaint_reminder' : 'complaint_overdue', complaintId: r.complaintId, number: r.number, to: r.contacts, ...(group ? { group } : {}) };
    });
    if (line) lines.push(line);
  }
  const office = async (m: EntityManager, text: string, key: string) => {
    const members = await officeMembers(m, { presentOn: today });
    for (const s of members) await sendText(m, s.userid, text, now, { refType: REMINDER_TEXT_REF, refId: key, dedupeKey: `${key}:${s.userid}` });
    return members.map((s) => s.userid);
  };
  for (const c of await unansweredComplaints(ds, now, cal)) {
    const key = `complaint:${c.id}:unanswered`;
    const line = await once(ds, key, 'complaint-deadlines', now, async (m) => ({ action: 'complaint_unanswered', complaintId: c.id, number: c.number, to: await office(m, COMPLAINT.unanswered(c.number), key) }));
    if (line) lines.push(line);
  }
  for (const c of await undeliveredResults(ds, now)) {
    const key = `complaint:${c.id}:undelivered`;
    const line = await once(ds, key, 'complaint-deadlines', now, async (m) => ({ action: 'complaint_result_undelivered', complaintId: c.id, number: c.number, to: await office(m, COMPLAINT.undelivered(c.number), key) }));
    if (line) lines.push(line);
  }
  return lines;
}
