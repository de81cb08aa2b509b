import type { Unit } from '../../../entities';
import type { Figures, VerificationStats } from '../../supervision/stats';
import { esc } from '../layout';
import { T } from '../messages';
import { SUP } from '../calendar.messages';

export interface SupervisionQuery {
  kind: 'month' | 'quarter' | 'year' | 'custom';
  year: number;
  month: number;
  quarter: number;
  from: string;
  to: string;
  /** '' : every unit the user may see. */
  unit: string;
}

export interface SupervisionPage {
  q: SupervisionQuery;
  stats: VerificationStats | null;
  units: Unit[];
  /** Unit staff: the unit cannot be changed. */
  fixedUnit: boolean;
  error: string | null;
  exportHref: string;
  thisYear: number;
}

const FIGS: Array<keyof Figures> = ['requests', 'answered', 'returned', 'openInTime', 'onTime', 'overdue', 'exempted', 'onTimeRate', 'medianMinutes', 'p90Minutes'];

function value(f: Figures & { automaticAnswers?: number }, k: string): string {
  if (k === 'onTimeRate') return f.onTimeRate === null ? '—' : `${(f.onTimeRate * 100).toFixed(1)}%`;
  if (k === 'medianMinutes' || k === 'p90Minutes') return f[k] === null ? '—' : T.minutes(f[k]!);
  return String((f as unknown as Record<string, number>)[k] ?? 0);
}

function table(id: string, caption: string, first: string[], rows: Array<{ head: string[]; f: Figures & { automaticAnswers?: number } }>, extra: string[] = []): string {
  const keys = [...FIGS, ...extra];
  const cols = [...first, ...keys.map((k) => SUP.figures[k])];
  return `<div class="table-wrap"><table class="stack" id="${id}"><caption class="sr">${esc(caption)}</caption><thead><tr>${cols.map((c, i) => `<th scope="col"${i >= first.length ? ' class="num"' : ''}>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${r.head.map((h, i) => (i === 0 ? `<th scope="row" data-label="${esc(first[i])}">${esc(h)}</th>` : `<td data-label="${esc(first[i])}">${esc(h)}</td>`)).join('')}${keys
          .map((k) => `<td class="num" data-label="${esc(SUP.figures[k])}">${esc(value(r.f, k))}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
}

function form(p: SupervisionPage): string {
  const q = p.q;
  const opt = (v: string | number, label: string, sel: boolean) => `<option value="${esc(v)}"${sel ? ' selected' : ''}>${esc(label)}</option>`;
  const years: number[] = [];
  for (let y = Math.max(q.year, p.thisYear); y >= Math.min(q.year, p.thisYear - 5); y--) years.push(y);
  const unit = p.fixedUnit
    ? ''
    : `<label>${esc(SUP.unit)}<select name="unit">${opt('', SUP.allUnits, !q.unit)}${p.units.map((u) => opt(u.code, u.name, u.code === q.unit)).join('')}</select></label>`;
  return `<form method="get" action="/console/supervision" class="filters" aria-label="${esc(SUP.filter)}"><label>${esc(SUP.period)}<select name="period">${Object.entries(SUP.periods)
    .map(([k, v]) => opt(k, v, k === q.kind))
    .join('')}</select></label><label>${esc(SUP.year)}<select name="year">${years.map((y) => opt(y, String(y), y === q.year)).join('')}</select></label><label>${esc(SUP.month)}<select name="month">${[...Array(12).keys()]
    .map((i) => opt(i + 1, SUP.monthN(i + 1), i + 1 === q.month))
    .join('')}</select></label><label>${esc(SUP.quarter)}<select name="quarter">${[1, 2, 3, 4].map((i) => opt(i, SUP.quarterN(i), i === q.quarter)).join('')}</select></label><label>${esc(SUP.from)}<input type="date" name="from" value="${esc(q.kind === 'custom' ? q.from : '')}"></label><label>${esc(SUP.to)}<input type="date" name="to" value="${esc(q.kind === 'custom' ? q.to : '')}"></label>${unit}<button type="submit">${esc(SUP.submit)}</button></form>`;
}

export function renderSupervision(p: SupervisionPage): string {
  const s = p.stats;
  const head = `<h1>${esc(SUP.title)}</h1>${form(p)}`;
  if (!s) return `${head}<p class="error" role="alert">${esc(p.error ?? SUP.badPeriod)}</p>`;
  const range = `<p><strong>${esc(SUP.range(s.period.from, s.period.to))}</strong>${p.q.unit ? ` · ${esc(p.units.find((u) => u.code === p.q.unit)?.name ?? p.q.unit)}` : ''} · <a class="button secondary" href="${esc(p.exportHref)}" download>${esc(SUP.export)}</a></p><p class="note">${esc(SUP.note)}</p>`;
  if (!s.totals.requests && !s.lateApplications.length) return `${head}${range}<p class="muted">${esc(SUP.none)}</p>`;
  const totals = `<section class="card wide" aria-labelledby="h-totals"><h2 id="h-totals">${esc(SUP.totals)}</h2><dl class="tiles">${FIGS.map((k) => `<div><dt>${esc(SUP.figures[k])}</dt><dd>${esc(value(s.totals, k))}</dd></div>`).join('')}</dl></section>`;
  const units = `<section class="card wide" aria-labelledby="h-units"><h2 id="h-units">${esc(SUP.byUnit)}</h2>${table('units', SUP.byUnit, [SUP.unit], s.units.map((u) => ({ head: [u.name], f: u })), ['automaticAnswers'])}</section>`;
  const people = `<section class="card wide" aria-labelledby="h-people"><h2 id="h-people">${esc(SUP.byPerson)}</h2>${
    s.people.length ? table('people', SUP.byPerson, [SUP.name, SUP.unit], s.people.map((x) => ({ head: [x.name, p.units.find((u) => u.code === x.unit)?.name ?? x.unit ?? ''], f: x }))) : `<p class="muted">${esc(T.dash.none)}</p>`
  }</section>`;
  const late = s.lateApplications.length
    ? `<section class="card wide" aria-labelledby="h-late"><h2 id="h-late">${esc(SUP.lateApplications)}</h2><ul class="plain">${s.lateApplications.map((l) => `<li>${esc(l.name)}：${l.late}</li>`).join('')}</ul></section>`
    : '';
  return `${head}${range}<div class="grid">${totals}${units}${people}${late}</div>`;
}
