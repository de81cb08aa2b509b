import { Escalation, VerificationRequest } from '../../entities';
import { inTransaction, isUniqueViolation } from '../db/tx';
import { addDays, mondayOf, parseInstant } from '../calendar';
import { periodOf } from '../calendar/period';
import { queueGroupMarkdown } from '../wecom/messaging';
import { JobDeps } from '../module';
import { Line, claimOnce, isClaimed, setClaimDetail } from '../scheduler';
import { verificationStats } from './stats';
import { WEEKLY } from './messages';
import { unitsWithGaps } from '../directory/gaps';
import { GAP_TEXT } from '../directory/messages';

/** Monday 09:00 (office zone); when Monday is a holiday, 09:00 of the week's first working day. */
export const WEEKLY_AT = '09:00';

/**
 * SPEC 1 Art. 13: last week's figures in the office group, once per week (a scheduler
 * claim per week), from Monday 09:00 on, with the units still below the Art. 6 minimum.
 * Without a group the summary is recorded only (the claim's detail holds the figures).
 */
export async function weeklySummary(d: JobDeps, now: Date): Promise<Line[]> {
  const cal = await d.calendar();
  const monday = mondayOf(cal.localDate(now));
  let sendDay = monday;
  try {
    for (let i = 0; i < 7; i++) {
      const day = addDays(monday, i);
      if (cal.isWorkingDay(day)) {
        sendDay = day;
        break;
      }
    }
  } catch {
    // Unknown calendar year: fall back to Monday.
  }
  if (now.getTime() < parseInstant(`${sendDay}T${WEEKLY_AT}:00`, cal).getTime()) return [];
  const key = `weekly-summary:${monday}`;
  if (await isClaimed(d.dataSource.manager, key)) return [];
  const from = addDays(monday, -7);
  const to = addDays(monday, -1);
  try {
    return await inTransaction(d.dataSource, async (m) => {
      const claim = await claimOnce(m, key, 'weekly-summary', now);
      const s = await verificationStats(m, periodOf(cal, now, from, to), now);
      const open = await m
        .getRepository(Escalation)
        .createQueryBuilder('e')
        .innerJoin(VerificationRequest, 'r', 'r.id = e.request_id AND r.status IN (:...st)', { st: ['pending', 'accepted', 'returning'] })
        .select('COUNT(DISTINCT e.request_id)', 'n')
        .getRawOne<{ n: string | number }>();
      const worst = s.units.filter((u) => u.overdue > 0).slice(0, 5);
      const gaps = await unitsWithGaps(m);
      const content = [
        WEEKLY.title(from, to),
        WEEKLY.totals(s.totals.requests, s.totals.onTimeRate, s.totals.overdue, s.totals.exempted),
        WEEKLY.times(s.totals.medianMinutes, s.totals.p90Minutes),
        ...(worst.length ? [WEEKLY.worstHeader, ...worst.map((u) => WEEKLY.worstLine(u.name, u.overdue, u.onTimeRate))] : [WEEKLY.noOverdue]),
        WEEKLY.openEscalations(Number(open?.n ?? 0), `${d.config.publicUrl}/console/`),
        ...(gaps.length ? [GAP_TEXT.weeklyHeader, ...gaps.map((u) => GAP_TEXT.weeklyLine(u.name, u.gaps))] : []),
      ].join('\n');
      const sent = await queueGroupMarkdown(m, d.config, content, now, { id: key, dedupeKey: key });
      const delivered = sent?.channel ?? 'none';
      await setClaimDetail(m, claim, { delivered, period: s.period, totals: s.totals, gaps: gaps.map((u) => ({ unit: u.code, gaps: u.gaps })) });
      return [{ action: 'weekly_summary', week: monday, delivered }];
    });
  } catch (e) {
    if (isUniqueViolation(e)) return [];
    throw e;
  }
}
