import { esc } from '../layout';
import { RT } from '../calendar.messages';
import { jsonBlock } from './format';

export type ResponseTimes = Array<{ bucket: string; n: number }>;

/** The response-time distribution: an ECharts bar chart and, beside it, the same numbers as a table (screen readers, no script). */
export function responseTimesCard(d: ResponseTimes): string {
  const labels = d.map((x) => RT.buckets[x.bucket] ?? x.bucket);
  const option = {
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 16, bottom: 56 },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: RT.count, type: 'bar', data: d.map((x) => x.n), itemStyle: { color: '#0b57d0' } }],
  };
  const table = `<div class="table-wrap"><table id="response-times"><caption class="sr">${esc(RT.caption)}</caption><thead><tr><th scope="col">${esc(RT.bucket)}</th><th scope="col" class="num">${esc(RT.count)}</th></tr></thead><tbody>${d
    .map((x, i) => `<tr><th scope="row">${esc(labels[i])}</th><td class="num">${x.n}</td></tr>`)
    .join('')}</tbody></table></div>`;
  const chart = d.some((x) => x.n) ? `<div class="chart" data-chart="chart-response" role="img" aria-label="${esc(RT.title)}"></div>${jsonBlock('chart-response', option)}` : '';
  return `<section class="card" aria-labelledby="h-response"><h2 id="h-response">${esc(RT.title)}</h2>${chart}${table}</section>`;
}
