import { AppError } from '../errors';
import { WorkingCalendar } from './working-days';
import { MINUTE_MS } from './zone';

/** SPEC 1 Art. 7 answer categories. */
export type DeadlineCategory = 'digital' | 'paper' | 'historical';
export const DEADLINE_CATEGORIES: readonly DeadlineCategory[] = Object.freeze(['digital', 'paper', 'historical']);

/** How a deadline is counted: office minutes, or the close of the Nth working day after the start day. */
export type DeadlineRule =
  | { readonly kind: 'office_minutes'; readonly minutes: number }
  | { readonly kind: 'end_of_working_day'; readonly days: number };

export type DeadlineRules = Readonly<Record<DeadlineCategory, DeadlineRule>>;

/** SPEC 1 Art. 7: 30 minutes (digital), 1 working day (paper), 2 working days (historical). */
export const DEFAULT_DEADLINE_RULES: DeadlineRules = Object.freeze({
  digital: Object.freeze({ kind: 'office_minutes', minutes: 30 }),
  paper: Object.freeze({ kind: 'end_of_working_day', days: 1 }),
  historical: Object.freeze({ kind: 'end_of_working_day', days: 2 }),
});

export interface Deadline {
  dueAt: Date;
  /**
   * Stable description, e.g. "digital:30_office_minutes", "paper:end_of_working_day+1";
   * ending in ";provisional" when a derived year was counted.
   */
  rule: string;
  /** Counted on a year derived from the holiday regulation: recomputed once the real calendar is in. */
  provisional: boolean;
}

/** Marks a deadline rule counted on a derived (provisional) year. */
export const PROVISIONAL_SUFFIX = ';provisional';

export function isProvisionalRule(rule: string | null | undefined): boolean {
  return typeof rule === 'string' && rule.endsWith(PROVISIONAL_SUFFIX);
}

/** Whether any local day from the start day to the due day lies in a derived year. */
function countedOnDerivedYear(cal: WorkingCalendar, startMs: number, dueMs: number): boolean {
  const from = Number(cal.localDate(new Date(startMs)).slice(0, 4));
  const to = Number(cal.localDate(new Date(dueMs)).slice(0, 4));
  for (let y = from; y <= to; y++) if (cal.isDerivedYear(y)) return true;
  return false;
}

function toMs(d: Date, what: string): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new AppError('bad_request', `${what} is not a valid date`);
  return ms;
}

/** Adds `ms` office milliseconds to `startMs`; with 0 it returns the next office instant. */
function addOfficeMs(cal: WorkingCalendar, startMs: number, ms: number): number {
  let remaining = ms;
  // Ends: an unknown year throws 'deadline_calendar_missing_year' and known years are finite.
  for (let num = cal.localDayNumAt(startMs); ; num++) {
    const w = cal.localDay(num).windows;
    for (let i = 0; i < w.length; i += 2) {
      const close = w[i + 1];
      if (close <= startMs) continue;
      const from = w[i] > startMs ? w[i] : startMs;
      const avail = close - from;
      if (remaining <= avail) return from + remaining;
      remaining -= avail;
    }
  }
}

function officeMsBetween(cal: WorkingCalendar, a: number, b: number): number {
  if (b <= a) return 0;
  let total = 0;
  const lastNum = cal.localDayNumAt(b - 1);
  for (let num = cal.localDayNumAt(a); num <= lastNum; num++) {
    const w = cal.localDay(num).windows;
    for (let i = 0; i < w.length; i += 2) {
      const from = w[i] > a ? w[i] : a;
      const to = w[i + 1] < b ? w[i + 1] : b;
      if (to > from) total += to - from;
    }
  }
  return total;
}

/**
 * SPEC "Working time": a deadline in minutes runs in office minutes only; a start outside
 * office hours starts counting at the next window opening (17:20 + 30 -> 08:50 next working day).
 * Millisecond precision; a result may be a window's close (17:20 + 10 -> 17:30).
 */
export function addOfficeMinutes(cal: WorkingCalendar, start: Date, minutes: number): Date {
  const startMs = toMs(start, 'start');
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) {
    throw new AppError('bad_request', `office minutes must be a finite number >= 0, got ${String(minutes)}`);
  }
  return new Date(addOfficeMs(cal, startMs, Math.round(minutes * MINUTE_MS)));
}

/** Office minutes inside [a, b) (fractional when a or b is not on a whole minute); 0 when b <= a. */
export function officeMinutesBetween(cal: WorkingCalendar, a: Date, b: Date): number {
  return officeMsBetween(cal, toMs(a, 'a'), toMs(b, 'b')) / MINUTE_MS;
}

/**
 * The earliest instant at which `fraction` (0..1) of the office time between start and due has
 * elapsed (reminders at 50% and 90%). It may be a window's close, e.g. 12:00; hold it with
 * nextOfficeInstant if it must fall inside office hours.
 */
export function pointAtFraction(cal: WorkingCalendar, start: Date, due: Date, fraction: number): Date {
  const startMs = toMs(start, 'start');
  const dueMs = toMs(due, 'due');
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw new AppError('bad_request', `fraction must be between 0 and 1, got ${String(fraction)}`);
  }
  const total = officeMsBetween(cal, startMs, dueMs);
  if (total === 0) return new Date(Math.max(startMs, dueMs));
  return new Date(addOfficeMs(cal, startMs, Math.round(total * fraction)));
}

/**
 * SPEC "Working time": "within N working days" ends at the close of office hours on the Nth
 * working day after the day it started; the start day never counts, working or not.
 */
export function endOfWorkingDay(cal: WorkingCalendar, start: Date, n: number): Date {
  return new Date(endOfWorkingDayMs(cal, toMs(start, 'start'), n));
}

function endOfWorkingDayMs(cal: WorkingCalendar, startMs: number, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new AppError('bad_request', `working days must be an integer >= 1, got ${String(n)}`);
  let count = 0;
  for (let num = cal.localDayNumAt(startMs) + 1; ; num++) {
    const day = cal.localDay(num);
    if (day.working && ++count === n) return day.windows[day.windows.length - 1];
  }
}

/** t itself when inside office hours on a working day, else the next window opening. */
export function nextOfficeInstant(cal: WorkingCalendar, t: Date): Date {
  return new Date(addOfficeMs(cal, toMs(t, 't'), 0));
}

/** True when `now` lies inside office hours on a working day. */
export function inOfficeHours(cal: WorkingCalendar, now: Date): boolean {
  return nextOfficeInstant(cal, now).getTime() === now.getTime();
}

/** The stable `rule` string of a deadline rule. */
export function describeRule(category: DeadlineCategory, rule: DeadlineRule): string {
  return rule.kind === 'office_minutes'
    ? `${category}:${rule.minutes}_office_minutes`
    : `${category}:end_of_working_day+${rule.days}`;
}

const DEFAULT_RULE_NAMES: Readonly<Record<DeadlineCategory, string>> = Object.freeze({
  digital: describeRule('digital', DEFAULT_DEADLINE_RULES.digital),
  paper: describeRule('paper', DEFAULT_DEADLINE_RULES.paper),
  historical: describeRule('historical', DEFAULT_DEADLINE_RULES.historical),
});

/** SPEC 1 Art. 7: when the issuing unit must answer a request registered at `start`. */
export function computeDeadline(
  cal: WorkingCalendar,
  category: DeadlineCategory,
  start: Date,
  rules?: Partial<DeadlineRules>,
): Deadline {
  if (!Object.prototype.hasOwnProperty.call(DEFAULT_DEADLINE_RULES, category)) {
    throw new AppError('bad_request', `unknown deadline category "${String(category)}"; expected ${DEADLINE_CATEGORIES.join(', ')}`);
  }
  const fallback = DEFAULT_DEADLINE_RULES[category];
  const custom = rules?.[category];
  const rule = custom ?? fallback;
  const startMs = toMs(start, 'start');
  let dueMs: number;
  if (rule.kind === 'office_minutes') {
    if (!Number.isFinite(rule.minutes) || rule.minutes <= 0) {
      throw new AppError('calendar_invalid', `deadline rule for ${category}: minutes must be > 0, got ${String(rule.minutes)}`);
    }
    dueMs = addOfficeMs(cal, startMs, Math.round(rule.minutes * MINUTE_MS));
  } else if (rule.kind === 'end_of_working_day') {
    if (!Number.isInteger(rule.days) || rule.days < 1) {
      throw new AppError('calendar_invalid', `deadline rule for ${category}: days must be an integer >= 1, got ${String(rule.days)}`);
    }
    dueMs = endOfWorkingDayMs(cal, startMs, rule.days);
  } else {
    throw new AppError('calendar_invalid', `deadline rule for ${category} has an unknown kind`, { details: { rule } });
  }
  const provisional = countedOnDerivedYear(cal, startMs, dueMs);
  const name = custom === undefined ? DEFAULT_RULE_NAMES[category] : describeRule(category, rule);
  return { dueAt: new Date(dueMs), rule: provisional ? `${name}${PROVISIONAL_SUFFIX}` : name, provisional };
}
