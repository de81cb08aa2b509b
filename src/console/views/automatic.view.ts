import { esc } from '../layout';
import { jsonBlock } from './format';

/** The share of requests answered by the units' data services (秒核), per month: all units, then each unit. */
export interface AutomaticChart {
  months: string[];
  series: Array<{ name: string; shares: Array<number | null>; requests: number[]; automatic: number[] }>;
}

/** User-facing text of the figure (Chinese). */
export const AUTO_TEXT = {
  title: '数据自动答复占比（秒核）',
  all: '全部单位',
  none: '近几个月尚无协查。',
  cell: (share: number | null, automatic: number, requests: number) => (share === null ? '—' : `${share}%（${automatic}/${requests}）`),
};

function chart(a: AutomaticChart): string {
  const option = {
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: null },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: 'category', data: a.months },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: a.series.map((s, i) => ({ name: s.name, type: i === 0 ? 'bar' : 'line', connectNulls: true, data: s.shares })),
  };
  // The table is the accessible twin of the chart.
  const table = `<details><summary>${esc(AUTO_TEXT.title)}</summary><div class="table-wrap"><table><thead><tr><th scope="col"></th>${a.months.map((m) => `<th scope="col">${esc(m)}</th>`).join('')}</tr></thead><tbody>${a.series
    .map((s) => `<tr><th scope="row">${esc(s.name)}</th>${s.shares.map((x, i) => `<td>${esc(AUTO_TEXT.cell(x, s.automatic[i], s.requests[i]))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div></details>`;
  return `<div class="chart" data-chart="chart-automatic" role="img" aria-label="${esc(AUTO_TEXT.title)}"></div>${jsonBlock('chart-automatic', option)}${table}`;
}

/** The dashboard card of the figure. */
export function automaticSection(a: AutomaticChart): string {
  const body = a.series.length ? chart(a) : `<p class="muted">${esc(AUTO_TEXT.none)}</p>`;
  return `<section class="card" aria-labelledby="h-automatic"><h2 id="h-automatic">${esc(AUTO_TEXT.title)}</h2>${body}</section>`;
}
