import { AppError } from '../errors';

/** One office window in local minutes after midnight, [start, end). */
export interface OfficeRange {
  readonly start: number;
  readonly end: number;
}

/** SPEC "Working time": default office hours 08:30-12:00 and 13:30-17:30. */
export const DEFAULT_OFFICE_HOURS = '08:30-12:00,13:30-17:30';

const RANGE_RE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function minuteOfDay(h: string, m: string, allow24: boolean): number {
  const hh = Number(h);
  const mm = Number(m);
  if (mm > 59) return NaN;
  if (hh < 24) return hh * 60 + mm;
  return allow24 && hh === 24 && mm === 0 ? 1440 : NaN;
}

function invalid(spec: string, why: string): AppError {
  return new AppError('calendar_invalid', `invalid office hours "${spec}": ${why}`, { details: { officeHours: spec } });
}

/**
 * Parses "HH:MM-HH:MM,HH:MM-HH:MM": any number of ranges, in order, not overlapping
 * (touching is allowed); "24:00" may end the last range.
 */
export function parseOfficeHours(spec: string): OfficeRange[] {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw invalid(String(spec), 'expected "HH:MM-HH:MM" ranges separated by commas, e.g. "08:30-12:00,13:30-17:30"');
  }
  const ranges: OfficeRange[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const m = RANGE_RE.exec(part);
    if (!m) throw invalid(spec, `range "${part}" is not HH:MM-HH:MM`);
    const start = minuteOfDay(m[1], m[2], false);
    const end = minuteOfDay(m[3], m[4], true);
    if (Number.isNaN(start) || Number.isNaN(end)) throw invalid(spec, `range "${part}" has a time outside 00:00-24:00`);
    if (end <= start) throw invalid(spec, `range "${part}" does not end after it starts`);
    const prev = ranges[ranges.length - 1];
    if (prev && start < prev.end) {
      throw invalid(spec, `range "${part}" starts before the previous range ends (ranges must be in order and must not overlap)`);
    }
    ranges.push({ start, end });
  }
  return ranges;
}

function hhmm(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/** The canonical string form of parsed office hours. */
export function formatOfficeHours(ranges: readonly OfficeRange[]): string {
  return ranges.map((r) => `${hhmm(r.start)}-${hhmm(r.end)}`).join(',');
}
