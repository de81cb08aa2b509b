/**
 * GB 11643-1999 citizen identity number: 6-digit region, 8-digit birth date, 3-digit
 * sequence, and an ISO 7064 MOD 11-2 check character (0-9 or X).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** Upper-cases a trailing x and trims; does not validate. */
export function normaliseIdNumber(s: string): string {
  return s.trim().toUpperCase();
}

/** True for a well-formed 18-character number with a real birth date and the right check character. */
export function isValidIdNumber(raw: string): boolean {
  const s = normaliseIdNumber(raw);
  if (!/^[1-9]\d{16}[\dX]$/.test(s)) return false;
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false;
  return idCheckChar(s.slice(0, 17)) === s[17];
}
