import { AppError } from '../errors';
import { WorkingCalendar } from './working-days';
import { MINUTE_MS, TimeZone, getZone } from './zone';

function zoneOf(calOrTz: WorkingCalendar | string): TimeZone {
  return typeof calOrTz === 'string' ? getZone(calOrTz) : calOrTz.zone;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * ISO-8601 in the office zone with its offset, e.g. "2026-11-27T08:50:00+08:00".
 * Milliseconds are dropped; an offset with seconds (old LMT) is rounded to the minute and the
 * local time shown with that same offset, so the string still names the instant.
 */
export function formatInZone(calOrTz: WorkingCalendar | string, d: Date): string {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new AppError('bad_request', 'cannot format an invalid date');
  const seconds = ms - (((ms % 1000) + 1000) % 1000);
  const offMin = Math.round(zoneOf(calOrTz).offsetMs(seconds) / MINUTE_MS);
  const local = new Date(seconds + offMin * MINUTE_MS).toISOString().slice(0, 19);
  const abs = Math.abs(offMin);
  return `${local}${offMin < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/i;

/**
 * Reads an instant: ISO-8601 with "Z" or an offset (+08:00, +0800, +08), or without offset,
 * then read as wall-clock time in tz. A date alone is rejected: an instant needs a time.
 */
export function parseInstant(s: string, calOrTz: WorkingCalendar | string): Date {
  const bad = (why: string) =>
    new AppError('bad_request', `invalid instant ${JSON.stringify(s)}: ${why}`, { details: { value: s } });
  const m = typeof s === 'string' ? INSTANT_RE.exec(s.trim()) : null;
  if (!m) throw bad('expected ISO-8601 like 2026-11-27T08:50:00+08:00');
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  const msPart = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (y < 1000) throw bad('year out of range');
  if (mo < 1 || mo > 12) throw bad('month out of range');
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth) throw bad('day out of range');
  if (h > 23 || mi > 59 || sec > 59) throw bad('time out of range');
  const localMs = Date.UTC(y, mo - 1, d, h, mi, sec, msPart);
  let ms: number;
  if (m[8]) {
    ms = localMs;
  } else if (m[9]) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) throw bad('offset out of range');
    const sign = m[9] === '-' ? -1 : 1;
    ms = localMs - sign * (oh * 60 + om) * MINUTE_MS;
  } else {
    ms = zoneOf(calOrTz).localToUtc(localMs);
  }
  return new Date(ms);
}

/** "YYYY-MM-DD HH:mm" in the office zone, for people. */
export function shortTime(calOrTz: WorkingCalendar | string, d: Date): string {
  // A card and its texts show one request's deadline several times over: the last answer is kept.
  const zone = zoneOf(calOrTz);
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (lastShort.zone === zone && lastShort.ms === ms) return lastShort.text;
  const text = formatInZone(calOrTz, d).slice(0, 16).replace('T', ' ');
  lastShort = { zone, ms, text };
  return text;
}

let lastShort: { zone: TimeZone | null; ms: number; text: string } = { zone: null, ms: NaN, text: '' };

/** The local date (YYYY-MM-DD) n days after `date` (n may be negative). */
export function addDays(date: string, n = 1): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** YYYY-MM-DD plus n months, the day clamped to the month's end. */
export function addMonths(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${ny}-${pad2(nm)}-${pad2(Math.min(d, last))}`;
}

/** 0 Sunday .. 6 Saturday of a local date. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The Monday (YYYY-MM-DD) of the week containing `date`. */
export function mondayOf(date: string): string {
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}
