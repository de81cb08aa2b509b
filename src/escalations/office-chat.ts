import { EntityManager, IsNull, LessThan, Not, In } from 'typeorm';
import { VerificationRequest } from '../../entities';
import { CallbackDispatcher } from '../wecom/dispatcher';
import { WorkingCalendar, officeMinutesBetween, shortTime } from '../calendar';
import { conversationOf } from '../conversation';
import { isOfficeMember, staffNames, unitNames } from '../directory/who';
import { sendText } from '../wecom/messaging';
import { DeadlineDeps, REF } from './deps';
import { OVERDUE, formatLate } from './messages';

/** Most requests one chat message lists; the console has the rest. */
const LIST_MAX = 15;

/** Requests past their (original) deadline and not closed, oldest deadline first. */
export async function overdueNow(m: EntityManager, now: Date, limit = 500): Promise<{ rows: VerificationRequest[]; total: number }> {
  const where = { closedAt: IsNull(), dueAt: LessThan(now), status: Not(In(['cancelled'])) };
  const [rows, total] = await m.getRepository(VerificationRequest).findAndCount({ where, order: { dueAt: 'ASC', id: 'ASC' }, take: limit });
  return { rows, total };
}

/** The office's view of what is overdue now, as one chat text: unit, item, deadline, lateness in office time. */
export async function overdueText(m: EntityManager, d: DeadlineDeps, cal: WorkingCalendar, now: Date): Promise<string> {
  const consoleUrl = `${d.config.publicUrl}/console/`;
  const { rows, total } = await overdueNow(m, now, LIST_MAX);
  if (!total) return OVERDUE.none(consoleUrl);
  const units = await unitNames(m, rows.map((r) => r.issuerUnit));
  const owners = await staffNames(m, rows.map((r) => r.assignee));
  const lines = rows.map((r, i) =>
    OVERDUE.line(i + 1, {
      unit: units.get(r.issuerUnit) ?? r.issuerUnit,
      item: r.serviceItem,
      number: r.number,
      due: shortTime(d.config.officeTz, r.dueAt).slice(5),
      late: formatLate(officeMinutesBetween(cal, r.dueAt, now)),
      owner: r.assignee ? owners.get(r.assignee) ?? r.assignee : null,
    }),
  );
  return [OVERDUE.header(total), ...lines, ...(total > rows.length ? [OVERDUE.more(total - rows.length)] : []), OVERDUE.footer(consoleUrl)].join('\n');
}

/** `超时` / `督办` typed by an office member: what is overdue now. Anyone else: not this command. */
export function registerOfficeCommands(dispatcher: CallbackDispatcher, d: DeadlineDeps): void {
  conversationOf(dispatcher).command('escalations', {
    name: 'overdue',
    matches: (text) => OVERDUE.words.includes(text),
    async run(msg, hc) {
      if (!(await isOfficeMember(hc.manager, msg.from))) return 'pass';
      const cal = await d.calendar();
      await sendText(hc.manager, msg.from, await overdueText(hc.manager, d, cal, hc.now), hc.now, { refType: REF.text, refId: msg.from, dedupeKey: `overdue:${hc.inboxId}` });
      return 'handled';
    },
  });
}
