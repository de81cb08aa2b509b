import type { Staff, StaffRole, AbRole } from '../../entities/Staff';

/** Field formats shared by the API and the file import. */
export const UNIT_CODE_RE = /^[A-Za-z0-9_.\-]{1,40}$/;
/** WeCom userid characters (WECOM.md section 8). */
export const USERID_RE = /^[A-Za-z0-9_.\-@]{1,64}$/;
export const MOBILE_RE = /^\+?[0-9][0-9\- ]{4,19}$/;
export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isValidDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Away today: flagged, and no until-date or one not yet passed (inclusive, office-local). */
export function isAway(s: Pick<Staff, 'away' | 'awayUntil'>, today: string): boolean {
  return !!s.away && (s.awayUntil === null || s.awayUntil === undefined || s.awayUntil >= today);
}

/** Art. 6 minimum: 1 liaison, 2 deputies, an A and a B. */
export type GapFlag = 'no_liaison' | 'too_few_deputies' | 'no_deputy_a' | 'no_deputy_b';

export interface UnitStrength {
  liaisons: number;
  deputies: number;
  deputiesA: number;
  deputiesB: number;
  gaps: GapFlag[];
}

/** SPEC 1 Art. 6: a unit below the minimum still works but is flagged for the office. */
export function unitStrength(staff: Array<{ role: StaffRole | string; ab: AbRole | null }>, isOffice = false): UnitStrength {
  const liaisons = staff.filter((s) => s.role === 'liaison').length;
  const deputies = staff.filter((s) => s.role === 'deputy');
  const deputiesA = deputies.filter((s) => s.ab === 'A').length;
  const deputiesB = deputies.filter((s) => s.ab === 'B').length;
  const gaps: GapFlag[] = [];
  if (!isOffice) {
    if (liaisons < 1) gaps.push('no_liaison');
    if (deputies.length < 2) gaps.push('too_few_deputies');
    if (deputiesA < 1) gaps.push('no_deputy_a');
    if (deputiesB < 1) gaps.push('no_deputy_b');
  }
  return { liaisons, deputies: deputies.length, deputiesA, deputiesB, gaps };
}
