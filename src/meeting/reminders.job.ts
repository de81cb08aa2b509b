import { Between } from 'typeorm';
import { JointMeeting, JointMeetingUnit, SchedulerState } from '../../entities';
import { inTransaction, isUniqueViolation } from '../db/tx';
import { addMonths, formatInZone, inOfficeHours, parseInstant } from '../calendar';
import { REMINDER_TEXT_REF, queueGroupMarkdown, sendCard, sendText } from '../wecom/messaging';
import { officeMembers, unitLiaisons } from '../directory/who';
import { JobDeps } from '../module';
import { Line, claimOnce, isClaimed } from '../scheduler';
import { meetingReminderCard } from '../../cards/meeting.card';
import { REF, cardViewOf, lastRegularMeeting, upcomingRegularMeeting } from './service';
import { TEXT } from './messages';

export const WEEK_MS = 7 * 24 * 3600_000;
/** 联席会议制度 三(一): "原则上每半年召开一次例会". */
export const MAX_MONTHS_WITHOUT_MEETING = 6;
export const CLOCK_KEY = 'meeting.clock_start';

/**
 * SPEC 5: a week before a meeting, every member unit's liaisons get a reminder (once per
 * meeting, a scheduler claim); when six months pass without a regular meeting and none is
 * scheduled, the office is reminded (once a month while it lasts). Office hours only.
 */
export async function meetingReminders(d: JobDeps, now: Date): Promise<Line[]> {
  const cal = await d.calendar();
  if (!inOfficeHours(cal, now)) return [];
  const lines: Line[] = [];
  const soon = await d.dataSource.getRepository(JointMeeting).find({ where: { status: 'scheduled', scheduledAt: Between(now, new Date(now.getTime() + WEEK_MS)) }, order: { scheduledAt: 'ASC' } });
  for (const meeting of soon) {
    const key = `meeting:${meeting.id}:week-reminder`;
    if (await isClaimed(d.dataSource.manager, key)) continue;
    try {
      const line = await inTransaction(d.dataSource, async (m) => {
        await claimOnce(m, key, 'meeting-reminders', now);
        const view = await cardViewOf(m, d.config, meeting);
        const card = meetingReminderCard(view, now);
        const units = await m.getRepository(JointMeetingUnit).find({ where: { meetingId: meeting.id }, order: { unitCode: 'ASC' } });
        const told: string[] = [];
        for (const u of units) {
          for (const s of await unitLiaisons(m, u.unitCode, cal.localDate(now))) {
            await sendCard(m, s.userid, card, now, { refType: REF.reminder, refId: String(meeting.id), dedupeKey: `${key}:${s.userid}` });
            told.push(s.userid);
          }
          await m.getRepository(JointMeetingUnit).update({ id: u.id }, { remindedAt: now });
        }
        return { action: 'meeting_reminder', meetingId: meeting.id, to: told };
      });
      lines.push(line);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  const overdue = await sixMonthCheck(d, now);
  if (overdue) lines.push(overdue);
  return lines;
}

async function sixMonthCheck(d: JobDeps, now: Date): Promise<Line | null> {
  const ds = d.dataSource;
  const cal = await d.calendar();
  if (await upcomingRegularMeeting(ds.manager, now)) return null;
  const last = await lastRegularMeeting(ds.manager, now);
  let since: Date;
  if (last) since = last.scheduledAt;
  else {
    // No meeting yet: the six months run from the first time the system looked.
    let row = await ds.getRepository(SchedulerState).findOneBy({ key: CLOCK_KEY });
    if (!row) {
      try {
        await ds.getRepository(SchedulerState).insert({ key: CLOCK_KEY, value: now.toISOString(), updatedAt: now, updatedBy: null });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
      row = await ds.getRepository(SchedulerState).findOneByOrFail({ key: CLOCK_KEY });
    }
    since = new Date(row.value);
    if (since.getTime() > now.getTime()) return null;
  }
  const dueDate = addMonths(cal.localDate(since), MAX_MONTHS_WITHOUT_MEETING);
  if (now.getTime() < parseInstant(`${dueDate}T00:00:00`, cal).getTime()) return null;
  const key = `meeting-overdue:${last?.id ?? 'none'}:${cal.localDate(now).slice(0, 7)}`;
  if (await isClaimed(ds.manager, key)) return null;
  try {
    return await inTransaction(ds, async (m) => {
      await claimOnce(m, key, 'meeting-reminders', now);
      const lastDate = last ? formatInZone(cal, last.scheduledAt).slice(0, 10) : null;
      const text = TEXT.overdue(MAX_MONTHS_WITHOUT_MEETING, lastDate);
      const sent = await queueGroupMarkdown(m, d.config, text, now, { id: key, dedupeKey: key });
      const members = await officeMembers(m, { presentOn: cal.localDate(now) });
      for (const s of members) await sendText(m, s.userid, text, now, { refType: REMINDER_TEXT_REF, refId: key, dedupeKey: `${key}:${s.userid}` });
      return { action: 'meeting_overdue', lastMeetingId: last?.id ?? null, group: sent?.channel ?? 'none', to: members.map((s) => s.userid) };
    });
  } catch (e) {
    if (isUniqueViolation(e)) return null;
    throw e;
  }
}
