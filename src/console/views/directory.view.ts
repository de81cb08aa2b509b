import type { StaffView, UnitView } from '../../directory/service';
import { csrfField, esc } from '../layout';
import { T } from '../messages';
import { TD } from '../directory.messages';
import type { ConsoleUser } from '../session';

const D = T.d;

export function renderDirectory(units: Array<UnitView & { staff: StaffView[] }>, o: { office: boolean; flash: string | null } = { office: false, flash: null }): string {
  const gaps = units.filter((u) => u.gaps.length);
  const gapList = gaps.length ? `<ul class="plain">${gaps.map((g) => `<li>${esc(g.name)}：${g.gaps.map((x) => esc(T.gap[x] ?? x)).join('、')}</li>`).join('')}</ul>` : `<p class="muted">${esc(T.dash.none)}</p>`;
  const cols = [D.name, D.userid, D.role, D.ab, D.away, D.trained];
  const unit = (u: UnitView & { staff: StaffView[] }) =>
    `<section class="card" aria-labelledby="h-u-${esc(u.code)}"><h2 id="h-u-${esc(u.code)}">${esc(u.name)} <span class="muted">${esc(u.code)}</span>${u.gaps.length ? ` <span class="badge">${esc(D.gap)}</span>` : ''}</h2><div class="table-wrap"><table class="stack"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${u.staff
      .map((s) => {
        const link = `<a href="/console/directory/staff/${encodeURIComponent(s.userid)}"${o.office ? ` aria-label="${esc(`${TD.edit} ${s.name}`)}"` : ''}>${esc(s.name)}</a>`;
        const cells = [s.userid, D.roles[s.role] ?? s.role, s.ab ?? '', s.awayToday ? (s.awayUntil ? D.awayUntil(s.awayUntil) : D.isAway) : '', s.trainedOn ?? D.notTrained];
        return `<tr><td data-label="${esc(cols[0])}">${link}</td>${cells.map((v, i) => `<td data-label="${esc(cols[i + 1])}">${esc(v)}</td>`).join('')}</tr>`;
      })
      .join('')}</tbody></table></div></section>`;
  const flash = o.flash ? `<p class="ok" role="status">${esc(o.flash)}</p>` : '';
  const tools = o.office ? `<p class="links"><a href="/console/directory/import">${esc(TD.importLink)}</a></p>` : '';
  return `<h1>${esc(D.title)}</h1>${flash}${tools}<section class="card wide" aria-labelledby="h-gaps"><h2 id="h-gaps">${esc(T.dash.gaps)}</h2>${gapList}</section><div class="grid two">${units.map(unit).join('')}</div>`;
}

export interface StaffPage {
  staff: StaffView;
  unitName: string;
  user: ConsoleUser;
  errors: string[];
  flash: string | null;
  /** The member's training records, latest first. */
  training: Array<{ trainedOn: string; course: string; recordedBy: string }>;
}

/** One member: the office edits roles, absence and the training record; everyone else reads. */
export function renderStaff(p: StaffPage): string {
  const s = p.staff;
  const info = `<dl class="fields"><dt>${esc(D.userid)}</dt><dd>${esc(s.userid)}</dd><dt>${esc(TD.unit)}</dt><dd>${esc(p.unitName)}</dd><dt>${esc(TD.role)}</dt><dd>${esc(D.roles[s.role] ?? s.role)}</dd><dt>${esc(TD.ab)}</dt><dd>${esc(s.ab ?? TD.abNone)}</dd><dt>${esc(TD.away)}</dt><dd>${esc(s.awayToday ? (s.awayUntil ? D.awayUntil(s.awayUntil) : D.isAway) : T.dash.none)}</dd></dl>`;
  const training = `<section class="card" aria-labelledby="h-training"><h2 id="h-training">${esc(TD.training)}</h2><dl class="fields"><dt>${esc(TD.trainedOn)}</dt><dd>${esc(s.trainedOn ?? TD.notTrained)}</dd></dl>${trainingList(p)}<p class="note">${esc(TD.trainingNote)}</p>${trainingForm(p)}</section>`;
  const errors = p.errors.length ? `<div class="error" role="alert"><ul class="plain">${p.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></div>` : '';
  const flash = p.flash ? `<p class="ok" role="status">${esc(p.flash)}</p>` : '';
  const opt = (val: string, text: string, cur: string) => `<option value="${esc(val)}"${val === cur ? ' selected' : ''}>${esc(text)}</option>`;
  const form =
    p.user.role === 'office'
      ? `<section class="card" aria-labelledby="h-edit"><h2 id="h-edit">${esc(TD.edit)}</h2><form method="post" action="/console/directory/staff/${encodeURIComponent(s.userid)}">${csrfField(p.user)}
<label>${esc(TD.role)}<select name="role">${Object.entries(D.roles).map(([k, v]) => opt(k, v, s.role)).join('')}</select></label>
<label>${esc(TD.ab)}<select name="ab">${opt('', TD.abNone, s.ab ?? '')}${opt('A', 'A', s.ab ?? '')}${opt('B', 'B', s.ab ?? '')}</select></label>
<label class="check"><input type="checkbox" name="away"${s.away ? ' checked' : ''}> ${esc(TD.awayLabel)}</label>
<label>${esc(TD.awayUntil)}<input type="date" name="awayUntil" value="${esc(s.awayUntil ?? '')}"></label>
<label>${esc(TD.trainedOn)}<input type="date" name="trainedOn" value="${esc(s.trainedOn ?? '')}"></label>
<button type="submit">${esc(TD.save)}</button></form></section>`
      : `<p class="muted">${esc(TD.readOnly)}</p>`;
  return `<h1>${esc(TD.staffTitle(s.name))}</h1>${flash}${errors}<p class="links"><a href="/console/directory">${esc(TD.back)}</a></p><div class="grid two"><section class="card" aria-labelledby="h-info"><h2 id="h-info">${esc(s.name)}</h2>${info}</section>${training}${form}</div>`;
}

/** The member's trainings as a table (date, course, who recorded it). */
function trainingList(p: StaffPage): string {
  if (!p.training.length) return `<p class="muted">${esc(TD.trainingNone)}</p>`;
  const rows = p.training.map((t) => `<tr><td>${esc(t.trainedOn)}</td><td>${esc(t.course || TD.trainingCarried)}</td><td>${esc(t.recordedBy)}</td></tr>`).join('');
  return `<table><caption>${esc(TD.trainingList)}</caption><thead><tr><th scope="col">${esc(TD.trainingDate)}</th><th scope="col">${esc(TD.trainingCourse)}</th><th scope="col">${esc(TD.trainingBy)}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The office records one more training (date and course). */
function trainingForm(p: StaffPage): string {
  if (p.user.role !== 'office') return '';
  return `<h3>${esc(TD.trainingAdd)}</h3><form method="post" action="/console/directory/staff/${encodeURIComponent(p.staff.userid)}/training">${csrfField(p.user)}
<label>${esc(TD.trainingDate)}<input type="date" name="trainedOn" required></label>
<label>${esc(TD.trainingCourse)}<input type="text" name="course" maxlength="100" required></label>
<button type="submit">${esc(TD.trainingSubmit)}</button></form>`;
}
