import { Between, DataSource } from 'typeorm';
import { z } from 'zod';
import { CalendarDay } from '../../entities';
import { AppError } from '../errors';
import { sqliteSerial } from '../db/tx';
import { addDays, PACKAGE_HOLIDAYS, WorkingCalendar } from '../calendar';
import { derivedHolidays } from '../calendar/statutory';
import type { CalendarStore } from './store';

export const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An override as the office sends it (API body, console form). */
export const dayBody = z.object({ working: z.boolean(), note: z.string().max(100).optional() }).strict();

/** Why a day is what it is: an office override, a holiday, a make-up working day (调休), a plain weekday or weekend. */
export type DayKind = 'override' | 'holiday' | 'makeup' | 'workday' | 'weekend';

export interface CalendarDayView {
  date: string;
  /** null: the year is unknown (before the first known year). */
  working: boolean | null;
  source: 'override' | 'calendar' | 'unknown';
  kind: DayKind | null;
  /** Counted from the holiday regulation (no State Council data for the year). */
  provisional: boolean;
  note?: string;
  updatedBy?: string;
  updatedAt?: Date;
}

export interface CalendarRange {
  tz: string;
  officeHours: string;
  knownYears: number[];
  lastKnownDate: string;
  warning: ReturnType<WorkingCalendar['coverageWarning']>;
  /** Of this year and the next, those derived from the regulation. */
  derivedYears: number[];
  days: CalendarDayView[];
}

function isWeekend(date: string): boolean {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  return wd === 0 || wd === 6;
}

/** A derived year's days off (pure arithmetic of the regulation, so kept once per year). */
const derivedCache = new Map<number, ReadonlySet<string>>();
function derivedOff(year: number): ReadonlySet<string> {
  let off = derivedCache.get(year);
  if (!off) derivedCache.set(year, (off = new Set(derivedHolidays(year).map((h) => h.date))));
  return off;
}

/** Why a (non-overridden) day of a known or derived year is working or not. */
function kindOf(date: string, working: boolean, provisional: boolean): DayKind {
  const weekend = isWeekend(date);
  if (provisional) {
    if (derivedOff(Number(date.slice(0, 4))).has(date)) return 'holiday';
  } else {
    if (working && weekend) return 'makeup';
    if (!working && (!weekend || Object.prototype.hasOwnProperty.call(PACKAGE_HOLIDAYS.holidays, date))) return 'holiday';
  }
  return working ? 'workday' : 'weekend';
}

/**
 * The calendar of [from, to] (at most 367 days) as the office keeps it: each day working or
 * not and why, the overrides with who set them, office hours and the coverage warning.
 * Both the API (`GET /api/v1/calendar`) and the console read it here.
 */
export async function calendarRange(ds: DataSource, store: CalendarStore, from: string, to: string, now: Date): Promise<CalendarRange> {
  if (!DATE.test(from) || !DATE.test(to) || to < from) throw new AppError('bad_request', 'from and to must be dates YYYY-MM-DD, from <= to');
  if (addDays(from, 366) < to) throw new AppError('bad_request', 'at most 366 days at once');
  const cal = await store.get();
  const overrides = new Map((await ds.getRepository(CalendarDay).findBy({ date: Between(from, to) })).map((d) => [d.date, d]));
  const days: CalendarDayView[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const o = overrides.get(d);
    let working: boolean | null = null;
    try {
      working = cal.isWorkingDay(d);
    } catch {
      working = null;
    }
    const provisional = cal.isDerivedYear(Number(d.slice(0, 4)));
    if (o) days.push({ date: d, working, source: 'override', kind: 'override', provisional, note: o.note, updatedBy: o.updatedBy, updatedAt: o.updatedAt });
    else days.push({ date: d, working, source: working === null ? 'unknown' : 'calendar', kind: working === null ? null : kindOf(d, working, provisional), provisional });
  }
  return {
    tz: cal.tz,
    officeHours: cal.officeHours,
    knownYears: cal.knownYears(),
    lastKnownDate: cal.lastKnownDate(),
    warning: cal.coverageWarning(now),
    derivedYears: cal.derivedYearsAround(now),
    days,
  };
}

/** The office marks a date working or not (SPEC "Working time"); validated by a calendar build first. */
export async function setOverride(ds: DataSource, store: CalendarStore, date: string, working: boolean, note: string, by: string, now: Date): Promise<void> {
  if (!DATE.test(date)) throw new AppError('bad_request', 'date must be YYYY-MM-DD');
  await sqliteSerial(ds, () => store.setDay(date, working, note, by, now));
}

/** Removes the office's override of a date: the package (or the regulation) answers again. */
export async function removeOverride(ds: DataSource, store: CalendarStore, date: string): Promise<void> {
  if (!DATE.test(date)) throw new AppError('bad_request', 'date must be YYYY-MM-DD');
  const res = await sqliteSerial(ds, () => ds.getRepository(CalendarDay).delete({ date }));
  if (!res.affected) throw new AppError('not_found', `no override for ${date}`);
  store.invalidate();
}
