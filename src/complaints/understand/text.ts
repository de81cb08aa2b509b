/**
 * Text helpers shared by the understanding functions: normalisation, Chinese numerals,
 * the long-story split. Pure.
 */
import { TRAILING_PARTICLES } from './tables';
import { normaliseName } from '../../directory/names';

/** NFKC (full-width digits and letters become ASCII), lower case, trimmed. */
export function fold(s: string): string {
  return s.normalize('NFKC').replace(/[\u200B-\u200F\u2060\uFEFF]/g, '').toLowerCase().trim();
}

/** `fold` without spaces, punctuation and symbols: what whole-word matching compares. */
export function squash(s: string): string {
  return normaliseName(s);
}

/** Drops trailing modal particles ("继续吧" -> "继续", "好的呀" -> "好的" -> "好"), keeping at least one character. */
export function dropParticles(w: string): string[] {
  const out = [w];
  let t = w;
  while (t.length > 1 && TRAILING_PARTICLES.some((p) => t.endsWith(p))) {
    t = t.slice(0, -1);
    out.push(t);
  }
  return out;
}

export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4, 五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9 };

/** 一 .. 九十九 (and 十, 二十, 十五) as a number; null for anything else. */
export function chineseNumber(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  if (s.length === 0 || s.length > 3) return null;
  if (s.length === 1) {
    if (s === '十' || s === '拾') return 10;
    return CN_DIGITS[s] ?? null;
  }
  const m = /^([一二两三四五六七八九]?)[十拾]([一二三四五六七八九]?)$/.exec(s);
  if (m) return (m[1] ? CN_DIGITS[m[1]] : 1) * 10 + (m[2] ? CN_DIGITS[m[2]] : 0);
  return null;
}

/**
 * A message that is only a choice number: "1", "１", "一", "第一个", "选2", "2号", "No.3".
 * Returns the 1-based number, or null.
 */
export function parseChoiceNumber(raw: string): number | null {
  const w = squash(raw);
  const m = /^(?:选|选择|我选|就|no)?第?([0-9]{1,2}|[一二两三四五六七八九十拾壹贰叁肆伍陆柒捌玖]{1,3})(?:个|项|条|种|号|个吧|吧|个选项)?$/.exec(w);
  if (!m) return null;
  const n = chineseNumber(m[1]);
  return n !== null && n >= 1 && n <= 99 ? n : null;
}

/** The longest entry of `words` that `text` contains, with its position; null if none. */
export function longestContained(text: string, words: Iterable<string>): { word: string; index: number } | null {
  let best: { word: string; index: number } | null = null;
  for (const w of words) {
    if (w.length === 0) continue;
    const i = text.indexOf(w);
    if (i >= 0 && (!best || w.length > best.word.length)) best = { word: w, index: i };
  }
  return best;
}

export function containsAny(text: string, words: readonly string[]): boolean {
  return words.some((w) => text.includes(w));
}

/** Longest-first copy of a word list, for greedy longest-match scanning. */
export function longestFirst(words: Iterable<string>): string[] {
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

export const CJK = /[\u3400-\u9fff]/;

/** Default size of one part of a long story (the facts field holds 1000 characters). */
export const STORY_PART_CHARS = 1000;

export interface SplitText {
  /** The first `max` characters (code points), trimmed of trailing spaces. */
  first: string;
  /** The remainder, or null when the text fits. */
  rest: string | null;
  /** Characters of the whole text. */
  length: number;
}

/**
 * Keeps the first `max` characters of an over-long story and hands back the rest, so the
 * citizen can be asked whether it becomes a second part (nothing is thrown away). Cuts
 * never split a character; when a sentence ends within the last 100 characters before
 * the limit, the cut is made there instead.
 */
export function splitLongText(text: string, max = STORY_PART_CHARS): SplitText {
  const chars = Array.from(text.trim());
  if (chars.length <= max) return { first: chars.join(''), rest: null, length: chars.length };
  let cut = max;
  for (let i = max; i > max - 100 && i > 0; i--) {
    if (/[。！？!?；;\n]/.test(chars[i - 1])) {
      cut = i;
      break;
    }
  }
  const first = chars.slice(0, cut).join('').trimEnd();
  const rest = chars.slice(cut).join('').trim();
  return { first, rest: rest.length > 0 ? rest : null, length: chars.length };
}
