/**
 * Pure checks for what a citizen types into WeChat Customer Service.
 * Lengths are counted in Unicode code points (what a person sees as characters);
 * WeCom limits are counted in UTF-8 bytes (WECOM.md section 6), hence both helpers.
 */

export type TextProblem = 'empty' | 'binary' | 'emoji_only' | 'punctuation_only' | 'too_short' | 'too_long';

export type TextCheck =
  | { ok: true; value: string }
  | { ok: false; problem: TextProblem; length: number };

// C0 controls except tab, LF and CR; DEL; C1 controls.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// U+FFFD is what a broken decoder leaves behind; U+FFFE/FFFF are non-characters;
// a lone surrogate means the text was cut in the middle of a character.
const BROKEN = /[\uFFFD\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INVISIBLE = /[\u200B-\u200F\u2060\uFEFF]/g;
// WeChat sends its built-in faces as bracketed words, e.g. "[微笑]" or "[Smile]".
const WECHAT_FACE = /\[[\u4e00-\u9fffA-Za-z]{1,6}\]/g;
const MEANINGFUL = /[\p{L}\p{N}]/gu;
const EMOJI = /\p{Extended_Pictographic}/u;
const WECHAT_FACE_ONE = /\[[\u4e00-\u9fffA-Za-z]{1,6}\]/;

export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts `s` so that it takes at most `maxBytes` UTF-8 bytes, never inside a character. */
export function truncateUtf8(s: string, maxBytes: number, ellipsis = '…'): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  const budget = maxBytes - utf8Bytes(ellipsis);
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = utf8Bytes(ch);
    if (used + b > budget) break;
    out += ch;
    used += b;
  }
  return out + ellipsis;
}

/** Shortens to `maxChars` characters for display, marking the cut. */
export function clip(s: string, maxChars: number): string {
  const chars = Array.from(s);
  return chars.length <= maxChars ? s : chars.slice(0, maxChars).join('') + '…';
}

export function isBinaryLooking(s: string): boolean {
  return CONTROL.test(s) || BROKEN.test(s);
}

/** Letters and digits, after dropping WeChat face codes: what carries meaning. */
export function meaningfulLength(s: string): number {
  return (s.replace(WECHAT_FACE, '').match(MEANINGFUL) ?? []).length;
}

/**
 * Classifies a free-text answer. `min` counts letters/digits, `max` counts all characters.
 * The value returned is trimmed, with CRLF folded to LF and invisible characters removed.
 */
export function checkText(raw: string, opts: { min?: number; max: number }): TextCheck {
  const min = opts.min ?? 1;
  if (isBinaryLooking(raw)) return { ok: false, problem: 'binary', length: charLength(raw) };
  const value = raw.replace(/\r\n?/g, '\n').replace(INVISIBLE, '').trim();
  const length = charLength(value);
  if (length === 0) return { ok: false, problem: 'empty', length };
  if (length > opts.max) return { ok: false, problem: 'too_long', length };
  const meaningful = meaningfulLength(value);
  // "???" is punctuation, not a face: only call it an emoji when there is one.
  if (meaningful === 0) return { ok: false, problem: EMOJI.test(value) || WECHAT_FACE_ONE.test(value) ? 'emoji_only' : 'punctuation_only', length };
  if (meaningful < min) return { ok: false, problem: 'too_short', length };
  return { ok: true, value };
}

/** True when the text has at least one letter or digit and nothing binary-looking. */
export function isMeaningfulText(raw: string): boolean {
  return checkText(raw, { min: 1, max: Number.POSITIVE_INFINITY }).ok;
}

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * Mainland mobile (11 digits, 1[3-9]) or landline (area code 0 + 2-3 digits, number 7-8 digits).
 * Returns the canonical form ("13812345678", "0533-1234567") or null.
 * Without a separator the area code length follows the national plan: 010 and 02x are
 * three digits, all others four.
 */
export function normalizePhone(raw: string): string | null {
  if (isBinaryLooking(raw)) return null;
  const s = raw.normalize('NFKC').replace(INVISIBLE, '').trim();
  if (s.length === 0 || s.length > 40 || /\p{L}/u.test(s)) return null;
  const digits = s.replace(/[\s\-()]/g, '').replace(/^(?:\+86|0086|86)(?=1[3-9]\d{9}$)/, '');
  if (MOBILE.test(digits)) return digits;
  if (!/^[\d\s\-()]+$/.test(s)) return null;
  const compact = s.replace(/\s/g, '');
  if (/[-()]/.test(compact)) {
    const m = /^\(?(0\d{2,3})(?:\)-?|-)(\d{7,8})$/.exec(compact);
    return m ? `${m[1]}-${m[2]}` : null;
  }
  const areaLen = /^0[12]/.test(compact) ? 3 : 4;
  const m = new RegExp(`^(0\\d{${areaLen - 1}})(\\d{7,8})$`).exec(compact);
  return m ? `${m[1]}-${m[2]}` : null;
}

export function isValidPhone(raw: string): boolean {
  return normalizePhone(raw) !== null;
}

export function hasLetters(raw: string): boolean {
  return /\p{L}/u.test(raw.normalize('NFKC'));
}

/** 138****1234 for mobiles, 0533-***4567 for landlines; anything else keeps only its last 4 digits. */
export function maskPhone(raw: string): string {
  const p = normalizePhone(raw);
  if (p && MOBILE.test(p)) return `${p.slice(0, 3)}****${p.slice(7)}`;
  if (p) {
    const [area, num] = p.split('-');
    return `${area}-${'*'.repeat(num.length - 4)}${num.slice(-4)}`;
  }
  const d = raw.replace(/\D/g, '');
  return d.length <= 4 ? '*'.repeat(d.length) : '*'.repeat(d.length - 4) + d.slice(-4);
}
