import crypto from 'crypto';
import zlib from 'zlib';
import Router from '@koa/router';
import { Context } from 'koa';
import { In } from 'typeorm';
import { Staff, Unit } from '../../entities';
import type { ModuleDeps } from '../module';
import { isAppError } from '../errors';
import { applyRows, readGridFromBuffer, validateGrid, ImportedRow, RowError } from '../directory/import';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { TD } from './directory.messages';
import type { ConsoleUser } from './session';
import type { UploadedFile } from './multipart';
import { PreviewRow, renderImportForm, renderPreview } from './views/directory-import.view';

/**
 * The confirmation carries the checked grid back sealed (AES-256-GCM under a key of the
 * session's secret): opaque in the page (no mobiles in its source) and refused if altered.
 */
function sealKey(u: ConsoleUser): Buffer {
  return crypto.createHash('sha256').update(`directory-import:${u.csrf}`).digest();
}

function seal(u: ConsoleUser, grid: string[][]): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', sealKey(u), iv);
  const body = Buffer.concat([c.update(zlib.deflateRawSync(Buffer.from(JSON.stringify(grid)))), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

function unseal(u: ConsoleUser, sealed: string): string[][] | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return null;
    const d = crypto.createDecipheriv('aes-256-gcm', sealKey(u), raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    const grid: unknown = JSON.parse(zlib.inflateRawSync(Buffer.concat([d.update(raw.subarray(28)), d.final()]), { maxOutputLength: 16 * 1024 * 1024 }).toString('utf8'));
    return Array.isArray(grid) && grid.every((row) => Array.isArray(row) && row.every((c) => typeof c === 'string')) ? (grid as string[][]) : null;
  } catch {
    return null;
  }
}

/** A file-level problem (no header, a missing column, no data rows) rather than a row's. */
const fileLevel = (e: RowError) => e.row === 1 || !e.column;

/** What each valid row would do to the directory as it is now. */
async function previewRows(deps: ModuleDeps, rows: ImportedRow[]): Promise<PreviewRow[]> {
  const m = deps.dataSource.manager;
  const codes = [...new Set(rows.map((r) => r.unitCode))];
  const userids = rows.flatMap((r) => (r.staff ? [r.staff.userid] : []));
  const [units, staff] = await Promise.all([
    codes.length ? m.getRepository(Unit).findBy({ code: In(codes) }) : Promise.resolve([]),
    userids.length ? m.getRepository(Staff).findBy({ userid: In(userids) }) : Promise.resolve([]),
  ]);
  return rows.map((r) => {
    const unitNew = !units.some((x) => x.code === r.unitCode);
    if (!r.staff) return { row: r.row, unitCode: r.unitCode, unitName: r.unitName, unitNew, action: 'unit', staff: null, changes: [] };
    const now = staff.find((x) => x.userid.toLowerCase() === r.staff!.userid.toLowerCase());
    if (!now) return { row: r.row, unitCode: r.unitCode, unitName: r.unitName, unitNew, action: 'add', staff: r.staff, changes: [] };
    const changes: string[] = [];
    const s = r.staff;
    if (now.unitCode !== r.unitCode) changes.push('unitCode');
    if (now.name !== s.name) changes.push('name');
    if (now.role !== s.role) changes.push('role');
    if ((now.ab ?? null) !== s.ab) changes.push('ab');
    if ((now.mobile ?? null) !== s.mobile) changes.push('mobile');
    if (!!now.away !== s.away) changes.push('away');
    if ((now.awayUntil ?? null) !== s.awayUntil) changes.push('awayUntil');
    if ((now.trainedOn ?? null) !== s.trainedOn) changes.push('trainedOn');
    return { row: r.row, unitCode: r.unitCode, unitName: r.unitName, unitNew, action: changes.length ? 'change' : 'same', staff: s, changes };
  });
}

/**
 * The directory import (SPEC 1 Art. 6) in the browser: upload a workbook, see every row's
 * effect and every row error, confirm. A file with any error cannot be confirmed (fix it and
 * upload again); nothing is saved before the confirmation, and all rows are saved at once.
 */
export function importRoutes(r: Router, deps: ModuleDeps): void {
  const page = (ctx: Context, u: ConsoleUser, status: number, body: string) => sendPage(ctx, status, { title: TD.importTitle, user: u, active: 'directory' }, body);
  const officeOnly = (ctx: Context): ConsoleUser | null => {
    const u = ctx.state.consoleUser as ConsoleUser;
    if (u.role === 'office') return u;
    errorPage(ctx, 403, T.forbidden, u);
    return null;
  };

  r.get('/console/directory/import', async (ctx: Context) => {
    const u = officeOnly(ctx);
    if (u) page(ctx, u, 200, renderImportForm(u, null));
  });

  r.post('/console/directory/import', async (ctx: Context) => {
    const u = officeOnly(ctx);
    if (!u) return;
    const file = ((ctx.state.files ?? []) as UploadedFile[]).find((f) => f.field === 'file');
    const refuse = (message: string, details: string[] = []) => page(ctx, u, 400, renderImportForm(u, { message, details }));
    if (!file || !file.data.length) return refuse(TD.noFile);
    if (!/\.xlsx$/i.test(file.filename)) return refuse(TD.notXlsx);
    let grid: string[][];
    try {
      grid = await readGridFromBuffer(file.data, '.xlsx');
    } catch (e) {
      if (isAppError(e) && e.code === 'directory_import_invalid') return refuse(TD.unreadable);
      throw e;
    }
    const { rows, errors } = validateGrid(grid);
    if (errors.some(fileLevel)) return refuse(TD.fileError, errors.filter(fileLevel).map((e) => e.message));
    page(ctx, u, 200, renderPreview({ user: u, filename: file.filename, rows: await previewRows(deps, rows), errors, sealed: errors.length ? '' : seal(u, grid) }));
  });

  r.post('/console/directory/import/confirm', async (ctx: Context) => {
    const u = officeOnly(ctx);
    if (!u) return;
    const form = ctx.state.form as URLSearchParams;
    const grid = unseal(u, form.get('grid') ?? '');
    if (!grid) return page(ctx, u, 400, renderImportForm(u, { message: TD.stale, details: [] }));
    const { rows, errors } = validateGrid(grid);
    if (errors.length) return page(ctx, u, 400, renderImportForm(u, { message: TD.stale, details: [] }));
    const saved = await applyRows(deps.dataSource, rows, deps.now(), deps.config);
    deps.log.info({ by: u.userid, units: saved.units, staff: saved.staff }, 'console: directory imported');
    ctx.redirect(`/console/directory?imported=${saved.units}-${saved.staff}`);
  });
}
