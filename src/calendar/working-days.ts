import { AppError } from '../errors';
import { coveredYears, HolidaySource, PACKAGE_HOLIDAYS } from './holiday-data';
import { DEFAULT_OFFICE_HOURS, formatOfficeHours, OfficeRange, parseOfficeHours } from './office-hours';
import { derivedHolidays, LAST_DERIVABLE_YEAR } from './statutory';
import { DAY_MS, MINUTE_MS, TimeZone, dateToDayNum, dayNumToDate, getZone } from './zone';

/** The office marks one date as working or not; it wins over the package (SPEC "Working time"). */
export interface CalendarOverride {
  date: string;
  working: boolean;
}

export interface CalendarOptions {
  /** IANA zone of the office, e.g. "Asia/Shanghai"; local dates and office hours are read in it. */
  tz: string;
  /** Default "08:30-12:00,13:30-17:30". */
  officeHours?: string;
  overrides?: ReadonlyArray<CalendarOverride>;
  /**
   * Years the office has entered by hand (package has no data yet). Such a year is
   * Monday-Friday working, weekends off, then `overrides` on top, so the office must enter
   * that year's holidays and make-up days as overrides before listing it here.
   */
  manualYears?: ReadonlyArray<number>;
}

/** null when enough calendar is left, else the last known date and the whole days until it. */
export type CoverageWarning = { lastKnownDate: string; daysLeft: number } | null;

/** One local day; `windows` holds office windows as flat UTC ms pairs [open, close, open, close...]. */
export interface LocalDay {
  readonly num: number;
  readonly date: string;
  readonly working: boolean;
  readonly windows: readonly number[];
  /** True in a derived year: the answer comes from the holiday regulation, not a State Council notice. */
  readonly provisional: boolean;
}

/** Days since 1970-01-01 -> 0 Sunday .. 6 Saturday (1970-01-01 was a Thursday). */
function weekday(num: number): number {
  return (((num + 4) % 7) + 7) % 7;
}

function validMs(d: Date, what: string): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new AppError('bad_request', `${what} is not a valid date`);
  return ms;
}

function yearOfDayNum(num: number): number {
  return new Date(num * DAY_MS).getUTCFullYear();
}

/**
 * Working days and office hours of one office, built from data (SPEC "Working time").
 * A year is known when covered by the holiday package or listed in `manualYears`. A later
 * year without data is derived (provisional) from the national holiday regulation, see
 * statutory.ts; a year before the first known one throws 'deadline_calendar_missing_year'.
 * Overrides apply on top, but do not by themselves make a year known.
 */
export class WorkingCalendar {
  readonly tz: string;
  /** Canonical office hours string, e.g. "08:30-12:00,13:30-17:30". */
  readonly officeHours: string;
  readonly officeRanges: readonly OfficeRange[];
  /** @internal */
  readonly zone: TimeZone;
  private readonly years: ReadonlySet<number>;
  private readonly sortedYears: readonly number[];
  private readonly source: HolidaySource;
  private readonly overrides: ReadonlyMap<string, boolean>;
  private readonly days = new Map<number, LocalDay>();
  private readonly derived = new Map<number, ReadonlySet<string>>();

  constructor(opts: CalendarOptions, source: HolidaySource = PACKAGE_HOLIDAYS) {
    if (!opts || typeof opts !== 'object') throw new AppError('calendar_invalid', 'calendar options are missing');
    this.zone = getZone(opts.tz);
    this.tz = opts.tz;
    this.officeRanges = Object.freeze(parseOfficeHours(opts.officeHours ?? DEFAULT_OFFICE_HOURS));
    this.officeHours = formatOfficeHours(this.officeRanges);
    this.source = source;

    const overrides = new Map<string, boolean>();
    for (const o of opts.overrides ?? []) {
      if (!o || Number.isNaN(dateToDayNum(o.date)) || typeof o.working !== 'boolean') {
        throw new AppError('calendar_invalid', `invalid calendar override ${JSON.stringify(o)}; expected { date: "YYYY-MM-DD", working: boolean }`, {
          details: { override: o },
        });
      }
      const prev = overrides.get(o.date);
      if (prev !== undefined && prev !== o.working) {
        throw new AppError('calendar_invalid', `calendar override for ${o.date} says both working and not working`, {
          details: { date: o.date },
        });
      }
      overrides.set(o.date, o.working);
    }
    this.overrides = overrides;

    const years = new Set<number>(coveredYears(source));
    for (const y of opts.manualYears ?? []) {
      if (!Number.isInteger(y) || y < 1000 || y > 9999) {
        throw new AppError('calendar_invalid', `invalid manual calendar year ${JSON.stringify(y)}`, { details: { year: y } });
      }
      years.add(y);
    }
    if (years.size === 0) throw new AppError('calendar_invalid', 'the working-day calendar has no known year');
    this.years = years;
    this.sortedYears = Object.freeze([...years].sort((a, b) => a - b));
  }

  /** SPEC "Working time": weekends off, public holidays off, make-up days on, office overrides win. */
  isWorkingDay(date: string): boolean {
    const num = dateToDayNum(date);
    if (Number.isNaN(num)) throw new AppError('bad_request', `invalid date "${date}"; expected YYYY-MM-DD`);
    return this.localDay(num).working;
  }

  /** A year answered from the holiday regulation (no State Council data, not entered by hand). */
  isDerivedYear(year: number): boolean {
    return !this.years.has(year) && year > this.sortedYears[0] && year <= LAST_DERIVABLE_YEAR;
  }

  /** Of the current and the next local year, those that are derived (the office is told weekly). */
  derivedYearsAround(now: Date): number[] {
    const year = yearOfDayNum(this.localDayNumAt(validMs(now, 'now')));
    return [year, year + 1].filter((y) => this.isDerivedYear(y));
  }

  knownYears(): number[] {
    return [...this.sortedYears];
  }

  /** 31 December of the latest known year. */
  lastKnownDate(): string {
    return `${this.sortedYears[this.sortedYears.length - 1]}-12-31`;
  }

  /**
   * SPEC "Working time": warn before the calendar runs out. `daysLeft` counts whole days from
   * today (local) to the last day of the run of consecutive known years containing today;
   * it is negative when the calendar already ran out. Warns when daysLeft < days.
   */
  coverageWarning(now: Date, days = 60): CoverageWarning {
    const today = this.localDayNumAt(validMs(now, 'now'));
    let year = yearOfDayNum(today);
    let last: number;
    if (this.years.has(year)) {
      while (this.years.has(year + 1)) year++;
      last = year;
    } else {
      const earlier = this.sortedYears.filter((y) => y < year);
      last = earlier.length > 0 ? earlier[earlier.length - 1] : year - 1;
    }
    const lastKnownDate = `${last}-12-31`;
    const daysLeft = dateToDayNum(lastKnownDate) - today;
    return daysLeft < days ? { lastKnownDate, daysLeft } : null;
  }

  /** Local "YYYY-MM-DD" of an instant (answers for any year). */
  localDate(d: Date): string {
    return dayNumToDate(this.localDayNumAt(validMs(d, 'date')));
  }

  /** @internal Local day number (days since 1970-01-01 in tz) of a UTC instant. */
  localDayNumAt(ms: number): number {
    return Math.floor((ms + this.zone.offsetMs(ms)) / DAY_MS);
  }

  /** @internal The local day containing the instant; throws when its year is unknown. */
  localDayAt(ms: number): LocalDay {
    return this.localDay(Math.floor((ms + this.zone.offsetMs(ms)) / DAY_MS));
  }

  /** @internal Cached per local day: working flag and office-window instants. */
  localDay(num: number): LocalDay {
    const hit = this.days.get(num);
    if (hit) return hit;
    const date = dayNumToDate(num);
    const year = Number(date.slice(0, 4));
    const provisional = this.isDerivedYear(year);
    if (!this.years.has(year) && !provisional) {
      const first = this.sortedYears[0];
      const lastYear = this.sortedYears[this.sortedYears.length - 1];
      throw new AppError(
        'deadline_calendar_missing_year',
        `no working-day calendar for year ${year} (known years: ${first}-${lastYear}${this.sortedYears.length !== lastYear - first + 1 ? ', with gaps' : ''})`,
        { details: { year, knownYears: this.knownYears() } },
      );
    }
    const working = this.workingFlag(date, num, provisional ? this.derivedOff(year) : null);
    const windows: number[] = [];
    if (working) {
      const midnight = num * DAY_MS;
      for (const r of this.officeRanges) {
        windows.push(this.zone.localToUtc(midnight + r.start * MINUTE_MS), this.zone.localToUtc(midnight + r.end * MINUTE_MS));
      }
    }
    const day: LocalDay = Object.freeze({ num, date, working, windows: Object.freeze(windows), provisional });
    this.days.set(num, day);
    return day;
  }

  private derivedOff(year: number): ReadonlySet<string> {
    let off = this.derived.get(year);
    if (!off) {
      off = new Set(derivedHolidays(year).map((h) => h.date));
      this.derived.set(year, off);
    }
    return off;
  }

  private workingFlag(date: string, num: number, derivedOff: ReadonlySet<string> | null): boolean {
    const override = this.overrides.get(date);
    if (override !== undefined) return override;
    if (derivedOff) return !derivedOff.has(date) && weekday(num) !== 0 && weekday(num) !== 6;
    if (Object.prototype.hasOwnProperty.call(this.source.workdays, date)) return true;
    if (Object.prototype.hasOwnProperty.call(this.source.holidays, date)) return false;
    const wd = weekday(num);
    return wd !== 0 && wd !== 6;
  }
}

export function buildCalendar(opts: CalendarOptions): WorkingCalendar {
  return new WorkingCalendar(opts);
}
