import type { StaffView, UnitView } from '../../directory/service';
import { esc } from '../layout';
import { T } from '../messages';

const D = T.d;

export function renderDirectory(units: Array<UnitView & { staff: StaffView[] }>): string {
  const gaps = units.filter((u) => u.gaps.length);
  const gapList = gaps.length ? `<ul class="plain">${gaps.map((g) => `<li>${esc(g.name)}：${g.gaps.map((x) => esc(T.gap[x] ?? x)).join('、')}</li>`).join('')}</ul>` : `<p class="muted">${esc(T.dash.none)}</p>`;
  const cols = [D.name, D.userid, D.role, D.ab, D.away, D.trained];
  const unit = (u: UnitView & { staff: StaffView[] }) =>
    `<section class="card" aria-labelledby="h-u-${esc(u.code)}"><h2 id="h-u-${esc(u.code)}">${esc(u.name)} <span class="muted">${esc(u.code)}</span>${u.gaps.length ? ` <span class="badge">${esc(D.gap)}</span>` : ''}</h2><div class="table-wrap"><table class="stack"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${u.staff
      .map((s) => {
        const cells = [s.name, s.userid, D.roles[s.role] ?? s.role, s.ab ?? '', s.awayToday ? (s.awayUntil ? D.awayUntil(s.awayUntil) : D.isAway) : '', s.trainedOn ?? D.notTrained];
        return `<tr>${cells.map((v, i) => `<td data-label="${esc(cols[i])}">${esc(v)}</td>`).join('')}</tr>`;
      })
      .join('')}</tbody></table></div></section>`;
  return `<h1>${esc(D.title)}</h1><section class="card wide" aria-labelledby="h-gaps"><h2 id="h-gaps">${esc(T.dash.gaps)}</h2>${gapList}</section><div class="grid two">${units.map(unit).join('')}</div>`;
}
