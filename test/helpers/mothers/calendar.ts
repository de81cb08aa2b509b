import { buildCalendar, CalendarOptions, formatInZone, parseInstant, WorkingCalendar } from '../../../src/calendar';

export const SHANGHAI = 'Asia/Shanghai';

/** Calendars for tests: the office default is Asia/Shanghai with the SPEC default hours. */
export const CalendarMother = {
  shanghai(opts: Partial<CalendarOptions> = {}): WorkingCalendar {
    return buildCalendar({ tz: SHANGHAI, ...opts });
  },
  inZone(tz: string, opts: Partial<CalendarOptions> = {}): WorkingCalendar {
    return buildCalendar({ ...opts, tz });
  },
};

/** Local wall-clock time in the calendar's zone, e.g. at(cal, '2026-11-26T17:20'). */
export function at(cal: WorkingCalendar, local: string): Date {
  return parseInstant(local, cal);
}

/** Formats in the calendar's zone, so expectations read as office-local times. */
export function show(cal: WorkingCalendar, d: Date): string {
  return formatInZone(cal, d);
}

/** Runs fn and returns what it threw (fails the test when nothing is thrown). */
export function thrown(fn: () => unknown): { code?: string; message: string; details?: unknown } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string; details?: unknown };
  }
  throw new Error('expected an error, nothing was thrown');
}
