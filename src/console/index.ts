import Router from '@koa/router';
import { Context, Next } from 'koa';
import { ConsoleAuditor } from '../../entities';
import { Module, ModuleDeps, ModuleParts } from '../module';
import { readRawBytes } from '../http/body';
import { isAppError } from '../errors';
import { MultipartError, parseMultipart } from './multipart';
import { TD } from './directory.messages';
import { T } from './messages';
import { errorPage, securityHeaders } from './layout';
import { ConsoleUser, SESSION_COOKIE, csrfValid, loadSession } from './session';
import { authRouter } from './auth';
import { staticRouter } from './static';
import { dashboardRouter } from './dashboard';
import { verificationsRouter } from './verifications';
import { complaintsRouter } from './complaints';
import { exemptionsRouter } from './exemptions';
import { directoryRouter } from './directory';
import { calendarRouter } from './calendar';
import { supervisionRouter } from './supervision';
import { accountabilityConsoleRouter } from './accountability';
import { meetingsConsoleRouter } from './meetings';

/** Paths reachable without a session. */
const OPEN = /^\/console\/(login(\/.*)?|static\/.*)$/;

/** Upload routes take a workbook (multipart) or its confirmation, up to 2 MB; every other form 64 KB. */
const UPLOAD = /^\/console\/directory\/import(\/confirm)?$/;
export const UPLOAD_LIMIT = 2 * 1024 * 1024;
const FORM_LIMIT = 64 * 1024;

/**
 * A POST's fields (urlencoded; multipart on upload routes, its files in ctx.state.files), so
 * the CSRF token is checked the same way for both. Null when a refusal page was sent.
 */
async function readForm(ctx: Context, user: ConsoleUser | null): Promise<URLSearchParams | null> {
  const upload = UPLOAD.test(ctx.path);
  try {
    const raw = await readRawBytes(ctx, upload ? UPLOAD_LIMIT : FORM_LIMIT);
    const type = ctx.get('content-type');
    if (upload && /^multipart\/form-data/i.test(type)) {
      const parts = parseMultipart(raw, type);
      ctx.state.files = parts.files;
      return parts.fields;
    }
    return new URLSearchParams(raw.toString('utf8'));
  } catch (e) {
    if (e instanceof MultipartError) {
      errorPage(ctx, 400, TD.badUpload, user);
      return null;
    }
    if (upload && isAppError(e) && e.code === 'wecom_body_too_large') {
      errorPage(ctx, 413, TD.tooLarge, user);
      return null;
    }
    throw e;
  }
}

/**
 * Loads the session of every console request, refuses a POST without the session's CSRF
 * token (403, nothing changed), and sends a signed-out browser to the sign-in page.
 */
function guard(deps: ModuleDeps) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/console' && !ctx.path.startsWith('/console/')) return next();
    securityHeaders(ctx);
    const user = await loadSession(deps.dataSource.manager, ctx.cookies.get(SESSION_COOKIE), deps.now());
    ctx.state.consoleUser = user;
    if (ctx.method === 'POST') {
      const form = await readForm(ctx, user);
      if (!form) return;
      ctx.state.form = form;
      if (!user || !csrfValid(user, form.get('csrf'))) {
        deps.log.warn({ path: ctx.path, userid: user?.userid ?? null }, 'console form refused: no session or bad CSRF token');
        return errorPage(ctx, 403, T.csrf, user);
      }
      return next();
    }
    if (!user && !OPEN.test(ctx.path)) return ctx.redirect(`/console/login?next=${encodeURIComponent(ctx.path + (ctx.querystring ? `?${ctx.querystring}` : ''))}`);
    return next();
  };
}

/** One router of the whole console: each area is a small router file plus a view file. */
export function consoleRouter(deps: ModuleDeps): Router {
  const r = new Router();
  r.use(guard(deps));
  // The server's address opens the console (sign-in first when signed out).
  r.get('/', (ctx: Context) => ctx.redirect('/console/'));
  r.get('/console', (ctx: Context, next: Next) => (ctx.path === '/console' ? ctx.redirect('/console/') : next()));
  const areas = [
    authRouter(deps),
    staticRouter(),
    dashboardRouter(deps),
    verificationsRouter(deps),
    complaintsRouter(deps),
    exemptionsRouter(deps),
    directoryRouter(deps),
    accountabilityConsoleRouter(deps),
    meetingsConsoleRouter(deps),
    calendarRouter(deps),
    supervisionRouter(deps),
  ];
  for (const sub of areas) r.use(sub.routes(), sub.allowedMethods());
  return r;
}

/** Sandbox demo: one auditor, so the read-only role can be tried too. */
async function seedDemoAuditor(deps: ModuleDeps): Promise<void> {
  const repo = deps.dataSource.getRepository(ConsoleAuditor);
  if (await repo.count()) return;
  await repo.insert({ userid: 'audit.jw', name: '县纪委监委审计员', createdBy: 'sandbox', createdAt: deps.now() });
}

/** The office's web console (CONTRACT.md: GET /console/). */
export const consoleModule: Module = {
  name: 'console',
  register(deps: ModuleDeps): ModuleParts {
    return { publicRouters: [consoleRouter(deps)], seedDemo: () => seedDemoAuditor(deps) };
  },
};
