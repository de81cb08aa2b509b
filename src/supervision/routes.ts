import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { ModuleDeps } from '../module';
import { principalOf } from '../http/auth';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import { periodOf } from '../calendar/period';
import { VerificationStats, verificationStats } from './stats';
import { statsWorkbook } from './xlsx';
import { automaticByMonth } from './automatic';
import { listSummons } from '../escalations/summons';

const query = z.object({ from: z.string().optional(), to: z.string().optional(), unit: z.string().max(40).optional() });

function json(cal: WorkingCalendar, s: VerificationStats) {
  return { ...s, overdue: s.overdue.map((o) => ({ ...o, dueAt: formatInZone(cal, o.dueAt), closedAt: o.closedAt ? formatInZone(cal, o.closedAt) : null })) };
}

/**
 * `GET /api/v1/stats/verifications?from=YYYY-MM-DD&to=YYYY-MM-DD[&unit=CODE]` (SPEC 1 Art. 13)
 * and `/stats/verifications/export` (.xlsx). The office sees every unit; a unit's key sees
 * its own figures only.
 */
export function supervisionRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const load = async (ctx: Context) => {
    const p = principalOf(ctx);
    const q = query.parse(ctx.query);
    if (p.kind === 'unit' && q.unit && q.unit !== p.unitCode) throw new AppError('forbidden', 'a unit key reads its own figures only');
    const unit = p.kind === 'unit' ? p.unitCode : q.unit;
    const cal = await deps.calendar();
    const now = deps.now();
    const period = periodOf(cal, now, q.from, q.to);
    const automatic = await automaticByMonth(deps.dataSource.manager, cal, period, unit);
    return { cal, stats: await verificationStats(deps.dataSource.manager, period, now, unit), unit, period, automatic };
  };
  r.get('/stats/verifications', async (ctx: Context) => {
    const { cal, stats, automatic } = await load(ctx);
    // 秒核: the share answered by the units' data services, per month and unit ('' = all).
    ctx.body = { ...json(cal, stats), automaticByMonth: automatic };
  });
  r.get('/stats/verifications/export', async (ctx: Context) => {
    const { cal, stats, unit, period, automatic } = await load(ctx);
    const summonses = await listSummons(deps.dataSource.manager, { unit, period });
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.attachment(`verification-stats-${unit ?? 'all'}-${stats.period.from}-${stats.period.to}.xlsx`);
    ctx.body = await statsWorkbook(cal, stats, summonses, automatic);
  });
  return r;
}
