import { IsNull, Not } from 'typeorm';
import { JointMeeting, JointMeetingDecision } from '../../entities';
import { inTransaction } from '../db/tx';
import { inOfficeHours } from '../calendar';
import { sendText } from '../wecom/messaging';
import { JobDeps } from '../module';
import { Line } from '../scheduler';
import { meetingRecipients } from './members';
import { sendProgressCard } from './decisions';
import { REF } from './service';
import { CARD, TEXT } from './messages';

/** SPEC 5: how often a responsible unit is reminded while its progress is not in. */
export const PROGRESS_PERIOD_MS = 7 * 24 * 3600_000;

/**
 * SPEC 5: each responsible unit reports progress on its decisions and is reminded, once per
 * period from the minutes, until it does. The reminder time is claimed by a conditional
 * update, so two sweeps at once send it once. Office hours only.
 */
export async function progressReminders(d: JobDeps, now: Date): Promise<Line[]> {
  const cal = await d.calendar();
  if (!inOfficeHours(cal, now)) return [];
  const ds = d.dataSource;
  const open = await ds.getRepository(JointMeetingDecision).find({ where: { consensus: true, unitCode: Not(IsNull()), progressAt: IsNull() }, order: { id: 'ASC' } });
  const lines: Line[] = [];
  for (const dec of open) {
    const meeting = await ds.getRepository(JointMeeting).findOneBy({ id: dec.meetingId });
    if (!meeting?.minutesSentAt) continue;
    const since = dec.remindedAt ?? meeting.minutesSentAt;
    if (now.getTime() - since.getTime() < PROGRESS_PERIOD_MS) continue;
    const line = await inTransaction(ds, async (m) => {
      const qb = m.createQueryBuilder().update(JointMeetingDecision).set({ remindedAt: now }).where('id = :id AND progress_at IS NULL', { id: dec.id });
      if (dec.remindedAt) qb.andWhere('reminded_at = :r', { r: dec.remindedAt });
      else qb.andWhere('reminded_at IS NULL');
      if ((await qb.execute()).affected !== 1) return null;
      const today = cal.localDate(now);
      const to = await meetingRecipients(m, dec.unitCode!, today);
      const tag = String(now.getTime());
      for (const userid of to) {
        await sendText(m, userid, TEXT.progressReminder(meeting.title, dec.text, dec.dueDate ?? CARD.progressNoDue), now, { refType: REF.text, refId: String(dec.id), dedupeKey: `meeting-progress-reminder:${dec.id}:${tag}:${userid}` });
      }
      await sendProgressCard(m, meeting, dec, today, tag, now);
      return { action: 'meeting_progress_reminder', decisionId: dec.id, unit: dec.unitCode, to };
    });
    if (line) lines.push(line);
  }
  return lines;
}
