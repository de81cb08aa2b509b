/**
 * Art. 9: the same complaint received twice (another receiver, another channel, the same
 * citizen again) is linked to the first case, which keeps the handling.
 */
import { EntityManager, In, IsNull, MoreThanOrEqual } from 'typeorm';
import { Complaint } from '../../entities';
import { normaliseName } from '../directory/names';
import { DUPLICATE_MIN_SIMILARITY, DUPLICATE_WINDOW_DAYS, OPEN_STATUSES } from './model';

function comparable(s: string): string[] {
  return Array.from(normaliseName(s));
}

/** Character bigrams; a one-character text is its own single "bigram". */
export function bigrams(s: string): Set<string> {
  const chars = comparable(s);
  const out = new Set<string>();
  if (chars.length === 1) out.add(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  return out;
}

/** Jaccard similarity of character bigrams, 0..1 (punctuation and spaces ignored). */
export function factsSimilarity(a: string, b: string): number {
  const A = bigrams(a);
  const B = bigrams(b);
  if (A.size === 0 || B.size === 0) return 0;
  let common = 0;
  const [small, large] = A.size <= B.size ? [A, B] : [B, A];
  for (const g of small) if (large.has(g)) common++;
  return common / (A.size + B.size - common);
}

export interface DuplicateProbe {
  agencyCode: string | null;
  agencyName: string;
  facts: string;
  phone: string;
  externalUserId: string | null;
  receivedAt: Date;
}

export function sameAgency(a: { agencyCode: string | null; agencyName: string }, b: { agencyCode: string | null; agencyName: string }): boolean {
  if (a.agencyCode && b.agencyCode) return a.agencyCode === b.agencyCode;
  return normaliseName(a.agencyName) === normaliseName(b.agencyName);
}

/**
 * The first open case this one repeats: same citizen (external_userid) or same phone, same
 * agency, facts with bigram Jaccard >= 0.5, received within the 30 days before. Only cases
 * still being handled count: a complaint repeated after a rejection or a result is a new
 * matter for the receiver to judge (Art. 8 covers the malicious repeat).
 */
export async function findOriginal(m: EntityManager, probe: DuplicateProbe): Promise<Complaint | null> {
  const since = new Date(probe.receivedAt.getTime() - DUPLICATE_WINDOW_DAYS * 86_400_000);
  const who: Array<Record<string, unknown>> = [{ complainantPhone: probe.phone }];
  if (probe.externalUserId) who.push({ externalUserId: probe.externalUserId });
  const rows = await m.find(Complaint, {
    where: who.map((w) => ({ ...w, duplicateOf: IsNull(), status: In(OPEN_STATUSES as string[]), receivedAt: MoreThanOrEqual(since) })),
    order: { receivedAt: 'ASC', id: 'ASC' },
    take: 200,
  });
  for (const c of rows) {
    if (!sameAgency(c, probe)) continue;
    if (factsSimilarity(c.facts, probe.facts) >= DUPLICATE_MIN_SIMILARITY) return c;
  }
  return null;
}
