/**
 * Which agency a citizen means: unit-name mentions found inside a sentence, resolved
 * through the office's alias table (派出所 -> 县公安局) and the unit directory, ranked,
 * at most three. A URL or a whole sentence is never taken as a name. Pure.
 */
import { type Agency, type AgencyCandidate, matchAgency } from '../agency-match';
import { AGENCY_BOUNDARIES, AGENCY_SUFFIXES, DEFAULT_AGENCY_ALIASES } from './tables';
import { charLength, fold, longestFirst } from './text';

/** Alias word -> the name the unit is filed under. */
export type AliasTable = Readonly<Record<string, string>>;

export interface AgencyGuess {
  /** The directory name when resolved, otherwise the alias target or the words as typed. */
  name: string;
  /** Directory code, or null when the directory does not know the unit. */
  code: string | null;
  /** How it was found: a directory match, an alias, or only the words the citizen used. */
  via: 'directory' | 'alias' | 'text';
  /** The words in the message that named it. */
  mention: string;
  score: number;
}

export type AgencyNameProblem = 'url' | 'sentence';

export interface AgencyOptions {
  directory?: readonly Agency[];
  /** The office's own aliases, merged over DEFAULT_AGENCY_ALIASES (theirs win). */
  aliases?: AliasTable;
  limit?: number;
}

export const MAX_AGENCY_GUESSES = 3;
/** A directory suggestion below this is noise inside a sentence. */
const MIN_DIRECTORY_SCORE = 0.6;
/** A directory match at least this good resolves an alias target. */
const ALIAS_RESOLVE_SCORE = 0.75;
const ALIAS_SCORE = 0.9;
const TEXT_SCORE = 0.4;
const MAX_MENTION = 16;

const URL = /(?:https?:\/\/|www\.)\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|gov|html?|php)(?:[/?#]\S*)?/gi;
const SENTENCE_WORDS = ['我', '他们', '你们', '怎么', '为什么', '不给', '没有', '要求', '非要', '因为', '但是', '结果', '说'];

export function containsUrl(raw: string): boolean {
  URL.lastIndex = 0;
  return URL.test(fold(raw));
}

/**
 * Why the message as a whole cannot be recorded as the agency's name: it is (or holds) a
 * URL, or it is a sentence rather than a name. Null for something that reads as a name.
 * Candidates may still be found inside a refused message; they are offered, the text is not kept.
 */
export function agencyNameProblem(raw: string): AgencyNameProblem | null {
  const s = fold(raw);
  if (containsUrl(s)) return 'url';
  const len = charLength(s);
  if (len > 30) return 'sentence';
  if (/[，。！？!?；;,]./u.test(s) && len > 8) return 'sentence';
  if (len > 5 && SENTENCE_WORDS.some((w) => s.includes(w))) return 'sentence';
  return null;
}

const SUFFIXES = longestFirst(AGENCY_SUFFIXES);
const SUFFIX_ENDS = new Set(AGENCY_SUFFIXES.map((x) => x[x.length - 1]));
const BOUNDARIES = longestFirst(AGENCY_BOUNDARIES);
const NOT_UNITS = ['结局', '布局', '格局', '当局', '饭局', '骗局', '局面', '中心思想'];

/** Unit-name mentions in order: words ending in a unit suffix, cut after the last boundary word. */
export function agencyMentions(raw: string): string[] {
  const s = fold(raw).replace(URL, ' ');
  const out: string[] = [];
  for (const run of s.match(/[\u3400-\u9fff]+/g) ?? []) {
    let start = 0;
    for (let i = 1; i <= run.length; i++) {
      if (!SUFFIX_ENDS.has(run[i - 1])) continue;
      const suffix = SUFFIXES.find((x) => i >= x.length && run.slice(i - x.length, i) === x);
      if (!suffix) continue;
      let body = run.slice(start, i);
      let cut = 0;
      for (const b of BOUNDARIES) {
        const at = body.lastIndexOf(b, body.length - suffix.length - b.length);
        if (at >= 0 && at + b.length > cut && at + b.length <= body.length - suffix.length) cut = at + b.length;
      }
      body = body.slice(cut).replace(/^(?:和|与|及|还有|以及)/, '');
      if (body.length > MAX_MENTION) body = body.slice(-MAX_MENTION);
      start = i;
      if (body.length < 2 || NOT_UNITS.some((n) => body.endsWith(n))) continue;
      out.push(body);
    }
  }
  return [...new Set(out)];
}

// Alias targets are few and the directory changes rarely: remember each lookup per directory array.
const targets = new WeakMap<readonly Agency[], { size: number; hits: Map<string, AgencyCandidate | undefined> }>();

function aliasTarget(target: string, directory: readonly Agency[]): AgencyCandidate | undefined {
  let memo = targets.get(directory);
  if (!memo || memo.size !== directory.length) {
    memo = { size: directory.length, hits: new Map() };
    targets.set(directory, memo);
  }
  if (!memo.hits.has(target)) memo.hits.set(target, matchAgency(target, directory, 1).candidates[0]);
  return memo.hits.get(target);
}

export function mergeAliases(extra?: AliasTable): AliasTable {
  return extra ? { ...DEFAULT_AGENCY_ALIASES, ...extra } : DEFAULT_AGENCY_ALIASES;
}

/**
 * Up to three agencies the message names, best first. Each mention is looked up in the
 * directory (exact, abbreviation, similarity) and through the alias table; a mention the
 * directory does not know is still returned, with code null, so that the office can be
 * told about it.
 */
export function findAgencies(raw: string, opts: AgencyOptions = {}): AgencyGuess[] {
  const directory = opts.directory ?? [];
  const aliases = mergeAliases(opts.aliases);
  const aliasKeys = longestFirst(Object.keys(aliases));
  const limit = opts.limit ?? MAX_AGENCY_GUESSES;
  const guesses: AgencyGuess[] = [];

  const resolve = (target: string, mention: string, score: number): void => {
    const hit = directory.length ? aliasTarget(target, directory) : undefined;
    if (hit && hit.score >= ALIAS_RESOLVE_SCORE) guesses.push({ name: hit.name, code: hit.code, via: 'alias', mention, score });
    else guesses.push({ name: target, code: null, via: 'alias', mention, score: score - 0.05 });
  };

  const mentions = agencyMentions(raw);
  const covered: string[] = [];
  for (const m of mentions) {
    let best = 0;
    if (directory.length) {
      for (const c of matchAgency(m, directory, limit).candidates) {
        if (c.score < MIN_DIRECTORY_SCORE) continue;
        guesses.push({ name: c.name, code: c.code, via: 'directory', mention: m, score: c.score });
        best = Math.max(best, c.score);
      }
    }
    const key = aliasKeys.find((k) => m.includes(k));
    if (key) {
      resolve(aliases[key], m, ALIAS_SCORE);
      covered.push(key);
    } else if (best < ALIAS_RESOLVE_SCORE) {
      guesses.push({ name: m, code: null, via: 'text', mention: m, score: TEXT_SCORE });
    }
  }

  // Alias words outside any unit-name mention ("投诉不动产那个", "人社的").
  let rest = fold(raw).replace(URL, ' ');
  for (const m of mentions) rest = rest.split(m).join(' ');
  for (const key of aliasKeys) {
    if (!rest.includes(key) || covered.includes(key)) continue;
    rest = rest.split(key).join(' ');
    resolve(aliases[key], key, ALIAS_SCORE - 0.05);
  }

  const byName = new Map<string, AgencyGuess & { order: number }>();
  guesses.forEach((g, order) => {
    const prev = byName.get(g.name);
    if (!prev || g.score > prev.score) byName.set(g.name, { ...g, order: prev ? prev.order : order });
  });
  // Confident guesses keep the order the citizen named them in; weaker ones follow by score.
  const band = (g: AgencyGuess): number => (g.score >= ALIAS_RESOLVE_SCORE + 0.1 ? 1 : g.score);
  return [...byName.values()]
    .sort((a, b) => band(b) - band(a) || a.order - b.order || b.score - a.score)
    .slice(0, limit)
    .map(({ order: _order, ...g }) => g);
}
