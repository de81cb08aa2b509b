/**
 * The office's own vocabulary for the chat, stored in `understanding_terms` over the
 * built-in tables: agency aliases (派出所 -> 县公安局) and exemption search synonyms
 * (失业金 -> 失业保险金). Read once per kf pass; replaced whole by the office.
 */
import { EntityManager } from 'typeorm';
import { UnderstandingTerm } from '../../entities';
import { AppError } from '../errors';
import { AliasTable, DEFAULT_AGENCY_ALIASES, DEFAULT_SYNONYMS, SynonymTable } from './understand';

export type TermKind = 'alias' | 'synonym';

export interface OfficeTables {
  aliases: AliasTable;
  synonyms: SynonymTable;
}

/** The office's entries only (the understanding layer merges them over its defaults). */
export async function loadOfficeTables(m: EntityManager): Promise<OfficeTables> {
  const rows = await m.find(UnderstandingTerm, { order: { id: 'ASC' } });
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
