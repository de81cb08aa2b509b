import fs from 'fs';
import path from 'path';
import type ExcelJS from 'exceljs';
import { newWorkbook } from '../excel';
import { DataSource } from 'typeorm';
import { Unit, Staff } from '../../entities';
import type { StaffRole, AbRole } from '../../entities/Staff';
import { AppError } from '../errors';
import { inTransaction } from '../db/tx';
import { tableChanged } from '../db/local-changes';
import { decodeCsvBytes, parseCsv } from './csv';
import { UNIT_CODE_RE, USERID_RE, MOBILE_RE, isValidDate } from './rules';
import { IMPORT_TEXT, IMPORT_HINTS, IMPORT_WORDS } from './messages';
import type { StaffView } from './service';
import type { Config } from '../config';
import { gapSnapshot, tellNewGaps } from './gaps';

/**
 * `nocert directory import FILE` (CONTRACT.md): one sheet (the first of an .xlsx, or a
 * .csv), a header row, one row per person; a row with a unit and no userid only declares
 * the unit. Headers may be the English keys or the Chinese names below. Everything is
 * checked first: any row error loads nothing (all or nothing).
 */
export const IMPORT_COLUMNS = [
  { key: 'unit_code', names: ['unit_code', ...IMPORT_WORDS.columns.unit_code], required: true },
  { key: 'unit_name', names: ['unit_name', ...IMPORT_WORDS.columns.unit_name], required: true },
  { key: 'is_office', names: ['is_office', ...IMPORT_WORDS.columns.is_office], required: false },
  { key: 'userid', names: ['userid', ...IMPORT_WORDS.columns.userid], required: false },
  { key: 'name', names: ['name', ...IMPORT_WORDS.columns.name], required: false },
  { key: 'role', names: ['role', ...IMPORT_WORDS.columns.role], required: false },
  { key: 'ab', names: ['ab', ...IMPORT_WORDS.columns.ab], required: false },
  { key: 'mobile', names: ['mobile', ...IMPORT_WORDS.columns.mobile], required: false },
  { key: 'away', names: ['away', ...IMPORT_WORDS.columns.away], required: false },
  { key: 'away_until', names: ['away_until', ...IMPORT_WORDS.columns.away_until], required: false },
  { key: 'trained_on', names: ['trained_on', ...IMPORT_WORDS.columns.trained_on], required: false },
] as const;

type ColumnKey = (typeof IMPORT_COLUMNS)[number]['key'];

export interface RowError {
  row: number;
  column?: string;
  message: string;
}

export interface ImportedRow {
  row: number;
  unitCode: string;
  unitName: string;
  isOffice: boolean | null;
  staff: Omit<StaffView, 'awayToday'> | null;
}

const ROLE_WORDS: Record<string, StaffRole> = {
  liaison: 'liaison',
  deputy: 'deputy',
  member: 'member',
  ...IMPORT_WORDS.roles,
};

function parseBool(v: string): boolean | undefined {
  const s = v.trim().toLowerCase();
  if (['', IMPORT_WORDS.no, 'no', 'n', 'false', '0'].includes(s)) return false;
  if ([IMPORT_WORDS.yes, 'yes', 'y', 'true', '1'].includes(s)) return true;
  return undefined;
}

function parseAb(v: string): AbRole | null | undefined {
  const s = v.trim().toUpperCase().replace(IMPORT_WORDS.abSuffix, '');
  if (s === '') return null;
  if (s === 'A' || s === 'B') return s;
  return undefined;
}

/** A cell as text: numbers as written, dates as YYYY-MM-DD, rich text and formulas by their text. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? IMPORT_WORDS.yes : IMPORT_WORDS.no;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as unknown as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text: string }>).map((r) => r.text).join('');
    if ('result' in o) return cellText(o.result as ExcelJS.CellValue);
    if (typeof o.text === 'string') return o.text;
  }
  return String(v);
}

async function readGrid(filePath: string): Promise<string[][]> {
  const ext = path.extname(filePath).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new AppError('directory_import_invalid', IMPORT_TEXT.unknownFormat(ext || '(none)'), { details: [] });
  let buf: Buffer;
  try {
    buf = fs.readFileSync(filePath);
  } catch (e) {
    throw new AppError('directory_import_invalid', IMPORT_TEXT.unreadable((e as Error).message), { details: [] });
  }
  return readGridFromBuffer(buf, ext);
}

/** The first sheet of an .xlsx (or a .csv) as text cells; an unreadable file throws directory_import_invalid. */
export async function readGridFromBuffer(buf: Buffer, ext: string): Promise<string[][]> {
  if (ext === '.csv') return parseCsv(decodeCsvBytes(buf));
  if (ext === '.xlsx') {
    const wb = newWorkbook();
    try {
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
    } catch (e) {
      throw new AppError('directory_import_invalid', IMPORT_TEXT.unreadable((e as Error).message), { details: [] });
    }
    const ws = wb.worksheets[0];
    if (!ws) return [];
    const grid: string[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: string[] = [];
      for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value));
      grid[n - 1] = cells;
    });
    for (let i = 0; i < grid.length; i++) if (!grid[i]) grid[i] = [];
    return grid;
  }
  throw new AppError('directory_import_invalid', IMPORT_TEXT.unknownFormat(ext || '(none)'), { details: [] });
}

/** Checks every row; returns the rows, or every error found (row numbers as in the file, header = 1). */
export function validateGrid(grid: string[][]): { rows: ImportedRow[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const header = grid[0];
  if (!header || header.every((h) => !h.trim())) return { rows: [], errors: [{ row: 1, message: IMPORT_TEXT.noHeader }] };
  const index = new Map<ColumnKey, number>();
  header.forEach((h, i) => {
    const name = h.trim();
    const col = IMPORT_COLUMNS.find((c) => (c.names as readonly string[]).some((n) => n.toLowerCase() === name.toLowerCase()));
    if (col && !index.has(col.key)) index.set(col.key, i);
  });
  for (const c of IMPORT_COLUMNS) if (c.required && !index.has(c.key)) errors.push({ row: 1, column: c.key, message: IMPORT_TEXT.missingColumn(c.names[1] ?? c.key) });
  if (errors.length) return { rows: [], errors };

  const rows: ImportedRow[] = [];
  const seenUser = new Map<string, number>();
  const unitNames = new Map<string, { name: string; row: number }>();
  for (let i = 1; i < grid.length; i++) {
    const cells = grid[i] ?? [];
    const get = (k: ColumnKey) => (index.has(k) ? (cells[index.get(k)!] ?? '').trim() : '');
    if (cells.every((c) => !c.trim())) continue;
    const rowNo = i + 1;
    const err = (column: ColumnKey, message: string) => errors.push({ row: rowNo, column, message });
    const before = errors.length;

    const unitCode = get('unit_code');
    const unitName = get('unit_name');
    if (!unitCode) err('unit_code', IMPORT_TEXT.required('unit_code'));
    else if (!UNIT_CODE_RE.test(unitCode)) err('unit_code', IMPORT_TEXT.invalid('unit_code', unitCode, IMPORT_HINTS.unitCode));
    if (!unitName) err('unit_name', IMPORT_TEXT.required('unit_name'));
    else if (unitName.length > 100) err('unit_name', IMPORT_TEXT.invalid('unit_name', unitName, IMPORT_HINTS.tooLong(100)));
    if (unitCode && unitName) {
      const prev = unitNames.get(unitCode);
      if (prev && prev.name !== unitName) err('unit_name', IMPORT_TEXT.unitNameConflict(unitCode, prev.name, prev.row));
      else if (!prev) unitNames.set(unitCode, { name: unitName, row: rowNo });
    }
    const officeText = get('is_office');
    const isOffice = officeText === '' ? null : parseBool(officeText);
    if (isOffice === undefined) err('is_office', IMPORT_TEXT.invalid('is_office', officeText, IMPORT_HINTS.bool));

    const userid = get('userid');
    let staff: ImportedRow['staff'] = null;
    if (!userid) {
      if (get('name') || get('role')) err('userid', IMPORT_TEXT.staffFieldsWithoutUserid);
    } else {
      if (!USERID_RE.test(userid)) err('userid', IMPORT_TEXT.invalid('userid', userid, IMPORT_HINTS.userid));
      const first = seenUser.get(userid.toLowerCase());
      if (first !== undefined) err('userid', IMPORT_TEXT.duplicateUserid(userid, first));
      else seenUser.set(userid.toLowerCase(), rowNo);
      const name = get('name');
      if (!name) err('name', IMPORT_TEXT.required('name'));
      else if (name.length > 64) err('name', IMPORT_TEXT.invalid('name', name, IMPORT_HINTS.tooLong(64)));
      const roleText = get('role');
      const roleKey = roleText.toLowerCase();
      const role = Object.prototype.hasOwnProperty.call(ROLE_WORDS, roleKey) ? ROLE_WORDS[roleKey] : undefined;
      if (!roleText) err('role', IMPORT_TEXT.required('role'));
      else if (!role) err('role', IMPORT_TEXT.invalid('role', roleText, IMPORT_HINTS.role));
      const abText = get('ab');
      const ab = parseAb(abText);
      if (ab === undefined) err('ab', IMPORT_TEXT.invalid('ab', abText, IMPORT_HINTS.ab));
      const mobile = get('mobile');
      if (mobile && !MOBILE_RE.test(mobile)) err('mobile', IMPORT_TEXT.invalid('mobile', mobile, IMPORT_HINTS.mobile));
      const awayText = get('away');
      const away = parseBool(awayText);
      if (away === undefined) err('away', IMPORT_TEXT.invalid('away', awayText, IMPORT_HINTS.bool));
      const awayUntil = get('away_until');
      if (awayUntil && !isValidDate(awayUntil)) err('away_until', IMPORT_TEXT.invalid('away_until', awayUntil, IMPORT_HINTS.date));
      const trainedOn = get('trained_on');
      if (trainedOn && !isValidDate(trainedOn)) err('trained_on', IMPORT_TEXT.invalid('trained_on', trainedOn, IMPORT_HINTS.date));
      if (errors.length === before) {
        staff = {
          userid,
          name,
          role: role!,
          ab: ab ?? null,
          mobile: mobile || null,
          away: away ?? false,
          awayUntil: awayUntil || null,
          trainedOn: trainedOn || null,
        };
      }
    }
    if (errors.length === before) rows.push({ row: rowNo, unitCode, unitName, isOffice: isOffice ?? null, staff });
  }
  if (!errors.length && !rows.length) errors.push({ row: 2, message: IMPORT_TEXT.emptyFile });
  return { rows, errors };
}

/**
 * Writes validated rows in one transaction: units and staff upserted, nothing else touched.
 * With `config`, units the import leaves below the Art. 6 minimum are told to the office
 * (a unit the file creates counts: the file gives its staff).
 */
export async function applyRows(ds: DataSource, rows: ImportedRow[], now: Date, config?: Config): Promise<{ units: number; staff: number }> {
  return inTransaction(ds, async (m) => {
    const before = config ? await gapSnapshot(m) : null;
    // The kf worker caches the units (src/complaints/understand-store.ts).
    tableChanged(m, 'units');
    const unitRepo = m.getRepository(Unit);
    const staffRepo = m.getRepository(Staff);
    const units = new Map<string, { name: string; isOffice: boolean | null }>();
    for (const r of rows) {
      const u = units.get(r.unitCode);
      units.set(r.unitCode, { name: r.unitName, isOffice: r.isOffice ?? u?.isOffice ?? null });
    }
    for (const [code, u] of units) {
      const existing = await unitRepo.findOneBy({ code });
      if (existing) {
        existing.name = u.name;
        if (u.isOffice !== null) existing.isOffice = u.isOffice;
        existing.updatedAt = now;
        await unitRepo.save(existing);
      } else {
        await unitRepo.insert({ code, name: u.name, isOffice: u.isOffice ?? false, createdAt: now, updatedAt: now });
      }
    }
    let staffCount = 0;
    for (const r of rows) {
      if (!r.staff) continue;
      staffCount++;
      const existing = await staffRepo.findOneBy({ userid: r.staff.userid });
      const fields = { ...r.staff, unitCode: r.unitCode, updatedAt: now };
      if (existing) await staffRepo.save(Object.assign(existing, fields));
      else await staffRepo.insert({ ...fields, createdAt: now });
    }
    if (config && before) await tellNewGaps(m, config, before, now, { newUnits: true });
    return { units: units.size, staff: staffCount };
  });
}

/** Loads units and staff from .xlsx or .csv; any row error throws directory_import_invalid with every row error. */
export async function importDirectory(ds: DataSource, filePath: string, now: Date, config?: Config): Promise<{ units: number; staff: number }> {
  const grid = await readGrid(filePath);
  const { rows, errors } = validateGrid(grid);
  if (errors.length) {
    throw new AppError('directory_import_invalid', `${errors.length} row error(s); nothing was imported`, { details: errors });
  }
  return applyRows(ds, rows, now, config);
}
