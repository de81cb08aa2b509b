import { WorkingCalendar } from './working-days';
import { addDays, parseInstant } from './format';
import { AppError } from '../errors';

/** A real date YYYY-MM-DD (no 2026-02-30). */
function isLocalDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Midnight (office zone) at the start of a local date. */
export function dayStart(cal: WorkingCalendar, date: string): Date {
  return parseInstant(`${date}T00:00:00`, cal);
}

export interface Period {
  from: string;
  /** Inclusive last date. */
  to: string;
  start: Date;
  /** Exclusive end instant. */
  end: Date;
}

/** A period of whole local days [from, to]; defaults: the current month up to today. */
export function periodOf(cal: WorkingCalendar, now: Date, from?: string, to?: string): Period {
  const today = cal.localDate(now);
  const f = from ?? `${today.slice(0, 8)}01`;
  const t = to ?? today;
  for (const [k, v] of [['from', f], ['to', t]] as const) if (!isLocalDate(v)) throw new AppError('validation_failed', `${k} must be a date YYYY-MM-DD`);
  if (t < f) throw new AppError('validation_failed', 'to lies before from');
  if (Date.parse(t) - Date.parse(f) > 3 * 366 * 86_400_000) throw new AppError('validation_failed', 'a period spans at most three years');
  return { from: f, to: t, start: dayStart(cal, f), end: dayStart(cal, addDays(t)) };
}
