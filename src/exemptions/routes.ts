import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { ExemptionEntry } from '../../entities';
import type { ExemptionMethod } from '../../entities/ExemptionEntry';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { principalOf, requireOffice, Principal } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { formatInZone } from '../calendar';
import { latestVersion, searchLatest, searchVersion, MAX_QUERY_LENGTH, PublishedEntryView } from './lookup';
import { CATEGORIES, KINDS, METHODS } from './rules';
import { isValidDate } from '../directory/rules';
import { Actor } from './common';
import { apply, resubmit, withdraw, recordCause } from './applications';
import { review } from './review';
import { applicationView, entryView, getApplication, listApplications } from './views';
import { diffVersions, draftDiff, draftEntries, findVersion, listVersions, publish, versionEntries, versionView } from './versions';
import { importList, listWorkbook, parseListWorkbook, MAX_IMPORT_BYTES } from './xlsx';
import { SlidingWindowLimiter, rateLimit } from '../http/rate-limit';
import { XLSX } from './messages';
import { COMMENT_LIMIT, commentBody, commentLimiter, listComments, markCommentRead, saveComment } from './comments';

// ---------------------------------------------------------------- request bodies

const dateField = z.string().refine(isValidDate, 'must be a date YYYY-MM-DD');
const unitCodeField = z.string().trim().min(1).max(40);

/** Entry fields as an application or an import carries them (Art. 3, Art. 9). */
export const entryFieldsSchema = {
  serviceItem: z.string().trim().min(1).max(200),
  certificate: z.string().trim().min(1).max(200),
  requesterUnit: unitCodeField,
  issuerUnit: unitCodeField,
  method: z.enum(METHODS as [string, ...string[]]),
  legalBasis: z.string().trim().min(1).max(2000),
  defaultCategory: z.enum(CATEGORIES as [string, ...string[]]),
};

/** Body of POST /api/v1/exemptions/applications. */
export const applicationBody = z
  .object({
    kind: z.enum(KINDS as [string, ...string[]]),
    reason: z.string().trim().min(1).max(40),
    entryId: z.number().int().positive().optional(),
    /** Office only: the unit the adjustment concerns (default: the office itself). */
    unitCode: unitCodeField.optional(),
    /** A recorded cause (draft) this application completes. */
    draftId: z.number().int().positive().optional(),
    causeDate: dateField.optional(),
    note: z.string().trim().max(2000).optional(),
    serviceItem: entryFieldsSchema.serviceItem.optional(),
    certificate: entryFieldsSchema.certificate.optional(),
    requesterUnit: entryFieldsSchema.requesterUnit.optional(),
    issuerUnit: entryFieldsSchema.issuerUnit.optional(),
    method: entryFieldsSchema.method.optional(),
    legalBasis: entryFieldsSchema.legalBasis.optional(),
    defaultCategory: entryFieldsSchema.defaultCategory.optional(),
  })
  .strict();
export type ApplicationInput = z.infer<typeof applicationBody>;

/** Body of POST .../applications/{id}/resubmit: the same, without kind, entry and cause. */
export const resubmitBody = applicationBody.omit({ kind: true, entryId: true, unitCode: true, draftId: true, causeDate: true }).partial().strict();
export type ResubmitInput = z.infer<typeof resubmitBody>;

/** Body of POST /api/v1/exemptions/causes: a cause arose; the unit must apply within 7 working days. */
export const causeBody = z.object({ unitCode: unitCodeField.optional(), causeDate: dateField, note: z.string().trim().max(500).optional() }).strict();
export type CauseInput = z.infer<typeof causeBody>;

export const reviewBody = z.object({ decision: z.enum(['approve', 'return', 'reject']), comment: z.string().trim().max(2000).optional() }).strict();

/** Public limits per client IP (Art. 12 access without a key). */
export const PUBLIC_LIMITS = {
  search: { limit: 60, windowMs: 60_000 },
  comment: COMMENT_LIMIT,
  export: { limit: 10, windowMs: 60_000 },
};

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function actorOf(p: Principal): Actor {
  return p.kind === 'office' ? { kind: 'office', unitCode: null, name: p.name, userid: p.userid } : { kind: 'unit', unitCode: p.unitCode, name: p.name, userid: p.userid };
}

function idParam(v: string | undefined, what: string): number {
  if (!v || !/^\d{1,9}$/.test(v) || Number(v) < 1) throw new AppError('exemption_not_found', `no ${what} ${v ?? ''}`);
  return Number(v);
}

/** A single query-string value; repeated keys are refused. */
function single(v: unknown): string | undefined {
  if (Array.isArray(v)) throw new AppError('validation_failed', 'a query parameter was given more than once');
  return typeof v === 'string' ? v : undefined;
}

const searchQuery = z.object({
  q: z.string().max(MAX_QUERY_LENGTH, `q: at most ${MAX_QUERY_LENGTH} characters`).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
  method: z.enum(METHODS as [string, ...string[]]).optional(),
  version: z.coerce.number().int().min(1).optional(),
});

function xlsxFilename(name: string): string {
  return `attachment; filename="exemptions.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}.xlsx`;
}

/**
 * Public routes (Art. 12): search of the published list, versions and their differences,
 * a version as a workbook, and comments. Mounted before authentication; rate limited per IP.
 */
export function exemptionsPublicRouter(deps: ModuleDeps): Router {
  const r = new Router({ prefix: '/api/v1/exemptions' });
  const ds = deps.dataSource;
  const nowMs = () => deps.now().getTime();
  const search = rateLimit(new SlidingWindowLimiter(PUBLIC_LIMITS.search.limit, PUBLIC_LIMITS.search.windowMs), nowMs);
  const comment = rateLimit(commentLimiter(ds), nowMs);
  const exporting = rateLimit(new SlidingWindowLimiter(PUBLIC_LIMITS.export.limit, PUBLIC_LIMITS.export.windowMs), nowMs);
  const fmt = async () => {
    const cal = await deps.calendar();
    return (d: Date) => formatInZone(cal, d);
  };

  r.get('/', search, async (ctx: Context) => {
    const q = searchQuery.parse({ q: single(ctx.query.q), page: single(ctx.query.page), pageSize: single(ctx.query.pageSize), method: single(ctx.query.method), version: single(ctx.query.version) });
    const text = (q.q ?? '').trim();
    const offset = (q.page - 1) * q.pageSize;
    const method = q.method as ExemptionMethod | undefined;
    let res: { version: { number: number; publishedAt: Date } | null; items: PublishedEntryView[]; total: number | null } | null = null;
    if (q.version) {
      const v = await findVersion(ds, q.version);
      // an older version is searched in the database; the latest in memory
      if (v.number !== (await latestVersion(ds))?.number) res = { version: v, ...(await searchVersion(ds, v.id, text, offset, q.pageSize, true, method)) };
    }
    res ??= await searchLatest(ds, text, offset, q.pageSize, method);
    const f = await fmt();
    ctx.body = {
      version: res.version ? { number: res.version.number, publishedAt: f(res.version.publishedAt) } : null,
      q: q.q ?? '',
      page: q.page,
      pageSize: q.pageSize,
      total: res.total ?? 0,
      items: res.items,
    };
  });

  r.get('/versions', search, async (ctx: Context) => {
    const f = await fmt();
    ctx.body = { versions: (await listVersions(ds)).map((v) => versionView(v, f)) };
  });

  r.get('/versions/:a/diff/:b', search, async (ctx: Context) => {
    const { from, to, diff } = await diffVersions(ds, idParam(ctx.params.a, 'version'), idParam(ctx.params.b, 'version'));
    const f = await fmt();
    ctx.body = { from: versionView(from, f), to: versionView(to, f), added: diff.added, changed: diff.changed, cancelled: diff.cancelled };
  });

  r.get('/versions/:n/export', exporting, async (ctx: Context) => {
    const v = await findVersion(ds, idParam(ctx.params.n, 'version'));
    const date = (await fmt())(v.publishedAt).slice(0, 10);
    const title = XLSX.title(v.number, date);
    ctx.set('Content-Disposition', xlsxFilename(title));
    ctx.type = XLSX_TYPE;
    ctx.body = await listWorkbook(ds.manager, await versionEntries(ds, v.id), title);
  });

  r.post('/comments', comment, async (ctx: Context) => {
    const body = commentBody.parse(await readJson(ctx, 16 * 1024));
    const now = deps.now();
    const saved = await inTransaction(ds, (m) => saveComment(m, body, now));
    ctx.status = 201;
    ctx.body = { id: saved.id };
  });

  return r;
}

/** Units apply; the office reviews, starts adjustments, publishes, imports (Art. 9-11). Under /api/v1, with a key. */
export function exemptionsApiRouter(deps: ModuleDeps): Router {
  const r = new Router({ prefix: '/exemptions' });
  const ds = deps.dataSource;

  r.post('/applications', async (ctx: Context) => {
    const actor = actorOf(principalOf(ctx));
    const body = applicationBody.parse(await readJson(ctx));
    const cal = await deps.calendar();
    const a = await inTransaction(ds, (m) => apply(m, cal, actor, body, deps.now()));
    deps.log.info({ application: a.id, unit: a.unitCode, kind: a.kind, late: a.late }, 'exemption application filed');
    ctx.status = 201;
    ctx.body = applicationView(a, cal);
  });

  r.get('/applications', async (ctx: Context) => {
    const actor = actorOf(principalOf(ctx));
    const status = single(ctx.query.status);
    const cal = await deps.calendar();
    ctx.body = { applications: (await listApplications(ds.manager, actor, status)).map((a) => applicationView(a, cal)) };
  });

  r.get('/applications/:id', async (ctx: Context) => {
    const actor = actorOf(principalOf(ctx));
    const cal = await deps.calendar();
    ctx.body = applicationView(await getApplication(ds.manager, actor, idParam(ctx.params.id, 'application')), cal);
  });

  r.post('/applications/:id/review', async (ctx: Context) => {
    const actor = actorOf(requireOffice(ctx));
    const id = idParam(ctx.params.id, 'application');
    const body = reviewBody.parse(await readJson(ctx));
    const cal = await deps.calendar();
    const a = await inTransaction(ds, (m) => review(m, cal, actor, id, body.decision, body.comment ?? null, deps.now()));
    ctx.body = applicationView(a, cal);
  });

  r.post('/applications/:id/resubmit', async (ctx: Context) => {
    const actor = actorOf(principalOf(ctx));
    const id = idParam(ctx.params.id, 'application');
    const body = resubmitBody.parse(await readJson(ctx));
    const cal = await deps.calendar();
    const a = await inTransaction(ds, (m) => resubmit(m, cal, actor, id, body, deps.now()));
    ctx.body = applicationView(a, cal);
  });

  r.post('/applications/:id/withdraw', async (ctx: Context) => {
    const actor = actorOf(principalOf(ctx));
    const id = idParam(ctx.params.id, 'application');
    const cal = await deps.calendar();
    const a = await inTransaction(ds, (m) => withdraw(m, actor, id, deps.now()));
    ctx.body = applicationView(a, cal);
  });

  r.post('/causes', async (ctx: Context) => {
    const actor = actorOf(principalOf(ctx));
    const body = causeBody.parse(await readJson(ctx));
    const cal = await deps.calendar();
    const a = await inTransaction(ds, (m) => recordCause(m, cal, actor, body, deps.now()));
    ctx.status = 201;
    ctx.body = applicationView(a, cal);
  });

  r.post('/publish', async (ctx: Context) => {
    const actor = actorOf(requireOffice(ctx));
    const body = z.object({ note: z.string().trim().max(2000).optional(), confirmUnchanged: z.boolean().optional() }).strict().parse(await readJson(ctx));
    const v = await inTransaction(ds, (m) => publish(m, actor, body, deps.now()));
    deps.log.info({ version: v.number, entries: v.entryCount }, 'exemption list published');
    const cal = await deps.calendar();
    ctx.status = 201;
    ctx.body = versionView(v, (d) => formatInZone(cal, d));
  });

  r.get('/draft', async (ctx: Context) => {
    requireOffice(ctx);
    const { base, diff } = await draftDiff(ds.manager);
    ctx.body = { baseVersion: base?.number ?? null, added: diff.added, changed: diff.changed, cancelled: diff.cancelled };
  });

  r.get('/draft/export', async (ctx: Context) => {
    requireOffice(ctx);
    const cal = await deps.calendar();
    const title = XLSX.title(null, cal.localDate(deps.now()));
    ctx.set('Content-Disposition', xlsxFilename(title));
    ctx.type = XLSX_TYPE;
    ctx.body = await listWorkbook(ds.manager, await draftEntries(ds.manager), title);
  });

  /** The county's current list as .xlsx (raw body); all or nothing (README: list format). */
  r.post('/import', async (ctx: Context) => {
    const actor = actorOf(requireOffice(ctx));
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(ctx.get('content-length') || '0');
    if (declared > MAX_IMPORT_BYTES) throw new AppError('exemption_import_invalid', `file larger than ${MAX_IMPORT_BYTES} bytes`);
    for await (const c of ctx.req) {
      size += (c as Buffer).length;
      if (size > MAX_IMPORT_BYTES) throw new AppError('exemption_import_invalid', `file larger than ${MAX_IMPORT_BYTES} bytes`);
      chunks.push(c as Buffer);
    }
    const parsed = await parseListWorkbook(Buffer.concat(chunks));
    const result = await inTransaction(ds, (m) => importList(m, actor, parsed, deps.now()));
    deps.log.info({ ...result }, 'exemption list imported');
    ctx.body = result;
  });

  r.get('/entries/:id', async (ctx: Context) => {
    principalOf(ctx);
    const e = await ds.getRepository(ExemptionEntry).findOneBy({ id: idParam(ctx.params.id, 'entry') });
    if (!e) throw new AppError('exemption_not_found', `no list entry ${ctx.params.id}`);
    ctx.body = entryView(e);
  });

  r.get('/comments', async (ctx: Context) => {
    requireOffice(ctx);
    const status = single(ctx.query.status);
    const cal = await deps.calendar();
    ctx.body = { comments: (await listComments(ds.manager, status)).map((c) => ({ ...c, createdAt: formatInZone(cal, c.createdAt) })) };
  });

  r.post('/comments/:id/read', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const id = idParam(ctx.params.id, 'comment');
    await inTransaction(ds, (m) => markCommentRead(m, id, p.name));
    ctx.status = 204;
  });

  return r;
}
