import { esc } from '../layout';
import { T } from '../messages';
import { KIND_LABEL } from '../../exemptions/messages';
import { jsonBlock, shortAt } from './format';
import { ResponseTimes, responseTimesCard } from './response-times.view';

export interface DashRow {
  id: number;
  number: string;
  status: string;
  requester: string;
  issuer: string;
  dueAt: Date;
  /** Office minutes left at rendering (0 when due). */
  remaining: number;
  /** Office minutes past the deadline. */
  late: number;
  /** Highest escalation level (0: not escalated). */
  level: number;
}

export interface DashboardData {
  now: Date;
  tz: string;
  /** Today's office windows, flat UTC ms pairs, for the live countdown. */
  windows: number[];
  today: DashRow[];
  overdue: DashRow[];
  onTime: { months: string[]; units: Array<{ name: string; rates: Array<number | null> }> };
  /** null: not shown to this role. */
  complaints: Array<{ status: string; n: number }> | null;
  applications: Array<{ id: number; unit: string; kind: string | null; dueAt: Date }>;
  gaps: Array<{ unit: string; gaps: string[] }>;
  /** Answered requests by response time (office time), bucket by bucket. */
  responseTimes: ResponseTimes;
  /** The 秒核 card (views/automatic.view.ts), rendered. */ automaticHtml?: string;
}

const none = `<p class="muted">${esc(T.dash.none)}</p>`;

function requestLink(r: DashRow): string {
  return `<a href="/console/verifications/${r.id}">${esc(r.number)}</a>`;
}

function todayTable(d: DashboardData): string {
  if (!d.today.length) return none;
  const v = T.v;
  return `<div class="table-wrap"><table class="stack"><thead><tr><th scope="col">${esc(v.number)}</th><th scope="col">${esc(v.issuer)}</th><th scope="col">${esc(v.status)}</th><th scope="col">${esc(v.dueAt)}</th><th scope="col">${esc(T.dash.countdown)}</th></tr></thead><tbody>${d.today
    .map(
      (r) =>
        `<tr><td data-label="${esc(v.number)}">${requestLink(r)}</td><td data-label="${esc(v.issuer)}">${esc(r.issuer)}</td><td data-label="${esc(v.status)}">${esc(T.status[r.status] ?? r.status)}</td><td data-label="${esc(v.dueAt)}">${esc(shortAt(d.tz, r.dueAt))}</td><td data-label="${esc(T.dash.countdown)}"><span data-remaining="${r.remaining}">${esc(T.minutes(r.remaining))}</span></td></tr>`,
    )
    .join('')}</tbody></table></div>`;
}

function overdueList(d: DashboardData): string {
  if (!d.overdue.length) return none;
  return `<ul class="plain">${d.overdue
    .map((r) => `<li>${requestLink(r)} ${esc(r.issuer)} · <span class="due">${esc(T.dash.late(T.minutes(r.late)))}</span>${r.level ? ` <span class="badge">${esc(T.dash.level(r.level))}</span>` : ''}</li>`)
    .join('')}</ul>`;
}

function onTimeChart(d: DashboardData): string {
  if (!d.onTime.units.length) return none;
  const option = {
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: null },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: 'category', data: d.onTime.months },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: d.onTime.units.map((u) => ({ name: u.name, type: 'line', connectNulls: true, data: u.rates })),
  };
  // The table is the accessible twin of the chart.
  const table = `<details><summary>${esc(T.dash.onTime)}</summary><div class="table-wrap"><table><thead><tr><th scope="col">${esc(T.v.unit)}</th>${d.onTime.months.map((m) => `<th scope="col">${esc(m)}</th>`).join('')}</tr></thead><tbody>${d.onTime.units
    .map((u) => `<tr><th scope="row">${esc(u.name)}</th>${u.rates.map((x) => `<td>${x == null ? '—' : `${x}%`}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div></details>`;
  return `<div class="chart" data-chart="chart-ontime" role="img" aria-label="${esc(T.dash.onTime)}"></div>${jsonBlock('chart-ontime', option)}${table}`;
}

export function renderDashboard(d: DashboardData): string {
  const clock = `<div id="office-clock" hidden data-windows="${esc(JSON.stringify(d.windows))}" data-rendered="${d.now.getTime()}" data-label-due="${esc(T.clock.due)}" data-label-h="${esc(T.clock.h)}" data-label-m="${esc(T.clock.m)}"></div>`;
  const cards = [
    `<section class="card wide" aria-labelledby="h-today"><h2 id="h-today">${esc(T.dash.today)}</h2>${todayTable(d)}</section>`,
    `<section class="card" aria-labelledby="h-overdue"><h2 id="h-overdue">${esc(T.dash.overdue)}</h2>${overdueList(d)}</section>`,
    `<section class="card" aria-labelledby="h-ontime"><h2 id="h-ontime">${esc(T.dash.onTime)}</h2>${onTimeChart(d)}</section>`,
    responseTimesCard(d.responseTimes),
    ...(d.automaticHtml ? [d.automaticHtml] : []),
  ];
  if (d.complaints) {
    cards.push(
      `<section class="card" aria-labelledby="h-complaints"><h2 id="h-complaints">${esc(T.dash.complaints)}</h2>${
        d.complaints.length ? `<ul class="plain">${d.complaints.map((c) => `<li>${esc(T.complaintStatus[c.status] ?? c.status)}：<strong>${c.n}</strong></li>`).join('')}</ul>` : none
      }</section>`,
      `<section class="card" aria-labelledby="h-apps"><h2 id="h-apps">${esc(T.dash.applications)}</h2>${
        d.applications.length ? `<ul class="plain">${d.applications.map((a) => `<li>${esc(a.unit)} · ${esc(a.kind ? KIND_LABEL[a.kind as keyof typeof KIND_LABEL] ?? a.kind : '')} · ${esc(T.v.dueAt)} ${esc(shortAt(d.tz, a.dueAt))}</li>`).join('')}</ul>` : none
      }</section>`,
    );
  }
  cards.push(`<section class="card" aria-labelledby="h-gaps"><h2 id="h-gaps">${esc(T.dash.gaps)}</h2>${d.gaps.length ? `<ul class="plain">${d.gaps.map((g) => `<li>${esc(g.unit)}：${g.gaps.map((x) => esc(T.gap[x] ?? x)).join('、')}</li>`).join('')}</ul>` : none}</section>`);
  return `<h1>${esc(T.dash.title)}</h1>${clock}<div class="grid">${cards.join('')}</div>`;
}
