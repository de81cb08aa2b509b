import { EntityManager } from 'typeorm';
import { WorkingCalendar } from '../calendar';
import { periodOf } from '../calendar/period';
import { automaticByMonth } from '../supervision/automatic';
import { AUTO_TEXT, AutomaticChart, automaticSection } from './views/automatic.view';

/**
 * The dashboard's 秒核 figure over `months` (YYYY-MM, oldest first, the last one the current
 * month): the supervision figures' own query, scoped to the viewer's unit when it sees one.
 */
export async function automaticChartData(m: EntityManager, cal: WorkingCalendar, now: Date, months: string[], unit?: string): Promise<AutomaticChart> {
  if (!months.length) return { months, series: [] };
  const rows = await automaticByMonth(m, cal, periodOf(cal, now, `${months[0]}-01`, cal.localDate(now)), unit);
  const keys = [...new Set(rows.map((r) => r.unit))].filter((k) => !unit || k === unit);
  const series = keys.map((k) => {
    const of = months.map((mo) => rows.find((r) => r.month === mo && r.unit === k));
    return {
      name: k ? (of.find(Boolean)?.name ?? k) : AUTO_TEXT.all,
      shares: of.map((r) => (r?.automaticShare == null ? null : Math.round(r.automaticShare * 1000) / 10)),
      requests: of.map((r) => r?.requests ?? 0),
      automatic: of.map((r) => r?.automaticAnswers ?? 0),
    };
  });
  return { months, series };
}

/** The dashboard card, ready to place. */
export async function automaticCard(m: EntityManager, cal: WorkingCalendar, now: Date, months: string[], unit?: string): Promise<string> {
  return automaticSection(await automaticChartData(m, cal, now, months, unit));
}
