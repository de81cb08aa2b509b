import { EntityManager } from 'typeorm';
import { nextDailyNumber } from '../db/daily-counter';
import { WorkingCalendar } from '../calendar';

/** The next case number of the office-local day: TS20261126-0003 (gap-free, see nextDailyNumber). */
export function nextComplaintNumber(m: EntityManager, cal: WorkingCalendar, at: Date): Promise<string> {
  return nextDailyNumber(m, 'TS', cal.localDate(at));
}
