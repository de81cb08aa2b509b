/**
 * Exemption lookup (SPEC 2 Art. 12): turns a citizen's question into search terms.
 * Question words are stripped ("办低保还要不要开收入证明？" -> 低保, 收入证明) and each
 * term is widened with the synonym table (失业金 -> 失业保险金). Pure.
 */
import { DEFAULT_SYNONYMS, GENERIC_TERMS, LEADING_VERBS, QUESTION_WORDS } from './tables';
import { fold, longestFirst } from './text';

/** Citizen's word -> the list's wordings. */
export type SynonymTable = Readonly<Record<string, readonly string[]>>;

const QUESTIONS = longestFirst(QUESTION_WORDS);
const VERBS = longestFirst(LEADING_VERBS);
const MAX_TERMS = 8;

export function mergeSynonyms(extra?: SynonymTable): SynonymTable {
  if (!extra) return DEFAULT_SYNONYMS;
  const out: Record<string, readonly string[]> = { ...DEFAULT_SYNONYMS };
  for (const [k, v] of Object.entries(extra)) out[k] = [...new Set([...(out[k] ?? []), ...v])];
  return out;
}

/** The concepts of a question, question words and leading verbs removed: "办低保还要不要开收入证明" -> [低保, 收入证明]. */
export function coreTerms(text: string): string[] {
  let s = fold(text).replace(/[\s\p{P}\p{S}]+/gu, '|');
  for (const q of QUESTIONS) s = s.split(q).join('|');
  const out: string[] = [];
  for (let chunk of s.split(/[|的和与及或、]+/)) {
    for (let changed = true; changed; ) {
      changed = false;
      for (const v of VERBS) {
        if (chunk.startsWith(v) && chunk.length > v.length + 1) {
          chunk = chunk.slice(v.length);
          changed = true;
        }
      }
    }
    chunk = chunk.replace(/(?:这个|那个|一个|一下|时候|的时候|手续|业务|事情)$/, '').replace(/(?:还要|还得|要|得|需|还)$/, '');
    if (Array.from(chunk).length >= 2 && !GENERIC_TERMS.includes(chunk)) out.push(chunk);
  }
  return [...new Set(out)];
}

/**
 * Each concept with its synonyms, the citizen's own word first: a search may require one
 * match per group. "失业金" -> [[失业金, 失业保险金]].
 */
export function searchGroups(text: string, extra?: SynonymTable): string[][] {
  const table = mergeSynonyms(extra);
  const keys = longestFirst(Object.keys(table));
  return coreTerms(text).map((term) => {
    const group = [term];
    for (const k of keys) {
      if (!term.includes(k)) continue;
      for (const syn of table[k]) {
        group.push(term.replace(k, syn));
        group.push(syn);
      }
    }
    // "收入证明" is listed as 家庭收入情况证明 as often as not: search the head too.
    const head = term.replace(/证明$/, '');
    if (head !== term && Array.from(head).length >= 2) group.push(head);
    return [...new Set(group)];
  });
}

/** All search terms for a question, the citizen's words first, then the list's wordings. */
export function expandSearchTerms(text: string, extra?: SynonymTable): string[] {
  const groups = searchGroups(text, extra);
  const out: string[] = [];
  for (const g of groups) out.push(g[0]);
  for (const g of groups) out.push(...g.slice(1));
  return [...new Set(out)].slice(0, MAX_TERMS);
}
