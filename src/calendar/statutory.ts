import { getSolarDateFromLunar, getSolarTermDate } from 'chinese-days';
import { AppError } from '../errors';

/** The package's lunar tables end with this year; later years are not derived. */
export const LAST_DERIVABLE_YEAR = 2100;

export type StatutoryFestival = 'new_year' | 'spring_festival' | 'qingming' | 'labour_day' | 'dragon_boat' | 'mid_autumn' | 'national_day';

/** One day off in a derived year: a statutory day, or the make-up day (补假) for one on a weekend. */
export interface DerivedHoliday {
  readonly date: string;
  readonly festival: StatutoryFestival;
  readonly kind: 'statutory' | 'make_up';
}

function shift(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function isWeekend(date: string): boolean {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  return wd === 0 || wd === 6;
}

/** Solar date of a lunar month/day in lunar year `year` (the non-leap month). */
function lunar(year: number, month: number, day: number): string {
  return getSolarDateFromLunar(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`).date;
}

/**
 * The statutory holidays of one year (全国年节及纪念日放假办法, as amended in 2024, Art. 2):
 * New Year 1 day, Spring Festival 4 (New Year's Eve to the 3rd day), Qingming 1, Labour Day 2,
 * Dragon Boat 1, Mid-Autumn 1, National Day 3. The Eve is the day before the 1st of the
 * first month: the package maps a 30th that a short twelfth month lacks to the next 1st.
 */
export function statutoryDays(year: number): Array<{ festival: StatutoryFestival; dates: string[] }> {
  if (!Number.isInteger(year) || year < 1901 || year > LAST_DERIVABLE_YEAR) {
    throw new AppError('deadline_calendar_missing_year', `statutory holidays cannot be derived for year ${String(year)}`, { details: { year } });
  }
  const springDay1 = lunar(year, 1, 1);
  return [
    { festival: 'new_year', dates: [`${year}-01-01`] },
    { festival: 'spring_festival', dates: [shift(springDay1, -1), springDay1, shift(springDay1, 1), shift(springDay1, 2)] },
    { festival: 'qingming', dates: [getSolarTermDate(year, 4, 'pure_brightness')] },
    { festival: 'labour_day', dates: [`${year}-05-01`, `${year}-05-02`] },
    { festival: 'dragon_boat', dates: [lunar(year, 5, 5)] },
    { festival: 'mid_autumn', dates: [lunar(year, 8, 15)] },
    { festival: 'national_day', dates: [`${year}-10-01`, `${year}-10-02`, `${year}-10-03`] },
  ];
}

/**
 * Every day off of a year without State Council data: the statutory days, and for each one
 * on a Saturday or Sunday a make-up day (补假) on the first working day after that holiday
 * (Art. 6). A statutory day that coincides with another festival's (Mid-Autumn within
 * National Day) is made up the same way, as the State Council did in 2020. No weekend is
 * made a working day: only the State Council's notice does that.
 */
export function derivedHolidays(year: number): DerivedHoliday[] {
  const festivals = statutoryDays(year).sort((a, b) => a.dates[0].localeCompare(b.dates[0]));
  const off = new Map<string, DerivedHoliday>();
  for (const f of festivals) for (const date of f.dates) if (!off.has(date)) off.set(date, { date, festival: f.festival, kind: 'statutory' });
  for (const f of festivals) {
    // Owed: its days on a weekend, and its days another festival already holds.
    let owed = f.dates.filter((d) => isWeekend(d) || off.get(d)?.festival !== f.festival).length;
    let d = f.dates[f.dates.length - 1];
    while (owed > 0) {
      d = shift(d, 1);
      if (isWeekend(d) || off.has(d)) continue;
      off.set(d, { date: d, festival: f.festival, kind: 'make_up' });
      owed--;
    }
  }
  return [...off.values()].sort((a, b) => a.date.localeCompare(b.date));
}
