import type { CalendarDayView, CalendarRange } from '../../calendar-admin/service';
import { csrfField, esc } from '../layout';
import { CAL } from '../calendar.messages';
import type { ConsoleUser } from '../session';
import { shortAt } from './format';

export interface CalendarPage {
  year: number;
  /** The years the selector offers. */
  years: number[];
  range: CalendarRange;
  /** The coverage warning's text, when the known calendar runs out soon (or did). */
  warning: string | null;
  user: ConsoleUser;
  editable: boolean;
  flash: { ok: boolean; text: string } | null;
}

/** Monday = 0 .. Sunday = 6. */
const weekdayMon = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

/** The short mark of a day (休 / 班), as printed on Chinese calendars, and its description. */
function mark(d: CalendarDayView): { mark: string; label: string } {
  if (d.kind === 'override') return { mark: d.working ? CAL.mark.overrideOn : CAL.mark.overrideOff, label: `${CAL.kind.override}：${d.working ? CAL.working : CAL.off}${d.note ? `（${d.note}）` : ''}` };
  if (d.kind === 'holiday') return { mark: CAL.mark.holiday, label: CAL.kind.holiday + (d.provisional ? `，${CAL.kind.provisional}` : '') };
  if (d.kind === 'makeup') return { mark: CAL.mark.makeup, label: CAL.kind.makeup };
  return { mark: '', label: d.kind ? CAL.kind[d.kind] : '' };
}

function cell(d: CalendarDayView): string {
  const m = mark(d);
  const cls = [`k-${d.kind ?? 'unknown'}`, d.working ? 'on' : 'off', d.provisional ? 'prov' : ''].filter(Boolean).join(' ');
  return `<td class="${cls}" data-date="${d.date}" title="${esc(m.label)}"><span class="n">${Number(d.date.slice(8))}</span>${m.mark ? `<span class="m" aria-hidden="true">${esc(m.mark)}</span>` : ''}${m.label && d.kind !== 'workday' && d.kind !== 'weekend' ? `<span class="sr">${esc(m.label)}</span>` : ''}</td>`;
}

function monthGrid(month: number, days: CalendarDayView[]): string {
  const rows: string[] = [];
  let row: string[] = Array.from({ length: weekdayMon(days[0].date) }, () => '<td></td>');
  for (const d of days) {
    row.push(cell(d));
    if (row.length === 7) {
      rows.push(`<tr>${row.join('')}</tr>`);
      row = [];
    }
  }
  if (row.length) rows.push(`<tr>${row.join('')}${'<td></td>'.repeat(7 - row.length)}</tr>`);
  return `<table class="month"><caption>${esc(CAL.month(month))}</caption><thead><tr>${CAL.weekdays.map((w) => `<th scope="col">${esc(w)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function legend(): string {
  const item = (cls: string, m: string, text: string) => `<li><span class="swatch ${cls}" aria-hidden="true">${esc(m)}</span>${esc(text)}</li>`;
  return `<ul class="legend" aria-label="${esc(CAL.legend)}">${[
    item('k-workday on', '', CAL.kind.workday),
    item('k-weekend off', '', CAL.kind.weekend),
    item('k-holiday off', CAL.mark.holiday, CAL.kind.holiday),
    item('k-makeup on', CAL.mark.makeup, CAL.kind.makeup),
    item('k-override off', CAL.mark.overrideOff, CAL.kind.override),
    item('k-holiday off prov', CAL.mark.holiday, CAL.kind.provisional),
  ].join('')}</ul>`;
}

function overridesTable(p: CalendarPage): string {
  const rows = p.range.days.filter((d) => d.kind === 'override');
  const form = (d: CalendarDayView) =>
    `<form method="post" action="/console/calendar/days/remove">${csrfField(p.user)}<input type="hidden" name="date" value="${d.date}"><button type="submit" class="secondary" aria-label="${esc(CAL.removeLabel(d.date))}">${esc(CAL.remove)}</button></form>`;
  const cols = [CAL.date, CAL.setTo, CAL.note, CAL.by, CAL.at, ...(p.editable ? [''] : [])];
  const body = rows.length
    ? `<div class="table-wrap"><table class="stack" id="overrides"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((d) => {
          const cells = [d.date, d.working ? CAL.working : CAL.off, d.note ?? '', d.updatedBy ?? '', shortAt(p.range.tz, d.updatedAt)];
          return `<tr>${cells.map((v, i) => `<td data-label="${esc(cols[i])}">${esc(v)}</td>`).join('')}${p.editable ? `<td>${form(d)}</td>` : ''}</tr>`;
        })
        .join('')}</tbody></table></div>`
    : `<p class="muted">暂无</p>`;
  const add = p.editable
    ? `<form method="post" action="/console/calendar/days" class="filters" aria-labelledby="h-add"><h3 id="h-add" class="full">${esc(CAL.add)}</h3>${csrfField(p.user)}<label>${esc(CAL.date)}<input type="date" name="date" required min="${p.year}-01-01" max="${p.year}-12-31"></label><label>${esc(CAL.setTo)}<select name="working"><option value="false">${esc(CAL.off)}</option><option value="true">${esc(CAL.working)}</option></select></label><label>${esc(CAL.note)}<input type="text" name="note" maxlength="100"></label><button type="submit">${esc(CAL.save)}</button></form>`
    : `<p class="note">${esc(CAL.readOnly)}</p>`;
  return `<section class="card wide" aria-labelledby="h-overrides"><h2 id="h-overrides">${esc(CAL.overrides(p.year))}</h2>${body}${add}</section>`;
}

export function renderCalendar(p: CalendarPage): string {
  const r = p.range;
  const flash = p.flash ? `<p class="${p.flash.ok ? 'ok' : 'error'}" role="${p.flash.ok ? 'status' : 'alert'}">${esc(p.flash.text)}</p>` : '';
  const selector = `<form method="get" action="/console/calendar" class="filters"><label>${esc(CAL.year)}<select name="year">${p.years.map((y) => `<option value="${y}"${y === p.year ? ' selected' : ''}>${y}</option>`).join('')}</select></label><button type="submit">${esc(CAL.show)}</button></form>`;
  const warning = p.warning ? `<div class="card warn" role="alert">${p.warning.split('\n').map((l, i) => (i === 0 ? `<h2>${esc(l)}</h2>` : `<p>${esc(l)}</p>`)).join('')}</div>` : '';
  const unknown = r.days.every((d) => d.working === null);
  const provisional = !unknown && r.days.some((d) => d.provisional) ? `<p class="badge">${esc(CAL.provisional(p.year))}</p>` : '';
  const workingDays = r.days.filter((d) => d.working).length;
  const facts = `<dl class="fields"><dt>${esc(CAL.officeHours)}</dt><dd>${esc(r.officeHours.replace(/,/g, '，'))}</dd><dt>${esc(CAL.knownYears)}</dt><dd>${esc(r.knownYears.length ? `${r.knownYears[0]}–${r.knownYears[r.knownYears.length - 1]}` : '')}</dd><dt>${esc(CAL.lastKnown)}</dt><dd>${esc(r.lastKnownDate)}</dd></dl>${unknown ? '' : `<p>${esc(CAL.workingDays(workingDays))}</p>`}`;
  const months: string[] = [];
  if (!unknown) for (let m = 1; m <= 12; m++) months.push(monthGrid(m, r.days.filter((d) => Number(d.date.slice(5, 7)) === m)));
  const grids = unknown ? `<p class="error">${esc(CAL.unknown(p.year))}</p>` : `${legend()}<div class="months">${months.join('')}</div>`;
  return `<h1>${esc(CAL.title(p.year))}</h1>${flash}${warning}${selector}<div class="stackcards"><section class="card wide">${facts}${provisional}${grids}</section>${overridesTable(p)}</div>`;
}
