import Router from '@koa/router';
import { Context } from 'koa';
import { In } from 'typeorm';
import { Complaint, Escalation, Unit, VerificationRequest } from '../../entities';
import type { ModuleDeps } from '../module';
import { officeMinutesBetween } from '../calendar';
import { verificationStats } from '../supervision/stats';
import { responseTimeDistribution } from '../supervision/response-times';
import { periodOf } from '../calendar/period';
import { listUnits } from '../directory/service';
import { listApplications } from '../exemptions/service';
import { sendPage } from './layout';
import { T } from './messages';
import { scopeRequests, seesAll } from './scope';
import type { ConsoleUser } from './session';
import { DashboardData, renderDashboard } from './views/dashboard.view';
import { automaticCard } from './automatic';

const OPEN = ['pending', 'accepted', 'returning'];

/** The months ending with the current one, as [from, to] local dates. */
function lastMonths(today: string, n: number): Array<{ month: string; from: string; to: string }> {
  const out: Array<{ month: string; from: string; to: string }> = [];
  let y = Number(today.slice(0, 4));
  let m = Number(today.slice(5, 7));
  for (let i = 0; i < n; i++) {
    const mm = String(m).padStart(2, '0');
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const month = `${y}-${mm}`;
    out.unshift({ month, from: `${month}-01`, to: i === 0 ? today : `${month}-${String(last).padStart(2, '0')}` });
    if (--m === 0) {
      m = 12;
      y--;
    }
  }
  return out;
}

/** Everything the first page shows, read through the modules' own queries where they exist. */
export async function dashboardData(deps: ModuleDeps, u: ConsoleUser, now: Date): Promise<DashboardData> {
  const m = deps.dataSource.manager;
  const cal = await deps.calendar();
  const today = cal.localDate(now);
  const endOfToday = periodOf(cal, now, today, today).end;
  const open = await scopeRequests(m.getRepository(VerificationRequest).createQueryBuilder('r'), u)
    .andWhere('r.status IN (:...open)', { open: OPEN })
    .andWhere('r.due_at < :eod', { eod: endOfToday })
    .orderBy('r.due_at', 'ASC')
    .limit(200)
    .getMany();
  const overdueOpen = await scopeRequests(m.getRepository(VerificationRequest).createQueryBuilder('r'), u)
    .andWhere('r.status IN (:...open)', { open: OPEN })
    .andWhere('r.due_at <= :now', { now })
    .orderBy('r.due_at', 'ASC')
    .limit(200)
    .getMany();
  const escalations = overdueOpen.length ? await m.getRepository(Escalation).find({ where: { requestId: In(overdueOpen.map((r) => r.id)) }, order: { id: 'ASC' } }) : [];
  const units = new Map((await m.getRepository(Unit).find()).map((x) => [x.code, x.name]));
  const scopeUnit = seesAll(u) ? undefined : u.unitCode ?? undefined;

  const months = lastMonths(today, 6);
  const perMonth: Array<{ month: string; stats: Awaited<ReturnType<typeof verificationStats>> }> = [];
  for (const mo of months) perMonth.push({ month: mo.month, stats: await verificationStats(m, periodOf(cal, now, mo.from, mo.to), now, scopeUnit) });

  const responseTimes = await responseTimeDistribution(m, cal, periodOf(cal, now, months[0].from, today), scopeUnit);

  let complaints: Array<{ status: string; n: number }> | null = null;
  let applications: DashboardData['applications'] = [];
  let gaps: DashboardData['gaps'] = [];
  if (seesAll(u)) {
    const rows = await m.getRepository(Complaint).createQueryBuilder('c').select('c.status', 'status').addSelect('COUNT(*)', 'n').groupBy('c.status').getRawMany<{ status: string; n: string | number }>();
    complaints = rows.map((r) => ({ status: r.status, n: Number(r.n) }));
    const actor = { kind: 'office' as const, unitCode: null, name: u.userid, userid: u.userid };
    applications = (await listApplications(m, actor, 'pending', 20)).map((a) => ({ id: a.id, unit: units.get(a.unitCode) ?? a.unitCode, kind: a.kind, dueAt: a.dueAt }));
    gaps = (await listUnits(m)).filter((x) => x.gaps.length).map((x) => ({ unit: x.name, gaps: x.gaps }));
  } else {
    gaps = (await listUnits(m, [u.unitCode ?? ''])).filter((x) => x.gaps.length).map((x) => ({ unit: x.name, gaps: x.gaps }));
  }

  const row = (r: VerificationRequest) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    requester: units.get(r.requesterUnit) ?? r.requesterUnit,
    issuer: units.get(r.issuerUnit) ?? r.issuerUnit,
    dueAt: r.dueAt,
    remaining: Math.round(officeMinutesBetween(cal, now, r.dueAt) * 10) / 10,
    late: Math.round(officeMinutesBetween(cal, r.dueAt, now)),
    level: Math.max(0, ...escalations.filter((e) => e.requestId === r.id).map((e) => e.level)),
  });
  return {
    now,
    tz: deps.config.officeTz,
    windows: [...cal.localDayAt(now.getTime()).windows],
    today: open.filter((r) => r.dueAt.getTime() > now.getTime()).map(row),
    overdue: overdueOpen.map(row),
    onTime: {
      months: months.map((x) => x.month),
      units: [...new Set(perMonth.flatMap((p) => p.stats.units.map((x) => x.unit)))].map((code) => ({
        name: units.get(code) ?? code,
        rates: perMonth.map((p) => {
          const f = p.stats.units.find((x) => x.unit === code);
          return f?.onTimeRate == null ? null : Math.round(f.onTimeRate * 1000) / 10;
        }),
      })),
    },
    complaints,
    applications,
    gaps,
    responseTimes,
    automaticHtml: await automaticCard(m, cal, now, months.map((x) => x.month), scopeUnit),
  };
}

export function dashboardRouter(deps: ModuleDeps): Router {
  const r = new Router();
  r.get('/console/', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const data = await dashboardData(deps, u, deps.now());
    sendPage(ctx, 200, { title: T.dash.title, user: u, active: 'dashboard', scripts: ['/console/static/echarts.min.js', '/console/static/console.js'] }, renderDashboard(data));
  });
  return r;
}
