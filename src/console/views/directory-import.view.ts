import type { ImportedRow, RowError } from '../../directory/import';
import { IMPORT_WORDS } from '../../directory/messages';
import { maskPhone } from '../../verification/mask';
import { csrfField, esc } from '../layout';
import { T } from '../messages';
import { TD } from '../directory.messages';
import type { ConsoleUser } from '../session';

export interface PreviewRow {
  row: number;
  unitCode: string;
  unitName: string;
  unitNew: boolean;
  action: 'add' | 'change' | 'same' | 'unit';
  staff: ImportedRow['staff'];
  /** Keys of TD.field that differ from the directory now. */
  changes: string[];
}

export interface PreviewView {
  user: ConsoleUser;
  filename: string;
  rows: PreviewRow[];
  errors: RowError[];
  /** The checked grid, sealed, carried by the confirmation (empty when there are errors). */
  sealed: string;
}

const COLUMN_NAME = IMPORT_WORDS.columns as Record<string, readonly string[]>;

/** A row error in Chinese: the column by its Chinese header name. */
function errorText(e: RowError): { column: string; message: string } {
  const name = e.column ? (COLUMN_NAME[e.column]?.[0] ?? e.column) : '';
  const message = e.column && e.message.startsWith(`${e.column} `) ? `${name}${e.message.slice(e.column.length)}` : e.message;
  return { column: name, message };
}

export function renderImportForm(u: ConsoleUser, error: { message: string; details: string[] } | null): string {
  const err = error
    ? `<div class="error" role="alert"><p>${esc(error.message)}</p>${error.details.length ? `<ul class="plain">${error.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}</div>`
    : '';
  return `<h1>${esc(TD.importTitle)}</h1>${err}<p class="links"><a href="/console/directory">${esc(TD.back)}</a></p><section class="card wide" aria-labelledby="h-up"><h2 id="h-up">${esc(TD.upload)}</h2><p>${esc(TD.importIntro)}</p><p class="note">${esc(TD.importColumns)}</p><form method="post" action="/console/directory/import" enctype="multipart/form-data">${csrfField(u)}<label>${esc(TD.file)}<input type="file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></label><button type="submit">${esc(TD.upload)}</button></form></section>`;
}

export function renderPreview(p: PreviewView): string {
  const D = T.d;
  const count = (a: PreviewRow['action']) => p.rows.filter((r) => r.action === a).length;
  const summary = TD.summary(count('add'), count('change'), count('same'), new Set(p.rows.map((r) => r.unitCode)).size);
  const errors = p.errors.length
    ? `<section class="card wide error-box" aria-labelledby="h-errors"><h2 id="h-errors">${esc(TD.errorsTitle(p.errors.length))}</h2><p>${esc(TD.errorsNote)}</p><div class="table-wrap"><table class="stack"><thead><tr><th scope="col">${esc(TD.rowNo)}</th><th scope="col">${esc(TD.column)}</th><th scope="col">${esc(TD.problem)}</th></tr></thead><tbody>${p.errors
        .map((e) => {
          const t = errorText(e);
          return `<tr><td data-label="${esc(TD.rowNo)}">${e.row}</td><td data-label="${esc(TD.column)}">${esc(t.column)}</td><td data-label="${esc(TD.problem)}">${esc(t.message)}</td></tr>`;
        })
        .join('')}</tbody></table></div></section>`
    : '';
  const cols = [TD.rowNo, TD.action, TD.unit, D.userid, D.name, D.role, D.ab, TD.field.mobile, D.away, TD.field.trainedOn, TD.changes];
  const rows = p.rows.length
    ? `<div class="table-wrap"><table class="stack"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${p.rows
        .map((r) => {
          const s = r.staff;
          const cells = [
            String(r.row),
            TD.actions[r.action],
            `${r.unitName}${r.unitNew ? TD.unitNew : ''}`,
            s?.userid ?? '',
            s?.name ?? '',
            s ? (D.roles[s.role] ?? s.role) : '',
            s?.ab ?? '',
            s?.mobile ? maskPhone(s.mobile) : '',
            s?.away ? (s.awayUntil ? D.awayUntil(s.awayUntil) : D.isAway) : '',
            s?.trainedOn ?? '',
            r.changes.map((c) => TD.field[c] ?? c).join('、'),
          ];
          return `<tr class="act-${r.action}">${cells.map((v, i) => `<td data-label="${esc(cols[i])}">${esc(v)}</td>`).join('')}</tr>`;
        })
        .join('')}</tbody></table></div>`
    : '';
  const confirm = p.errors.length
    ? `<p><a href="/console/directory/import">${esc(TD.reupload)}</a></p>`
    : `<form method="post" action="/console/directory/import/confirm">${csrfField(p.user)}<input type="hidden" name="grid" value="${esc(p.sealed)}"><p class="note">${esc(TD.confirmNote)}</p><button type="submit">${esc(TD.confirm)}</button> <a href="/console/directory">${esc(TD.cancel)}</a></form>`;
  return `<h1>${esc(TD.previewTitle)}</h1><p class="muted">${esc(p.filename)}</p><p role="status">${esc(summary)}</p>${errors}<section class="card wide" aria-labelledby="h-rows"><h2 id="h-rows">${esc(TD.rowsTitle)}</h2>${rows}</section>${confirm}`;
}
