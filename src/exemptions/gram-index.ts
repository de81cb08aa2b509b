/** Case- and width-insensitive form used for matching (ａ/Ａ/A all read as a). */
export function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

const SEP = '\u0000';
const EMPTY = new Int32Array(0);

/** Sorted intersection of two ascending lists. */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out[n++] = a[i];
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out.subarray(0, n);
}

/**
 * Substring search over short texts (service item + certificate) by character unigrams
 * and bigrams: Chinese has no word boundaries, and a bigram index answers "contains"
 * for one- and two-character terms exactly and narrows longer ones to a few candidates
 * that are then checked. Documents are numbered 0..n-1; results come back in that order.
 * Each document is several fields; a term never matches across two fields.
 */
export class GramIndex {
  private readonly postings = new Map<string, Int32Array>();
  private readonly docs: string[];

  constructor(fields: string[][]) {
    this.docs = fields.map((f) => f.map(fold).join(SEP));
    const tmp = new Map<string, number[]>();
    this.docs.forEach((doc, i) => {
      const chars = [...doc];
      const seen = new Set<string>();
      for (let k = 0; k < chars.length; k++) {
        if (chars[k] === SEP) continue;
        seen.add(chars[k]);
        if (k + 1 < chars.length && chars[k + 1] !== SEP) seen.add(chars[k] + chars[k + 1]);
      }
      for (const g of seen) {
        const list = tmp.get(g);
        if (list) list.push(i);
        else tmp.set(g, [i]);
      }
    });
    for (const [g, list] of tmp) this.postings.set(g, Int32Array.from(list));
  }

  get size(): number {
    return this.docs.length;
  }

  /** Documents containing every term (each within one field), ascending. */
  search(terms: string[]): Int32Array {
    const folded = terms.map((t) => fold(t).split(SEP).join('')).filter(Boolean);
    if (!folded.length) return Int32Array.from(this.docs.keys());
    let result: Int32Array | null = null;
    const verify: string[] = [];
    // the rarest gram first keeps every intersection small
    const lists: Int32Array[] = [];
    for (const t of folded) {
      const chars = [...t];
      if (chars.length === 1) lists.push(this.postings.get(t) ?? EMPTY);
      else {
        for (let k = 0; k + 1 < chars.length; k++) lists.push(this.postings.get(chars[k] + chars[k + 1]) ?? EMPTY);
        if (chars.length > 2) verify.push(t);
      }
    }
    lists.sort((a, b) => a.length - b.length);
    for (const l of lists) {
      result = result === null ? l : intersect(result, l);
      if (!result.length) return EMPTY;
    }
    if (!verify.length) return result!;
    const out = new Int32Array(result!.length);
    let n = 0;
    for (const i of result!) if (verify.every((t) => this.docs[i].includes(t))) out[n++] = i;
    return out.subarray(0, n);
  }
}
