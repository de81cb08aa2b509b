import Router from '@koa/router';
import { Context } from 'koa';
import { Unit } from '../../entities';
import type { ModuleDeps } from '../module';
import { inTransaction } from '../db/tx';
import { isAppError } from '../errors';
import { SlidingWindowLimiter, rateLimit } from '../http/rate-limit';
import { describeLines, listApplications, review, type Decision } from '../exemptions/service';
import { MAX_QUERY_LENGTH, searchLatest } from '../exemptions/lookup';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { seesAll } from './scope';
import type { ConsoleUser } from './session';
import { renderExemptions, renderPublicList } from './views/exemptions.view';
import { exemptionListRouter, publicComment } from './exemption-list';
import { TX } from './exemptions.messages';

const DECISIONS: readonly Decision[] = ['approve', 'return', 'reject'];
const query = (ctx: Context) => (typeof ctx.query.q === 'string' ? ctx.query.q.trim().slice(0, MAX_QUERY_LENGTH) : '');

/**
 * The exemption list (SPEC 2): applications to review (Art. 10) and the published list in the
 * console, and the public search page anyone opens without signing in (Art. 11).
 */
export function exemptionsRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;

  r.get('/console/exemptions', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const m = ds.manager;
    const actor = seesAll(u) ? { kind: 'office' as const, unitCode: null, name: u.userid } : { kind: 'unit' as const, unitCode: u.unitCode, name: u.userid };
    const apps = await listApplications(m, actor, 'pending', 100);
    const lines = await Promise.all(apps.map((a) => describeLines(m, a)));
    const units = new Map((await m.getRepository(Unit).find()).map((x) => [x.code, x.name]));
    const q = query(ctx);
    const list = await searchLatest(ds, q, 0, 200);
    const flash = typeof ctx.query.done === 'string' ? { ok: true, text: T.x.done[ctx.query.done] ?? '' } : typeof ctx.query.error === 'string' ? { ok: false, text: T.x.errors[ctx.query.error] ?? T.errors[ctx.query.error] ?? ctx.query.error } : null;
    sendPage(ctx, 200, { title: T.x.title, user: u, active: 'exemptions' }, renderExemptions({ user: u, tz, apps: apps.map((a, i) => ({ app: a, unit: units.get(a.unitCode) ?? a.unitCode, lines: lines[i] })), list, q, flash }));
  });

  r.post('/console/exemptions/applications/:id/review', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const form = ctx.state.form as URLSearchParams;
    // SPEC 2 Art. 10: the office reviews; units and auditors read.
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const id = /^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : null;
    const decision = form.get('decision') as Decision | null;
    if (id === null || !decision || !DECISIONS.includes(decision)) return ctx.redirect('/console/exemptions?error=validation_failed');
    const cal = await deps.calendar();
    const now = deps.now();
    try {
      await inTransaction(ds, (m) => review(m, cal, { kind: 'office', unitCode: u.unitCode, name: u.userid, userid: u.userid, display: u.name }, id, decision, (form.get('comment') ?? '').trim() || null, now));
    } catch (e) {
      if (!isAppError(e)) throw e;
      return ctx.redirect(`/console/exemptions?error=${encodeURIComponent(e.code)}`);
    }
    deps.log.info({ userid: u.userid, applicationId: id, decision }, 'console exemption review');
    ctx.redirect(`/console/exemptions?done=${decision}`);
  });

  // Public, no sign-in: anyone searches the published list (rate limited per client).
  const limit = rateLimit(new SlidingWindowLimiter(60, 60_000), () => deps.now().getTime());
  r.get('/exemptions', limit, async (ctx: Context) => {
    const q = query(ctx);
    const list = await searchLatest(ds, q, 0, 50);
    const flash = ctx.query.sent === '1' ? { ok: true, text: TX.commentThanks } : null;
    sendPage(ctx, 200, { title: T.x.publicTitle }, renderPublicList({ list, q, tz, flash }));
  });

  // Public comments (Art. 12) from the page: see publicComment for why there is no CSRF token.
  r.post('/exemptions/comments', async (ctx: Context) => {
    const out = await publicComment(deps, ctx);
    if (out.ok) {
      ctx.status = 303;
      return ctx.redirect('/exemptions?sent=1#h-comment');
    }
    const list = await searchLatest(ds, '', 0, 50);
    sendPage(ctx, out.status, { title: T.x.publicTitle }, renderPublicList({ list, q: '', tz, flash: { ok: false, text: out.text }, old: out.old }));
  });

  const sub = exemptionListRouter(deps);
  r.use(sub.routes(), sub.allowedMethods());

  return r;
}
