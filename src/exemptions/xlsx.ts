import type ExcelJS from 'exceljs';
import { newWorkbook } from '../excel';
import { EntityManager, In } from 'typeorm';
import { ExemptionApplication, ExemptionEntry, Unit } from '../../entities';
import type { ExemptionMethod } from '../../entities/ExemptionEntry';
import type { DeadlineCategory } from '../calendar';
import { AppError } from '../errors';
import { CATEGORIES, ENTRY_FIELDS, EntryData, METHODS, normaliseName } from './rules';
import { CATEGORY_ALIASES, CATEGORY_LABEL, METHOD_LABEL, XLSX } from './messages';
import type { EntrySnapshot } from './versions';
import type { Actor } from './service';

/** Largest accepted workbook (bytes) and number of list rows. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 50_000;

type Column = keyof typeof XLSX.headers;
const REQUIRED: Column[] = ['serviceItem', 'certificate', 'requesterUnit', 'issuerUnit', 'method', 'legalBasis'];
const OPTIONAL: Column[] = ['id', 'defaultCategory'];
/** English header names are accepted beside the Chinese ones. */
const ALIASES: Record<string, Column> = Object.fromEntries([
  ...(Object.entries(XLSX.headers) as Array<[Column, string]>).map(([k, v]) => [v, k]),
  ...(Object.keys(XLSX.headers) as Column[]).map((k) => [k.toLowerCase(), k]),
]) as Record<string, Column>;

const METHOD_BY_TEXT: Record<string, ExemptionMethod> = Object.fromEntries([
  ...(Object.entries(METHOD_LABEL) as Array<[ExemptionMethod, string]>).map(([k, v]) => [v, k]),
  ...METHODS.map((m) => [m, m]),
]) as Record<string, ExemptionMethod>;
const CATEGORY_BY_TEXT: Record<string, DeadlineCategory> = { ...CATEGORY_ALIASES, ...Object.fromEntries(CATEGORIES.map((c) => [c, c])) };

export interface ImportRow extends EntryData {
  /** 1-based row number in the sheet, for errors. */
  row: number;
  id: number | null;
}

export interface RowError {
  row: number;
  column: string;
  message: string;
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('').trim();
  if (typeof v === 'object' && 'result' in v) return String(v.result ?? '').trim();
  if (typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text ?? '').trim();
  return String(cell.text ?? v).trim();
}

/**
 * Reads the county's list from a workbook (first sheet; the header row is the first of
 * the first 5 rows naming 政务服务事项). Structural problems (not a workbook, a missing
 * column) are thrown; row problems are returned, to be reported with the ones only the
 * database can find (unknown units, unknown ids), each with its row and column.
 */
export async function parseListWorkbook(buf: Buffer): Promise<{ rows: ImportRow[]; errors: RowError[] }> {
  const wb = newWorkbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw new AppError('exemption_import_invalid', 'the file is not an .xlsx workbook', { details: { reason: 'not_xlsx' } });
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new AppError('exemption_import_invalid', 'the workbook has no sheet', { details: { reason: 'no_sheet' } });
  let headerRow = 0;
  const cols = new Map<Column, number>();
  for (let r = 1; r <= Math.min(5, ws.rowCount) && !headerRow; r++) {
    const row = ws.getRow(r);
    const found = new Map<Column, number>();
    row.eachCell((cell, c) => {
      const key = ALIASES[cellText(cell)] ?? ALIASES[cellText(cell).toLowerCase()];
      if (key && !found.has(key)) found.set(key, c);
    });
    if (found.has('serviceItem') || found.has('certificate')) {
      headerRow = r;
      for (const [k, v] of found) cols.set(k, v);
    }
  }
  const missing = REQUIRED.filter((c) => !cols.has(c));
  if (missing.length) {
    throw new AppError('exemption_import_invalid', `missing column(s): ${missing.map((c) => XLSX.headers[c]).join(', ')}`, {
      details: { reason: 'missing_columns', missingColumns: missing.map((c) => XLSX.headers[c]) },
    });
  }
  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  const err = (row: number, c: Column, message: string) => errors.push({ row, column: XLSX.headers[c], message });
  const last = ws.rowCount;
  if (last - headerRow > MAX_IMPORT_ROWS) throw new AppError('exemption_import_invalid', `more than ${MAX_IMPORT_ROWS} rows`, { details: { reason: 'too_many_rows' } });
  for (let r = headerRow + 1; r <= last; r++) {
    const row = ws.getRow(r);
    const get = (c: Column) => (cols.has(c) ? cellText(row.getCell(cols.get(c)!)) : '');
    const raw = Object.fromEntries([...REQUIRED, ...OPTIONAL].map((c) => [c, get(c)])) as Record<Column, string>;
    if (Object.values(raw).every((v) => !v)) continue;
    const before = errors.length;
    for (const c of REQUIRED) if (!raw[c]) err(r, c, 'required');
    const len = (c: Column, max: number) => {
      if ([...raw[c]].length > max) err(r, c, `at most ${max} characters`);
    };
    len('serviceItem', 200);
    len('certificate', 200);
    len('requesterUnit', 40);
    len('issuerUnit', 40);
    len('legalBasis', 2000);
    const method = METHOD_BY_TEXT[raw.method];
    if (raw.method && !method) err(r, 'method', `one of ${[...Object.values(METHOD_LABEL), ...METHODS].join(', ')}`);
    const category = raw.defaultCategory ? CATEGORY_BY_TEXT[raw.defaultCategory] : 'digital';
    if (!category) err(r, 'defaultCategory', `one of ${[...Object.values(CATEGORY_LABEL), ...CATEGORIES].join(', ')}`);
    let id: number | null = null;
    if (raw.id) {
      if (!/^\d{1,9}$/.test(raw.id) || Number(raw.id) < 1) err(r, 'id', 'a positive whole number (the entry id of an earlier export) or empty');
      else id = Number(raw.id);
    }
    if (errors.length > before) continue;
    rows.push({ row: r, id, serviceItem: raw.serviceItem, certificate: raw.certificate, requesterUnit: raw.requesterUnit, issuerUnit: raw.issuerUnit, method, legalBasis: raw.legalBasis, defaultCategory: category });
  }
  return { rows, errors };
}

function invalidRows(errors: RowError[]): AppError {
  errors.sort((a, b) => a.row - b.row);
  const shown = errors.slice(0, 200);
  return new AppError('exemption_import_invalid', `${errors.length} row error(s); first: row ${shown[0].row} ${shown[0].column}: ${shown[0].message}`, {
    details: { reason: 'invalid_rows', errorCount: errors.length, errors: shown },
  });
}

export interface ImportResult {
  total: number;
  added: number;
  changed: number;
  cancelled: number;
  unchanged: number;
}

/**
 * Makes the working list equal to the file (all or nothing): a row with 编号 updates that
 * entry; a row without it updates the active entry with the same service item,
 * certificate and requesting unit, or adds one; active entries absent from the file are
 * cancelled. Entry ids stay stable, so verification requests keep their links. Refused
 * while adjustment applications are open, which the import would overtake.
 */
export async function importList(m: EntityManager, actor: Actor, parsed: { rows: ImportRow[]; errors: RowError[] }, now: Date): Promise<ImportResult> {
  if (actor.kind !== 'office') throw new AppError('forbidden', 'only the office imports the list');
  const open = await m.getRepository(ExemptionApplication).count({ where: { status: In(['pending', 'returned']) } });
  if (open) throw new AppError('exemption_conflict', `${open} adjustment application(s) are open; decide them before importing`, { details: { reason: 'open_applications', count: open } });

  const { rows } = parsed;
  const errors: RowError[] = [...parsed.errors];
  const units = new Map((await m.getRepository(Unit).find()).map((u) => [u.code, u]));
  const unitsByName = new Map([...units.values()].map((u) => [u.name, u.code]));
  for (const r of rows) {
    for (const c of ['requesterUnit', 'issuerUnit'] as const) {
      if (!units.has(r[c])) {
        const byName = unitsByName.get(r[c]);
        if (byName) r[c] = byName;
        else errors.push({ row: r.row, column: XLSX.headers[c], message: `unknown unit ${r[c]}` });
      }
    }
  }
  const repo = m.getRepository(ExemptionEntry);
  const all = await repo.find();
  const byId = new Map(all.map((e) => [e.id, e]));
  const natural = (d: Pick<EntryData, 'serviceItem' | 'certificate' | 'requesterUnit'>) => `${normaliseName(d.serviceItem)}\u0000${normaliseName(d.certificate)}\u0000${d.requesterUnit}`;
  const activeByKey = new Map(all.filter((e) => e.status === 'active').map((e) => [natural(e), e]));
  const seenIds = new Map<number, number>();
  const seenKeys = new Map<string, number>();
  const plan: Array<{ row: ImportRow; target: ExemptionEntry | null }> = [];
  for (const r of rows) {
    const key = natural(r);
    if (seenKeys.has(key)) errors.push({ row: r.row, column: XLSX.headers.certificate, message: `same service item, certificate and requesting unit as row ${seenKeys.get(key)}` });
    seenKeys.set(key, r.row);
    let target: ExemptionEntry | null = null;
    if (r.id !== null) {
      target = byId.get(r.id) ?? null;
      if (!target) errors.push({ row: r.row, column: XLSX.headers.id, message: `no list entry ${r.id}` });
      if (seenIds.has(r.id)) errors.push({ row: r.row, column: XLSX.headers.id, message: `entry ${r.id} also on row ${seenIds.get(r.id)}` });
      seenIds.set(r.id, r.row);
    } else {
      target = activeByKey.get(key) ?? null;
    }
    plan.push({ row: r, target });
  }
  // an id-less row matched by name must not also be claimed by another row's id
  for (const p of plan) {
    if (p.row.id === null && p.target && seenIds.has(p.target.id)) p.target = null;
  }
  if (errors.length) throw invalidRows(errors);

  const result: ImportResult = { total: rows.length, added: 0, changed: 0, cancelled: 0, unchanged: 0 };
  const kept = new Set<number>();
  const fresh: Array<Partial<ExemptionEntry>> = [];
  for (const { row, target } of plan) {
    const data: EntryData = Object.fromEntries(ENTRY_FIELDS.map((f) => [f, row[f]])) as unknown as EntryData;
    if (!target) {
      fresh.push({ ...data, status: 'active', createdAt: now, updatedAt: now, version: 1 });
      result.added++;
      continue;
    }
    kept.add(target.id);
    const differs = ENTRY_FIELDS.some((f) => target[f] !== data[f]) || target.status !== 'active';
    if (!differs) {
      result.unchanged++;
      continue;
    }
    Object.assign(target, data, { status: 'active', updatedAt: now });
    await repo.save(target);
    result.changed++;
  }
  for (let i = 0; i < fresh.length; i += 400) await repo.insert(fresh.slice(i, i + 400));
  const gone = all.filter((e) => e.status === 'active' && !kept.has(e.id)).map((e) => e.id);
  for (let i = 0; i < gone.length; i += 400) await repo.update({ id: In(gone.slice(i, i + 400)) }, { status: 'cancelled', updatedAt: now });
  result.cancelled = gone.length;
  return result;
}

/** A version (or the draft) as a workbook in the import format, so it can be edited and loaded again. */
export async function listWorkbook(m: EntityManager, entries: EntrySnapshot[], title: string): Promise<Buffer> {
  const units = new Map((await m.getRepository(Unit).find()).map((u) => [u.code, u.name]));
  const wb = newWorkbook();
  wb.title = title;
  wb.creator = 'nocert';
  const ws = wb.addWorksheet(XLSX.sheet);
  const order: Column[] = ['id', 'serviceItem', 'certificate', 'requesterUnit', 'issuerUnit', 'method', 'legalBasis', 'defaultCategory', 'requesterUnitName', 'issuerUnitName'];
  ws.columns = order.map((c) => ({ header: XLSX.headers[c], key: c, width: c === 'id' ? 8 : c === 'legalBasis' ? 50 : 24 }));
  ws.getRow(1).font = { bold: true };
  for (const e of entries) {
    ws.addRow({
      id: e.id,
      serviceItem: e.serviceItem,
      certificate: e.certificate,
      requesterUnit: e.requesterUnit,
      issuerUnit: e.issuerUnit,
      method: METHOD_LABEL[e.method],
      legalBasis: e.legalBasis,
      defaultCategory: CATEGORY_LABEL[e.defaultCategory],
      requesterUnitName: units.get(e.requesterUnit) ?? '',
      issuerUnitName: units.get(e.issuerUnit) ?? '',
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
