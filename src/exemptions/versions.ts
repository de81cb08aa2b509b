import crypto from 'crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ExemptionApplication, ExemptionEntry, ExemptionVersion, ExemptionVersionEntry, Unit } from '../../entities';
import { AppError } from '../errors';
import { isUniqueViolation } from '../db/tx';
import { latestVersion } from './lookup';
import { ENTRY_FIELDS, EntryData, EntryField } from './rules';
import { MSG } from './messages';
import { sendText } from '../wecom/messaging';
import { unitContacts } from '../directory/who';
import type { Actor } from './service';

export type EntrySnapshot = EntryData & { id: number };

export interface ListDiff {
  added: EntrySnapshot[];
  changed: Array<{ id: number; fields: Array<{ field: EntryField; before: string; after: string }>; before: EntrySnapshot; after: EntrySnapshot }>;
  cancelled: EntrySnapshot[];
}

/** Added, changed and cancelled entries between two lists (Art. 5), by stable entry id. */
export function diffLists(from: EntrySnapshot[], to: EntrySnapshot[]): ListDiff {
  const a = new Map(from.map((e) => [e.id, e]));
  const b = new Map(to.map((e) => [e.id, e]));
  const out: ListDiff = { added: [], changed: [], cancelled: [] };
  for (const e of to) {
    const old = a.get(e.id);
    if (!old) out.added.push(e);
    else {
      const fields = ENTRY_FIELDS.filter((f) => old[f] !== e[f]).map((f) => ({ field: f, before: old[f], after: e[f] }));
      if (fields.length) out.changed.push({ id: e.id, fields, before: old, after: e });
    }
  }
  for (const e of from) if (!b.has(e.id)) out.cancelled.push(e);
  const byId = (x: { id: number }, y: { id: number }) => x.id - y.id;
  out.added.sort(byId);
  out.changed.sort(byId);
  out.cancelled.sort(byId);
  return out;
}

function snap(e: ExemptionVersionEntry | ExemptionEntry, id: number): EntrySnapshot {
  return { id, serviceItem: e.serviceItem, certificate: e.certificate, requesterUnit: e.requesterUnit, issuerUnit: e.issuerUnit, method: e.method, legalBasis: e.legalBasis, defaultCategory: e.defaultCategory };
}

export async function versionEntries(m: EntityManager | DataSource, versionId: number): Promise<EntrySnapshot[]> {
  const rows = await m.getRepository(ExemptionVersionEntry).find({ where: { versionId }, order: { entryId: 'ASC' } });
  return rows.map((r) => snap(r, r.entryId));
}

/** The working list: every active entry, approved changes included (the draft). */
export async function draftEntries(m: EntityManager | DataSource): Promise<EntrySnapshot[]> {
  const rows = await m.getRepository(ExemptionEntry).find({ where: { status: 'active' }, order: { id: 'ASC' } });
  return rows.map((r) => snap(r, r.id));
}

export async function findVersion(m: EntityManager | DataSource, n: number): Promise<ExemptionVersion> {
  const v = Number.isSafeInteger(n) && n > 0 ? await m.getRepository(ExemptionVersion).findOneBy({ number: n }) : null;
  if (!v) throw new AppError('exemption_not_found', `no published version ${n}`, { details: { reason: 'version_not_found' } });
  return v;
}

export async function listVersions(m: EntityManager | DataSource): Promise<ExemptionVersion[]> {
  return m.getRepository(ExemptionVersion).find({ order: { number: 'DESC' } });
}

/** Versions never change once written: their diffs are cached by content digest. */
const diffCache = new Map<string, ListDiff>();
const DIFF_CACHE_MAX = 16;

export async function diffVersions(ds: DataSource | EntityManager, a: number, b: number): Promise<{ from: ExemptionVersion; to: ExemptionVersion; diff: ListDiff }> {
  const [from, to] = [await findVersion(ds, a), await findVersion(ds, b)];
  const key = `${from.digest}:${to.digest}`;
  let diff = diffCache.get(key);
  if (!diff) {
    diff = diffLists(await versionEntries(ds, from.id), await versionEntries(ds, to.id));
    diffCache.set(key, diff);
    if (diffCache.size > DIFF_CACHE_MAX) diffCache.delete(diffCache.keys().next().value as string);
  }
  return { from, to, diff };
}

/** Unpublished changes: the newest version against the working list. */
export async function draftDiff(m: EntityManager | DataSource): Promise<{ base: ExemptionVersion | null; diff: ListDiff }> {
  const base = await latestVersion(m);
  return { base, diff: diffLists(base ? await versionEntries(m, base.id) : [], await draftEntries(m)) };
}

const CHUNK = 400;

export function listDigest(entries: EntrySnapshot[]): string {
  const h = crypto.createHash('sha256');
  for (const e of entries) h.update(JSON.stringify([e.id, ...ENTRY_FIELDS.map((f) => e[f])])).update('\n');
  return h.digest('hex');
}

/**
 * Publishes the working list as the next numbered version (Art. 5): a snapshot of every
 * active entry, the counts against the previous version, and the approved applications
 * it carries marked with its number. An unchanged list is published only on purpose.
 */
export async function publish(m: EntityManager, actor: Actor, opts: { note?: string; confirmUnchanged?: boolean }, now: Date): Promise<ExemptionVersion> {
  if (actor.kind !== 'office') throw new AppError('forbidden', 'only the office publishes the list');
  const prev = await latestVersion(m);
  const entries = await draftEntries(m);
  const diff = diffLists(prev ? await versionEntries(m, prev.id) : [], entries);
  const counts = { added: diff.added.length, changed: diff.changed.length, cancelled: diff.cancelled.length };
  if (!entries.length && !prev) throw new AppError('exemption_invalid_state', 'the list is empty: nothing to publish', { details: { reason: 'list_empty' } });
  if (prev && !counts.added && !counts.changed && !counts.cancelled && !opts.confirmUnchanged) {
    throw new AppError('exemption_invalid_state', `nothing changed since version ${prev.number}; send confirmUnchanged: true to republish it`, { details: { reason: 'unchanged' } });
  }
  const number = (prev?.number ?? 0) + 1;
  const repo = m.getRepository(ExemptionVersion);
  let version: ExemptionVersion;
  try {
    version = await repo.save(
      repo.create({ number, publishedAt: now, publishedBy: (actor.userid ?? actor.name).slice(0, 100), note: opts.note ?? null, entryCount: entries.length, ...counts, digest: listDigest(entries) }),
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('exemption_conflict', `version ${number} was published concurrently`);
    throw e;
  }
  const veRepo = m.getRepository(ExemptionVersionEntry);
  const names = new Map((await m.getRepository(Unit).find({ select: { code: true, name: true } })).map((u) => [u.code, u.name]));
  for (let i = 0; i < entries.length; i += CHUNK) {
    await veRepo.insert(
      entries.slice(i, i + CHUNK).map(({ id, ...d }) => ({
        versionId: version.id,
        entryId: id,
        ...d,
        requesterUnitName: (names.get(d.requesterUnit) ?? d.requesterUnit).slice(0, 100),
        issuerUnitName: (names.get(d.issuerUnit) ?? d.issuerUnit).slice(0, 100),
      })),
    );
  }
  const carried = await m.getRepository(ExemptionApplication).find({ where: { status: 'approved', publishedVersion: IsNull() } });
  if (carried.length) {
    await m.getRepository(ExemptionApplication).update({ status: 'approved', publishedVersion: IsNull() }, { publishedVersion: number });
    const byUnit = new Map<string, number[]>();
    for (const a of carried) byUnit.set(a.unitCode, [...(byUnit.get(a.unitCode) ?? []), a.id]);
    for (const [unit, ids] of byUnit) {
      await sendText(m, await unitContacts(m, unit), MSG.publishedToUnit(number, ids), now, { refType: 'exemption_published', refId: `${number}:${unit}` });
    }
  }
  return version;
}

export function versionView(v: ExemptionVersion, fmt: (d: Date) => string) {
  return { number: v.number, publishedAt: fmt(v.publishedAt), entryCount: v.entryCount, added: v.added, changed: v.changed, cancelled: v.cancelled, note: v.note };
}
