/**
 * The comparable form of a unit, agency or person name, and of a typed command word: NFKC
 * (full-width letters and digits fold to ASCII), lower case, without spaces, punctuation,
 * symbols or invisible characters. Two names are "the same" when these forms are equal.
 */
export function normaliseName(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}\p{Cc}\p{Cf}]/gu, '');
}
