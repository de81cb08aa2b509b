import Router from '@koa/router';
import { Context } from 'koa';
import { Unit } from '../../entities';
import type { ModuleDeps } from '../module';
import { inTransaction } from '../db/tx';
import { isAppError } from '../errors';
import { readRawBytes } from '../http/body';
import { diffVersions, draftDiff, draftEntries, listVersions, publish } from '../exemptions/versions';
import { commentBody, commentLimiter, listComments, markCommentRead, saveComment } from '../exemptions/comments';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { TX } from './exemptions.messages';
import type { ConsoleUser } from './session';
import { renderComments, renderDraft, renderVersions } from './views/exemption-list.view';

const num = (v: unknown): number | null => (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : null);

/** An AppError's reason (details.reason) or code, shown from TX.errors. */
function refusal(e: { code: string; details?: unknown }): string {
  const reason = (e.details as { reason?: string } | undefined)?.reason;
  return reason && TX.errors[reason] ? reason : e.code;
}

function flashOf(ctx: Context): { ok: boolean; text: string } | null {
  if (ctx.query.published && num(ctx.query.published)) return { ok: true, text: TX.published(Number(ctx.query.published)) };
  if (ctx.query.done === 'read') return { ok: true, text: TX.marked };
  if (typeof ctx.query.error === 'string') return { ok: false, text: TX.errors[ctx.query.error] ?? T.errors[ctx.query.error] ?? TX.errors.validation_failed };
  return null;
}

/**
 * The exemption list's working list (draft) and publishing, its published versions and their
 * differences, and the comments from the public (SPEC 2 Art. 5, 11, 12): the same domain
 * functions as the REST API. The office acts; unit staff and auditors read.
 */
export function exemptionListRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;
  const units = async () => new Map((await ds.getRepository(Unit).find({ select: { code: true, name: true } })).map((x) => [x.code, x.name]));

  r.get('/console/exemptions/draft', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const [{ base, diff }, entries] = await Promise.all([draftDiff(ds.manager), draftEntries(ds.manager)]);
    sendPage(ctx, 200, { title: TX.draftTitle, user: u, active: 'exemptions' }, renderDraft({ user: u, base: base?.number ?? null, entries, diff, units: await units(), flash: flashOf(ctx) }));
  });

  r.post('/console/exemptions/publish', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const form = ctx.state.form as URLSearchParams;
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const note = (form.get('note') ?? '').trim();
    if (note.length > 2000) return ctx.redirect('/console/exemptions/draft?error=validation_failed');
    const actor = { kind: 'office' as const, unitCode: null, name: u.name, userid: u.userid };
    try {
      const v = await inTransaction(ds, (m) => publish(m, actor, { note: note || undefined, confirmUnchanged: form.get('confirmUnchanged') === '1' }, deps.now()));
      deps.log.info({ userid: u.userid, version: v.number, entries: v.entryCount }, 'console exemption list published');
      ctx.redirect(`/console/exemptions/versions?published=${v.number}`);
    } catch (e) {
      if (!isAppError(e)) throw e;
      ctx.redirect(`/console/exemptions/draft?error=${encodeURIComponent(refusal(e))}`);
    }
  });

  r.get('/console/exemptions/versions', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const versions = await listVersions(ds.manager);
    let flash = flashOf(ctx);
    let status = 200;
    const asked = ctx.query.from !== undefined || ctx.query.to !== undefined;
    // default: the newest version against the one before it
    let from = asked ? num(ctx.query.from) : (versions[1]?.number ?? versions[0]?.number ?? null);
    let to = asked ? num(ctx.query.to) : (versions[0]?.number ?? null);
    let diff = null;
    if (asked && (from === null || to === null)) {
      [flash, status, from, to] = [{ ok: false, text: TX.errors.version_not_found }, 400, null, null];
    } else if (from !== null && to !== null) {
      try {
        diff = await diffVersions(ds, from, to);
      } catch (e) {
        if (!isAppError(e)) throw e;
        [flash, status] = [{ ok: false, text: TX.errors[refusal(e)] ?? TX.errors.validation_failed }, 404];
      }
    }
    sendPage(ctx, status, { title: TX.versionsTitle, user: u, active: 'exemptions' }, renderVersions({ user: u, tz, versions, from, to, diff, units: await units(), flash }));
  });

  // Comments carry a name and a contact: the office and the auditors, not unit staff (as the API: office only).
  r.get('/console/exemptions/comments', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    if (u.role === 'unit') return errorPage(ctx, 403, T.forbidden, u);
    const comments = await listComments(ds.manager);
    sendPage(ctx, 200, { title: TX.commentsTitle, user: u, active: 'exemptions' }, renderComments({ user: u, tz, comments, flash: flashOf(ctx) }));
  });

  r.post('/console/exemptions/comments/:id/read', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const id = num(ctx.params.id);
    if (id === null) return errorPage(ctx, 404, TX.errors.exemption_not_found, u);
    try {
      await inTransaction(ds, (m) => markCommentRead(m, id, u.name));
    } catch (e) {
      if (!isAppError(e)) throw e;
      return errorPage(ctx, 404, TX.errors.exemption_not_found, u);
    }
    ctx.redirect('/console/exemptions/comments?done=read');
  });

  return r;
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export type CommentOutcome = { status: number; ok: boolean; text: string; old?: { content?: string; name?: string; contact?: string } };

/**
 * The public page's comment form: no session, hence no CSRF token. The same protections as
 * POST /api/v1/exemptions/comments (its validation and its per-IP limit, shared), a 16 KB body,
 * and a browser's Origin, when sent, must be this server's.
 */
export async function publicComment(deps: ModuleDeps, ctx: Context): Promise<CommentOutcome> {
  const origin = ctx.get('origin');
  const own = [`${ctx.protocol}://${ctx.host}`, safeOrigin(deps.config.publicUrl)];
  if (origin && !own.includes(origin)) return { status: 403, ok: false, text: TX.commentCrossSite };
  const hit = commentLimiter(deps.dataSource).hit(ctx.ip || 'unknown', deps.now().getTime());
  if (!hit.ok) {
    ctx.set('Retry-After', String(hit.retryAfterS));
    return { status: 429, ok: false, text: TX.commentTooMany };
  }
  let form: URLSearchParams;
  try {
    form = new URLSearchParams((await readRawBytes(ctx, 16 * 1024)).toString('utf8'));
  } catch (e) {
    if (isAppError(e)) return { status: 413, ok: false, text: TX.commentInvalid };
    throw e;
  }
  const raw = { content: form.get('content') ?? '', name: form.get('name') || undefined, contact: form.get('contact') || undefined };
  const body = commentBody.safeParse(raw);
  if (!body.success) return { status: 400, ok: false, text: TX.commentInvalid, old: raw };
  const saved = await inTransaction(deps.dataSource, (m) => saveComment(m, body.data, deps.now()));
  deps.log.info({ comment: saved.id }, 'public comment on the exemption list');
  return { status: 303, ok: true, text: TX.commentThanks };
}
