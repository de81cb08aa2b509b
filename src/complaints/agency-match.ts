/**
 * Matches what a citizen typed against the unit directory: exact name or alias,
 * substring either way, in-order abbreviation ("人社局" for 人力资源和社会保障局) and
 * character-bigram similarity for typos. Pure; the prepared index is cached per
 * directory array so repeated calls over 500 units stay well under a millisecond.
 */
import { normaliseName } from '../directory/names';

export interface Agency {
  code: string;
  name: string;
  aliases?: string[];
}

export type MatchKind = 'exact' | 'one' | 'several' | 'none';

export interface AgencyCandidate {
  code: string;
  name: string;
  score: number;
}

export interface AgencyMatch {
  kind: MatchKind;
  /** Best first; at most `limit`. Empty for 'none'. */
  candidates: AgencyCandidate[];
}

/** Below this score a unit is not suggested at all. */
export const MIN_SCORE = 0.5;
/** A single suggestion is taken without asking only from this score... */
export const CONFIDENT_SCORE = 0.75;
/** ...and only when the runner-up trails by at least this much. */
export const CONFIDENT_GAP = 0.15;
const NEAR_EXACT_SCORE = 0.95;
const MAX_QUERY_CHARS = 100;

interface Form {
  text: string;
  chars: string[];
  bigrams: Set<string>;
  full: boolean;
}

interface Entry {
  agency: Agency;
  forms: Form[];
}

// Keyed by the directory array; the length check catches an array grown in place.
const cache = new WeakMap<readonly Agency[], { size: number; entries: Entry[] }>();

// "沂源县人社局", "淄博市沂源县公安局": a leading place name is noise for matching.
const REGION_PREFIX = /^[\u4e00-\u9fff]{2,3}(?:省|市|县|区)/;

function variants(normalized: string): Array<{ text: string; full: boolean }> {
  const out = [{ text: normalized, full: true }];
  // County units are named "县…局"; citizens usually drop the "县".
  if (/^[县区]/.test(normalized) && normalized.length > 3) out.push({ text: normalized.slice(1), full: false });
  let t = normalized;
  for (let i = 0; i < 2; i++) {
    const m = REGION_PREFIX.exec(t);
    if (!m || m[0].length >= t.length - 1) break;
    t = t.slice(m[0].length);
    out.push({ text: t, full: false });
  }
  return out;
}

function bigrams(chars: string[]): Set<string> {
  const padded = ['^', ...chars, '$'];
  const set = new Set<string>();
  for (let i = 0; i + 1 < padded.length; i++) set.add(padded[i] + padded[i + 1]);
  return set;
}

function forms(raw: string): Form[] {
  return variants(normaliseName(raw))
    .filter((v) => v.text.length > 0)
    .map((v) => {
      const chars = Array.from(v.text);
      return { text: v.text, chars, bigrams: bigrams(chars), full: v.full };
    });
}

function prepare(agencies: readonly Agency[]): Entry[] {
  const hit = cache.get(agencies);
  if (hit && hit.size === agencies.length) return hit.entries;
  const entries = agencies.map((agency) => ({
    agency,
    forms: [agency.name, ...(agency.aliases ?? [])].flatMap(forms),
  }));
  cache.set(agencies, { size: agencies.length, entries });
  return entries;
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (large.has(g)) common++;
  return (2 * common) / (a.size + b.size);
}

function isSubsequence(q: string[], t: string[]): boolean {
  let j = 0;
  for (let i = 0; i < t.length && j < q.length; i++) if (t[i] === q[j]) j++;
  return j === q.length;
}

function score(q: Form, t: Form): number {
  if (q.text === t.text) return q.full && t.full ? 1 : 0.97;
  const ql = q.chars.length;
  const tl = t.chars.length;
  let best = 0.9 * dice(q.bigrams, t.bigrams);
  if (ql >= 2 && t.text.includes(q.text)) best = Math.max(best, 0.8 + 0.15 * (ql / tl));
  if (tl >= 2 && q.text.includes(t.text)) best = Math.max(best, 0.75 + 0.15 * (tl / ql));
  if (ql >= 2 && ql < tl && isSubsequence(q.chars, t.chars)) {
    // Abbreviations keep the unit-type suffix (局, 所, 中心...): same last character counts.
    const sameLast = q.chars[ql - 1] === t.chars[tl - 1] ? 0.12 : 0;
    best = Math.max(best, 0.6 + sameLast + 0.2 * (ql / tl));
  }
  return best;
}

export function matchAgency(text: string, agencies: readonly Agency[], limit = 5): AgencyMatch {
  const query = forms(Array.from(text).slice(0, MAX_QUERY_CHARS).join(''));
  if (query.length === 0) return { kind: 'none', candidates: [] };
  const scored: AgencyCandidate[] = [];
  for (const entry of prepare(agencies)) {
    let best = 0;
    for (const q of query) for (const t of entry.forms) best = Math.max(best, score(q, t));
    if (best >= MIN_SCORE) scored.push({ code: entry.agency.code, name: entry.agency.name, score: round(best) });
  }
  scored.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'zh'));
  const candidates = scored.slice(0, Math.max(1, limit));
  if (candidates.length === 0) return { kind: 'none', candidates: [] };
  const [top, second] = scored;
  const exact = scored.filter((c) => c.score === 1);
  if (exact.length === 1) return { kind: 'exact', candidates: [exact[0]] };
  // The same name once the leading "县" or place name is dropped is as good as exact.
  const nearExact = scored.filter((c) => c.score >= NEAR_EXACT_SCORE);
  if (exact.length === 0 && nearExact.length === 1) return { kind: 'one', candidates: [nearExact[0]] };
  if (exact.length === 0 && top.score >= CONFIDENT_SCORE && (!second || top.score - second.score >= CONFIDENT_GAP)) {
    return { kind: 'one', candidates: [top] };
  }
  return { kind: 'several', candidates };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
