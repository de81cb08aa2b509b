import { DataSource, EntityManager } from 'typeorm';
import { ExemptionVersion, ExemptionVersionEntry } from '../../entities';
import type { ExemptionMethod } from '../../entities/ExemptionEntry';
import type { DeadlineCategory } from '../calendar';
import { GramIndex } from './gram-index';

/** The newest published version, or null before the first publication (Art. 5). */
export async function latestVersion(m: EntityManager | DataSource): Promise<ExemptionVersion | null> {
  return m.getRepository(ExemptionVersion).createQueryBuilder('v').orderBy('v.number', 'DESC').limit(1).getOne();
}

/** The latest version's identity only, in one plain indexed query (per search request). */
async function latestHead(m: EntityManager | DataSource): Promise<{ id: number; number: number; publishedAt: Date; digest: string } | null> {
  const rows: Array<{ id: number | string; number: number | string; published_at: Date | string; digest: string }> = await m.query(
    'SELECT id, number, published_at, digest FROM exemption_versions ORDER BY number DESC LIMIT 1',
  );
  if (!rows.length) return null;
  const r = rows[0];
  const at = r.published_at instanceof Date ? r.published_at : new Date(`${String(r.published_at).replace(' ', 'T')}Z`);
  return { id: Number(r.id), number: Number(r.number), publishedAt: at, digest: r.digest };
}

export interface VerificationEntryView {
  id: number;
  serviceItem: string;
  certificate: string;
  requesterUnit: string;
  issuerUnit: string;
  defaultCategory: DeadlineCategory;
}

/**
 * The published entry a verification request names (SPEC 2 "Link"): only entries of the
 * current published version whose method is `verification`; null otherwise.
 */
export async function getVerificationEntry(manager: EntityManager, entryId: number): Promise<VerificationEntryView | null> {
  if (!Number.isSafeInteger(entryId) || entryId <= 0) return null;
  const v = await latestVersion(manager);
  if (!v) return null;
  const e = await manager.getRepository(ExemptionVersionEntry).findOne({ where: { versionId: v.id, entryId, method: 'verification' } });
  if (!e) return null;
  return {
    id: e.entryId,
    serviceItem: e.serviceItem,
    certificate: e.certificate,
    requesterUnit: e.requesterUnit,
    issuerUnit: e.issuerUnit,
    defaultCategory: e.defaultCategory,
  };
}

export interface PublishedEntryView {
  id: number;
  serviceItem: string;
  certificate: string;
  method: ExemptionMethod;
  requesterUnit: { code: string; name: string };
  issuerUnit: { code: string; name: string };
  /** The issuing unit's name, flat, for the citizens' chat. */
  issuerUnitName: string;
  legalBasis: string;
  defaultCategory: DeadlineCategory;
}

/** Escapes LIKE wildcards with '!' (one character in both dialects); the pattern is always bound as a parameter, never spliced. */
export function likePattern(q: string): string {
  return `%${q.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Up to 5 whitespace-separated terms; every term must match the item or the certificate. */
export function searchTerms(text: string): string[] {
  return [...new Set(text.split(/[\s\u3000]+/).filter(Boolean))].slice(0, 5);
}

/** Longest accepted search text (characters). */
export const MAX_QUERY_LENGTH = 100;

/**
 * Searches the published list by service item or certificate (Art. 12). For the
 * citizens' chat ("is a certificate still required?"): a query that is empty after
 * trimming, or too long, finds nothing here rather than failing.
 */
export async function searchPublished(ds: DataSource | EntityManager, q: string, limit = 5): Promise<PublishedEntryView[]> {
  return (await searchPublishedPage(ds, q, limit)).items;
}

/** searchPublished with the number of all matches (e.g. "showing 5 of 12"). */
export async function searchPublishedPage(ds: DataSource | EntityManager, q: string, limit = 5): Promise<{ items: PublishedEntryView[]; total: number }> {
  const text = q.trim();
  if (!text || text.length > MAX_QUERY_LENGTH) return { items: [], total: 0 };
  const r = await searchLatest(ds, text, 0, Math.max(1, Math.min(limit, 100)));
  return { items: r.items, total: r.total };
}

// ---------------------------------------------------------------- in-memory index of the latest version

interface IndexState {
  digest: string;
  rows: ExemptionVersionEntry[];
  grams: GramIndex;
}

/**
 * A published version never changes (Art. 5), so its entries are held in memory with a
 * character n-gram index: a 20,000-entry list answers in well under a millisecond, where
 * LIKE '%q%' scans the table per request. Each request still reads which version is the
 * latest (an indexed one-row query), so a publication elsewhere is seen at once; the index
 * is rebuilt when the version's content digest differs. One index per DataSource.
 */
class PublishedIndex {
  private state: IndexState | null = null;
  private loading: { digest: string; p: Promise<IndexState> } | null = null;

  async get(ds: DataSource | EntityManager, v: { id: number; digest: string }): Promise<IndexState> {
    if (this.state?.digest === v.digest) return this.state;
    if (this.loading?.digest !== v.digest) {
      const p = this.load(ds, v).then(
        (st) => {
          this.state = st;
          if (this.loading?.p === p) this.loading = null;
          return st;
        },
        (e) => {
          if (this.loading?.p === p) this.loading = null;
          throw e;
        },
      );
      this.loading = { digest: v.digest, p };
    }
    return this.loading!.p;
  }

  private async load(ds: DataSource | EntityManager, v: { id: number; digest: string }): Promise<IndexState> {
    const rows = await ds.getRepository(ExemptionVersionEntry).find({ where: { versionId: v.id }, order: { entryId: 'ASC' } });
    return { digest: v.digest, rows, grams: new GramIndex(rows.map((r) => [r.serviceItem, r.certificate])) };
  }
}

const indexes = new WeakMap<DataSource, PublishedIndex>();

function indexFor(ds: DataSource | EntityManager): PublishedIndex {
  const key = ds instanceof DataSource ? ds : ds.connection;
  let idx = indexes.get(key);
  if (!idx) {
    idx = new PublishedIndex();
    indexes.set(key, idx);
  }
  return idx;
}

/** One page of the latest published version matching text (every term in the item or the certificate). */
export async function searchLatest(
  ds: DataSource | EntityManager,
  text: string,
  offset: number,
  limit: number,
  method?: ExemptionMethod,
): Promise<{ version: { number: number; publishedAt: Date } | null; items: PublishedEntryView[]; total: number }> {
  const v = await latestHead(ds);
  if (!v) return { version: null, items: [], total: 0 };
  const { rows, grams } = await indexFor(ds).get(ds, v);
  const page: ExemptionVersionEntry[] = [];
  let total = 0;
  for (const i of grams.search(searchTerms(text))) {
    const r = rows[i];
    if (method && r.method !== method) continue;
    if (total >= offset && page.length < limit) page.push(r);
    total++;
  }
  return { version: { number: v.number, publishedAt: v.publishedAt }, items: page.map(view), total };
}

/** An entry as the public sees it; unit names as published with the version. */
function view(r: ExemptionVersionEntry): PublishedEntryView {
  return {
    id: r.entryId,
    serviceItem: r.serviceItem,
    certificate: r.certificate,
    method: r.method,
    requesterUnit: { code: r.requesterUnit, name: r.requesterUnitName },
    issuerUnit: { code: r.issuerUnit, name: r.issuerUnitName },
    issuerUnitName: r.issuerUnitName,
    legalBasis: r.legalBasis,
    defaultCategory: r.defaultCategory,
  };
}

/** One page of any version's entries matching text, in the database (older versions; the latest is searched in memory). */
export async function searchVersion(
  ds: DataSource | EntityManager,
  versionId: number,
  text: string,
  offset: number,
  limit: number,
  withTotal = false,
  method?: ExemptionMethod,
): Promise<{ items: PublishedEntryView[]; total: number | null }> {
  const qb = ds
    .getRepository(ExemptionVersionEntry)
    .createQueryBuilder('e')
    .where('e.versionId = :vid', { vid: versionId });
  if (method) qb.andWhere('e.method = :method', { method });
  searchTerms(text).forEach((t, i) => {
    qb.andWhere(`(e.serviceItem LIKE :p${i} ESCAPE '!' OR e.certificate LIKE :p${i} ESCAPE '!')`, { [`p${i}`]: likePattern(t) });
  });
  const total = withTotal ? await qb.clone().getCount() : null;
  const rows = await qb.orderBy('e.entryId', 'ASC').offset(offset).limit(limit).getMany();
  return { total, items: rows.map(view) };
}

/**
 * The chat's search (SPEC 2 Art. 12): each term alone (the citizen's words, then the list's
 * wordings from the synonym table), entries matching more terms first. `published` is
 * false before the first publication, so "not found" is never read as "still required".
 */
export async function searchPublishedTerms(ds: DataSource | EntityManager, terms: string[], limit = 6): Promise<{ items: PublishedEntryView[]; published: boolean }> {
  const v = await latestHead(ds);
  if (!v) return { items: [], published: false };
  const { rows, grams } = await indexFor(ds).get(ds, v);
  const hits = new Map<number, number>();
  for (const t of terms.map((x) => x.trim()).filter((x) => x && x.length <= MAX_QUERY_LENGTH).slice(0, 8)) {
    for (const i of grams.search(searchTerms(t))) hits.set(i, (hits.get(i) ?? 0) + 1);
  }
  const best = [...hits.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, Math.max(1, limit));
  return { items: best.map(([i]) => view(rows[i])), published: true };
}
