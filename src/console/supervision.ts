import Router from '@koa/router';
import { Context } from 'koa';
import { Unit } from '../../entities';
import type { ModuleDeps } from '../module';
import { isAppError } from '../errors';
import { Period, periodOf } from '../calendar/period';
import { verificationStats } from '../supervision/stats';
import { statsWorkbook } from '../supervision/xlsx';
import { listSummons } from '../escalations/summons';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { SUP } from './calendar.messages';
import { seesAll } from './scope';
import type { ConsoleUser } from './session';
import { renderSupervision, SupervisionQuery } from './views/supervision.view';

const KINDS = ['month', 'quarter', 'year', 'custom'] as const;
const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => `${y}-${pad(m)}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}`;
const int = (v: unknown, min: number, max: number): number | null => (typeof v === 'string' && /^\d{1,4}$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : null);
const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 20) : '');

/** The period the form asks for: a month, a quarter, a year, or a custom range; defaults to this month. */
export function periodQuery(q: Record<string, unknown>, today: string): SupervisionQuery {
  const kind = (KINDS as readonly string[]).includes(str(q.period)) ? (str(q.period) as SupervisionQuery['kind']) : 'month';
  const year = int(q.year, 2000, 2100) ?? Number(today.slice(0, 4));
  const month = int(q.month, 1, 12) ?? Number(today.slice(5, 7));
  const quarter = int(q.quarter, 1, 4) ?? Math.ceil(Number(today.slice(5, 7)) / 3);
  const unit = /^[A-Za-z0-9_.\-]{1,40}$/.test(str(q.unit)) ? str(q.unit) : '';
  let from: string;
  let to: string;
  if (kind === 'month') [from, to] = [`${year}-${pad(month)}-01`, lastDay(year, month)];
  else if (kind === 'quarter') [from, to] = [`${year}-${pad(quarter * 3 - 2)}-01`, lastDay(year, quarter * 3)];
  else if (kind === 'year') [from, to] = [`${year}-01-01`, `${year}-12-31`];
  else [from, to] = [str(q.from), str(q.to)];
  return { kind, year, month, quarter, from, to, unit };
}

/** The query string of a period (the export link repeats the page's). */
export function queryString(q: SupervisionQuery): string {
  const p = new URLSearchParams({ period: q.kind });
  if (q.kind === 'custom') p.set('from', q.from), p.set('to', q.to);
  else p.set('year', String(q.year));
  if (q.kind === 'month') p.set('month', String(q.month));
  if (q.kind === 'quarter') p.set('quarter', String(q.quarter));
  if (q.unit) p.set('unit', q.unit);
  return p.toString();
}

/**
 * SPEC 1 Art. 13 in the console: the supervision figures per unit and per person for a
 * period, and the same figures as .xlsx. Unit staff see their own unit only; the auditor reads
 * and exports everything.
 */
export function supervisionRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const m = deps.dataSource.manager;

  /** The period and the unit this user may read, or why not. */
  const load = async (ctx: Context): Promise<{ q: SupervisionQuery; unit: string | undefined; period: Period | null; error: string | null; thisYear: number } | null> => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const cal = await deps.calendar();
    const now = deps.now();
    const q = periodQuery(ctx.query, cal.localDate(now));
    if (!seesAll(u)) {
      if (q.unit && q.unit !== u.unitCode) {
        errorPage(ctx, 403, T.forbidden, u);
        return null;
      }
      q.unit = u.unitCode ?? '';
    }
    try {
      return { q, unit: q.unit || undefined, period: periodOf(cal, now, q.from, q.to), error: null, thisYear: Number(cal.localDate(now).slice(0, 4)) };
    } catch (e) {
      if (!isAppError(e)) throw e;
      return { q, unit: q.unit || undefined, period: null, error: SUP.badPeriod, thisYear: Number(cal.localDate(now).slice(0, 4)) };
    }
  };

  r.get('/console/supervision', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const got = await load(ctx);
    if (!got) return;
    const stats = got.period ? await verificationStats(m, got.period, deps.now(), got.unit) : null;
    const units = await m.getRepository(Unit).find({ order: { code: 'ASC' } });
    const options = seesAll(u) ? units : units.filter((x) => x.code === u.unitCode);
    sendPage(ctx, got.error ? 400 : 200, { title: SUP.title, user: u, active: 'supervision' }, renderSupervision({ q: got.q, stats, units: options, fixedUnit: !seesAll(u), error: got.error, exportHref: `/console/supervision/export?${queryString(got.q)}`, thisYear: got.thisYear }));
  });

  r.get('/console/supervision/export', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const got = await load(ctx);
    if (!got) return;
    if (!got.period) return errorPage(ctx, 400, SUP.badPeriod, u);
    const cal = await deps.calendar();
    const stats = await verificationStats(m, got.period, deps.now(), got.unit);
    const summonses = await listSummons(m, { unit: got.unit, period: got.period });
    deps.log.info({ userid: u.userid, unit: got.unit ?? null, from: got.period.from, to: got.period.to }, 'console supervision export');
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.attachment(`verification-stats-${got.unit ?? 'all'}-${stats.period.from}-${stats.period.to}.xlsx`);
    ctx.body = await statsWorkbook(cal, stats, summonses);
  });
  return r;
}
