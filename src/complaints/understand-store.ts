/**
 * The office's own vocabulary for the chat, stored in `understanding_terms` over the
 * built-in tables: agency aliases (派出所 -> 县公安局) and exemption search synonyms
 * (失业金 -> 失业保险金). Replaced whole by the office. The kf worker keeps it, with the
 * units, in a VocabularyCache.
 */
import { performance } from 'perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { UnderstandingTerm } from '../../entities';
import { AppError } from '../errors';
import { localChanges, tableChanged } from '../db/local-changes';
import { q } from '../db/fast-sql';
import { AliasTable, DEFAULT_AGENCY_ALIASES, DEFAULT_SYNONYMS, SynonymTable } from './understand';
import type { Agency } from './flow';

export type TermKind = 'alias' | 'synonym';

export interface OfficeTables {
  aliases: AliasTable;
  synonyms: SynonymTable;
}

/** The office's entries only (the understanding layer merges them over its defaults). */
export async function loadOfficeTables(m: EntityManager): Promise<OfficeTables> {
  const rows: Array<Pick<UnderstandingTerm, 'kind' | 'word' | 'value'>> = await m.query(
    `SELECT ${q(m, 'kind')}, ${q(m, 'word')}, ${q(m, 'value')} FROM ${q(m, 'understanding_terms')} ORDER BY ${q(m, 'id')} ASC`,
  );
  const aliases: Record<string, string> = {};
  const synonyms: Record<string, string[]> = {};
  for (const r of rows) {
    const v = parse(r.value);
    if (r.kind === 'alias' && typeof v === 'string') aliases[r.word] = v;
    if (r.kind === 'synonym' && Array.isArray(v)) synonyms[r.word] = v.filter((x): x is string => typeof x === 'string');
  }
  return { aliases, synonyms };
}

/** The table in effect: the defaults, with the office's entries over them (and marked as such). */
export async function effectiveTable(m: EntityManager, kind: TermKind): Promise<{ defaults: Record<string, unknown>; office: Record<string, unknown> }> {
  const t = await loadOfficeTables(m);
  return kind === 'alias' ? { defaults: { ...DEFAULT_AGENCY_ALIASES }, office: t.aliases } : { defaults: { ...DEFAULT_SYNONYMS }, office: t.synonyms };
}

/** Replaces the office's entries of one kind (the defaults stay; an office entry overrides one). */
export async function replaceTable(m: EntityManager, kind: TermKind, entries: Record<string, string | string[]>, by: string, now: Date): Promise<void> {
  for (const [word, value] of Object.entries(entries)) {
    const ok = kind === 'alias' ? typeof value === 'string' && value.trim().length > 0 : Array.isArray(value) && value.length > 0;
    if (!word.trim() || Array.from(word).length > 50 || !ok) {
      throw new AppError('validation_failed', `bad ${kind} entry: ${word.slice(0, 50)}`, { details: { field: word.slice(0, 50) } });
    }
  }
  await m.delete(UnderstandingTerm, { kind });
  tableChanged(m, 'understanding_terms');
  for (const [word, value] of Object.entries(entries)) {
    const v = kind === 'alias' ? String(value).trim() : (value as string[]).map((x) => String(x).trim()).filter(Boolean);
    await m.insert(UnderstandingTerm, { kind, word: word.trim(), value: JSON.stringify(v), updatedBy: by.slice(0, 100), updatedAt: now });
  }
}

function parse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** What the kf worker understands citizens with: the units (agencies) and the office's tables. */
export interface Vocabulary {
  agencies: Agency[];
  tables: OfficeTables;
}

/**
 * The vocabulary cached in the process, so a kf pass does not read every unit and term
 * again. Changes committed through this process (units upserted or imported, a table
 * replaced: tableChanged) are seen at the next pass. Another instance's changes are seen
 * within `checkMs` (default 1 s): at most that often a one-statement probe reads the count
 * and latest update time of the units, and the count, largest id and latest update time of
 * the terms (a table is replaced by delete and insert, so its ids move), and the
 * vocabulary is read again when they moved.
 */
export class VocabularyCache {
  private cached: (Vocabulary & { fingerprint: string; local: number; checkedAt: number }) | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly checkMs = 1000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  async get(): Promise<Vocabulary> {
    const local = localChanges(this.ds, 'units') + localChanges(this.ds, 'understanding_terms');
    const at = this.clock();
    const c = this.cached;
    if (c && c.local === local && at - c.checkedAt < this.checkMs) return c;
    // The probe before the read: a change committed in between is read now and probed next time.
    const fingerprint = await this.probe();
    if (c && c.local === local && c.fingerprint === fingerprint) {
      c.checkedAt = at;
      return c;
    }
    const m = this.ds.manager;
    const units: Array<{ code: string; name: string }> = await m.query(`SELECT ${q(m, 'code')}, ${q(m, 'name')} FROM ${q(m, 'units')} ORDER BY ${q(m, 'code')} ASC`);
    const tables = await loadOfficeTables(m);
    this.cached = { agencies: units.map((u) => ({ code: u.code, name: u.name })), tables, fingerprint, local, checkedAt: at };
    return this.cached;
  }

  private async probe(): Promise<string> {
    const m = this.ds.manager;
    const [u, t, id, at] = [q(m, 'units'), q(m, 'understanding_terms'), q(m, 'id'), q(m, 'updated_at')];
    const rows = await m.query(
      `SELECT (SELECT COUNT(*) FROM ${u}) AS a, (SELECT MAX(${at}) FROM ${u}) AS b, (SELECT COUNT(*) FROM ${t}) AS c, (SELECT MAX(${id}) FROM ${t}) AS d, (SELECT MAX(${at}) FROM ${t}) AS e`,
    );
    return JSON.stringify(rows[0] ?? null);
  }
}
