import crypto from 'crypto';
import Koa, { Context, Next } from 'koa';
import Router from '@koa/router';
import { DataSource } from 'typeorm';
import { errorMiddleware } from './errors';
import { requireApiKey } from './auth';
import { Logger } from '../logger';
import { Metrics } from '../metrics';
import { AppError } from '../errors';

export interface AppDeps {
  dataSource: DataSource;
  log: Logger;
  metrics: Metrics;
  /** Routers mounted before authentication (callback, public list search). */
  publicRouters: Router[];
  /** Routers under /api/v1 that need a key or session. */
  apiRouters: Router[];
  /** Extra readiness checks (e.g. migrations applied). */
  ready: () => Promise<void>;
  /** Refreshes gauges read at scrape time (outbox depth/age). */
  beforeScrape?: () => Promise<void>;
  /** Clock of the API-key cache (tests). */
  apiKeyClock?: () => number;
  /** Proxy hops whose X-Forwarded-For is believed; 0 (default) ignores the header. */
  trustProxy?: number;
  /** When set, GET /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string | null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  // ctx.ip is the client the rate limits key on: with N trusted hops Koa takes the N-th
  // address from the right of X-Forwarded-For, so whatever a client prepends is ignored.
  const hops = deps.trustProxy ?? 0;
  app.proxy = hops > 0;
  app.maxIpsCount = hops;
  app.use(async (ctx: Context, next: Next) => {
    const start = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    ctx.state.reqId = /^[\w-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    ctx.set('X-Request-Id', ctx.state.reqId);
    try {
      await next();
    } finally {
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      deps.metrics.httpDuration.observe({ method: ctx.method, route: String(route), status: String(ctx.status) }, s);
    }
  });
  app.use(errorMiddleware(deps.log));

  const ops = new Router();
  ops.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  ops.get('/readyz', async (ctx) => {
    try {
      await deps.dataSource.query('SELECT 1');
      await deps.ready();
    } catch (e) {
      throw new AppError('not_ready', e instanceof AppError ? e.message : 'database unreachable');
    }
    ctx.body = { status: 'ready' };
  });
  ops.get('/metrics', async (ctx) => {
    if (deps.metricsToken) {
      const m = /^Bearer (.+)$/.exec(ctx.get('authorization'));
      if (!m || !sameSecret(m[1], deps.metricsToken)) throw new AppError('unauthorized', 'GET /metrics needs Authorization: Bearer METRICS_TOKEN');
    }
    if (deps.beforeScrape) await deps.beforeScrape().catch(() => undefined);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  app.use(ops.routes());
  for (const r of deps.publicRouters) app.use(r.routes()).use(r.allowedMethods());

  const api = new Router({ prefix: '/api/v1' });
  api.use(requireApiKey(deps.dataSource, { now: deps.apiKeyClock }));
  for (const r of deps.apiRouters) api.use(r.routes(), r.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods());
  app.use(async (ctx) => {
    if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not_found', `no route for ${ctx.method} ${ctx.path}`);
  });
  return app;
}
