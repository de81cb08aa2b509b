import dayjs from 'dayjs';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { ExemptionApplication, ExemptionEntry, OutboxMessage, Unit } from '../../entities';
import { inTransaction, claimLock } from '../db/tx';
import { JobDeps } from '../module';
import type { Line } from '../scheduler';
import { latestVersion } from './lookup';
import { PUBLICATION_MONTHS } from './rules';
import { MSG } from './messages';
import { sendCard, sendText } from '../wecom/messaging';
import { officeMembers, unitContacts } from '../directory/who';
import { shortTime } from '../calendar';
import { exemptionStartCard } from '../../cards/exemption-start.card';

export interface ReminderOptions {
  /** The office's time zone, for the dates in the messages. */
  tz?: string;
}

export interface ApplicationReminder {
  applicationId: number;
  unitCode: string;
  causeDate: string;
  dueAt: string;
  recipients: string[];
  /** no_contact: the unit has no liaison or deputy; marked reminded all the same. */
  outcome: 'reminded' | 'no_contact';
}

/**
 * Art. 9: the liaison of a unit with a recorded cause and no application yet is reminded
 * once, two working days before the 7-working-day limit (remindAt, set when the cause was
 * recorded). The reminder card starts the application in the chat. For the scheduler;
 * idempotent (each draft once, rows claimed so two instances do not both send).
 */
export async function dueApplicationReminders(ds: DataSource, now: Date, opts: ReminderOptions = {}): Promise<ApplicationReminder[]> {
  const tz = opts.tz ?? 'Asia/Shanghai';
  return inTransaction(ds, async (m) => {
    const qb = m
      .getRepository(ExemptionApplication)
      .createQueryBuilder('a')
      .where('a.status = :st', { st: 'draft' })
      .andWhere('a.remindedAt IS NULL')
      .andWhere('a.remindAt <= :now', { now })
      .orderBy('a.id', 'ASC')
      .limit(100);
    const due = await claimLock(qb, ds).getMany();
    const out: ApplicationReminder[] = [];
    for (const a of due) {
      const to = await unitContacts(m, a.unitCode);
      const unit = await m.getRepository(Unit).findOneBy({ code: a.unitCode });
      const card = exemptionStartCard({ nonce: `r${a.id}`, draftId: a.id, unitName: unit?.name ?? a.unitCode, reminder: { due: shortTime(tz, a.dueAt), note: a.note, overdue: now.getTime() > a.dueAt.getTime() } }, now);
      await sendCard(m, to, card, now, { refType: 'exemption_reminder', refId: String(a.id), dedupeKey: `exm-remind-${a.id}` });
      await m.getRepository(ExemptionApplication).update({ id: a.id }, { remindedAt: now });
      out.push({ applicationId: a.id, unitCode: a.unitCode, causeDate: a.causeDate, dueAt: a.dueAt.toISOString(), recipients: to, outcome: to.length ? 'reminded' : 'no_contact' });
    }
    return out;
  });
}

export interface PublicationReminder {
  lastVersion: number | null;
  lastPublishedAt: string | null;
  dueAt: string;
  recipients: string[];
  /** reminded now; already reminded for this month (nothing sent); no office member to tell. */
  outcome: 'reminded' | 'already_reminded' | 'no_recipient';
}

/**
 * Art. 5: the list is published at least every half year. When six months have passed
 * since the last publication (or since the first entry, before any), the office members
 * are reminded, then again each further month. For the scheduler; null when not due.
 */
export async function publicationOverdue(ds: DataSource, now: Date, opts: ReminderOptions = {}): Promise<PublicationReminder | null> {
  const tz = opts.tz ?? 'Asia/Shanghai';
  return inTransaction(ds, async (m) => {
    const last = await latestVersion(m);
    let since: Date;
    if (last) since = last.publishedAt;
    else {
      const first = await m.getRepository(ExemptionEntry).findOne({ where: { createdAt: LessThanOrEqual(now) }, order: { createdAt: 'ASC' } });
      if (!first) return null;
      since = first.createdAt;
    }
    const due = dayjs(since).add(PUBLICATION_MONTHS, 'month');
    if (due.isAfter(now)) return null;
    // one reminder per month overdue
    const period = dayjs(now).diff(due, 'month');
    const members = (await officeMembers(m)).map((s) => s.userid);
    const dedupeKey = `exm-publish-${last?.number ?? 0}-${since.getTime()}-${period}`;
    const already = await m.getRepository(OutboxMessage).findOneBy({ dedupeKey });
    if (!already) {
      await sendText(m, members, MSG.publicationOverdue(last ? shortTime(tz, last.publishedAt).slice(0, 10) : null, shortTime(tz, due.toDate()).slice(0, 10)), now, {
        refType: 'exemption_publication',
        refId: String(last?.number ?? 0),
        dedupeKey,
      });
    }
    return {
      lastVersion: last?.number ?? null,
      lastPublishedAt: last ? last.publishedAt.toISOString() : null,
      dueAt: due.toDate().toISOString(),
      recipients: members,
      outcome: !members.length ? 'no_recipient' : already ? 'already_reminded' : 'reminded',
    };
  });
}

/**
 * The sweep's job: both reminders. Each application is reminded once, at its remindAt (a
 * working morning); the publication reminder once a month from the anniversary of the last
 * publication. Neither needs the working calendar, so a year without calendar data does not
 * hold them back.
 */
export async function exemptionReminders(d: Pick<JobDeps, 'dataSource' | 'config'>, now: Date): Promise<Line[]> {
  const tz = d.config.officeTz;
  const lines: Line[] = (await dueApplicationReminders(d.dataSource, now, { tz })).map((r) => ({ action: 'application_reminder', ...r }));
  const p = await publicationOverdue(d.dataSource, now, { tz });
  if (p && p.outcome !== 'already_reminded') lines.push({ action: 'publication_reminder', ...p });
  return lines;
}
