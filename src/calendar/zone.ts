import { AppError } from '../errors';

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** Cached UTC-day offsets; cleared past this size so random far-away instants cannot grow it forever. */
const MAX_CACHED_DAYS = 200_000;

/**
 * UTC offsets of one IANA zone. Intl is consulted at most twice per UTC day (then cached);
 * only a day on which the offset changes (DST) asks Intl per instant.
 */
export class TimeZone {
  readonly name: string;
  private readonly dtf: Intl.DateTimeFormat;
  /** UTC day number -> offset in ms, or NaN when the offset changes during that day. */
  private readonly byUtcDay = new Map<number, number>();

  constructor(name: string) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new AppError('calendar_invalid', 'time zone is empty; expected an IANA name such as Asia/Shanghai');
    }
    try {
      this.dtf = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (cause) {
      throw new AppError('calendar_invalid', `unknown time zone "${name}"; expected an IANA name such as Asia/Shanghai`, {
        details: { tz: name },
        cause,
      });
    }
    this.name = name;
  }

  /** Offset (local minus UTC, ms) in force at the UTC instant `ms`. */
  offsetMs(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    let off = this.byUtcDay.get(day);
    if (off === undefined) {
      const first = this.exactOffset(day * DAY_MS);
      const last = this.exactOffset(day * DAY_MS + DAY_MS - 1);
      off = first === last ? first : NaN;
      if (this.byUtcDay.size >= MAX_CACHED_DAYS) this.byUtcDay.clear();
      this.byUtcDay.set(day, off);
    }
    return off === off ? off : this.exactOffset(ms);
  }

  /**
   * UTC instant of a local wall-clock time given as "local ms" (Date.UTC of the local fields).
   * Ambiguous times (fall back) take the earlier instant; skipped times (spring forward) are
   * moved forward by the gap, like Temporal's "compatible" disambiguation.
   */
  localToUtc(localMs: number): number {
    const before = this.offsetMs(localMs - DAY_MS);
    const after = this.offsetMs(localMs + DAY_MS);
    const t1 = localMs - before;
    if (before === after && this.offsetMs(t1) === before) return t1;
    const t2 = localMs - after;
    const ok1 = this.offsetMs(t1) === before;
    const ok2 = this.offsetMs(t2) === after;
    if (ok1 && ok2) return Math.min(t1, t2);
    if (ok2) return t2;
    return t1;
  }

  private exactOffset(ms: number): number {
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const p of this.dtf.formatToParts(new Date(ms))) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value); break;
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
        default: break;
      }
    }
    const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
    return Date.UTC(y, mo - 1, d, h, mi, s) - wholeSecond;
  }
}

const zones = new Map<string, TimeZone>();

/** One TimeZone per name for the whole process (it only caches pure facts). */
export function getZone(name: string): TimeZone {
  let z = zones.get(name);
  if (!z) {
    z = new TimeZone(name);
    zones.set(name, z);
  }
  return z;
}

/** "YYYY-MM-DD" of a local day number (days since 1970-01-01 in local time). */
export function dayNumToDate(num: number): string {
  return new Date(num * DAY_MS).toISOString().slice(0, 10);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local day number of a "YYYY-MM-DD" string, or NaN when it is not a real calendar date. */
export function dateToDayNum(date: string): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (!m) return NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return NaN;
  return ms / DAY_MS;
}
