import { ExemptionComment, ExemptionVersion } from '../../../entities';
import type { EntrySnapshot, ListDiff } from '../../exemptions/versions';
import { CATEGORY_LABEL, METHOD_LABEL } from '../../exemptions/messages';
import { csrfField, esc } from '../layout';
import { TX } from '../exemptions.messages';
import type { ConsoleUser } from '../session';
import { shortAt } from './format';

export type Units = Map<string, string>;
type Flash = { ok: boolean; text: string } | null;

/** The exemption pages' sub-navigation (applications, working list, versions, comments). */
export function subNav(u: ConsoleUser, active: string): string {
  const items: Array<[string, string]> = [
    ['main', '/console/exemptions'],
    ['draft', '/console/exemptions/draft'],
    ['versions', '/console/exemptions/versions'],
  ];
  if (u.role !== 'unit') items.push(['comments', '/console/exemptions/comments']);
  return `<nav class="filters" aria-label="${esc(TX.navLabel)}">${items.map(([k, href]) => `<a href="${href}"${k === active ? ' aria-current="page"' : ''}>${esc(TX.nav[k])}</a>`).join(' ')}</nav>`;
}

export function flashHtml(f: Flash): string {
  return f ? `<p class="${f.ok ? 'ok' : 'error'}" role="status">${esc(f.text)}</p>` : '';
}

function value(field: string, v: string, units: Units): string {
  if (field === 'requesterUnit' || field === 'issuerUnit') return units.get(v) ?? v;
  if (field === 'method') return METHOD_LABEL[v as keyof typeof METHOD_LABEL] ?? v;
  if (field === 'defaultCategory') return CATEGORY_LABEL[v as keyof typeof CATEGORY_LABEL] ?? v;
  return v;
}

const COLS = ['serviceItem', 'certificate', 'method', 'requesterUnit', 'issuerUnit', 'legalBasis'] as const;

export function entriesTable(list: EntrySnapshot[], units: Units, label: string): string {
  if (!list.length) return '';
  return `<div class="table-wrap"><table class="stack" aria-label="${esc(label)}"><thead><tr>${COLS.map((c) => `<th scope="col">${esc(TX.fields[c])}</th>`).join('')}</tr></thead><tbody>${list
    .map((e) => `<tr>${COLS.map((c) => `<td data-label="${esc(TX.fields[c])}">${esc(value(c, e[c], units))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** Added, changed (each changed field with before and after) and cancelled entries. */
export function diffHtml(d: ListDiff, units: Units, id: string): string {
  if (!d.added.length && !d.changed.length && !d.cancelled.length) return `<p class="muted">${esc(TX.noChange)}</p>`;
  const part = (key: string, title: string, n: number, body: string) => (n ? `<h3 id="${id}-${key}">${esc(title)}（${n}）</h3>${body}` : '');
  const changed = d.changed
    .map(
      (c) =>
        `<div class="card"><h4>${esc(c.after.serviceItem)} · ${esc(c.after.certificate)}</h4><div class="table-wrap"><table class="stack"><thead><tr><th scope="col">${esc(TX.field)}</th><th scope="col">${esc(TX.before)}</th><th scope="col">${esc(TX.after)}</th></tr></thead><tbody>${c.fields
          .map((f) => `<tr><td data-label="${esc(TX.field)}">${esc(TX.fields[f.field] ?? f.field)}</td><td data-label="${esc(TX.before)}"><del>${esc(value(f.field, f.before, units))}</del></td><td data-label="${esc(TX.after)}"><ins>${esc(value(f.field, f.after, units))}</ins></td></tr>`)
          .join('')}</tbody></table></div></div>`,
    )
    .join('');
  return (
    part('added', TX.added, d.added.length, entriesTable(d.added, units, TX.added)) +
    part('changed', TX.changed, d.changed.length, changed) +
    part('cancelled', TX.cancelled, d.cancelled.length, entriesTable(d.cancelled, units, TX.cancelled))
  );
}

export interface DraftView {
  user: ConsoleUser;
  base: number | null;
  entries: EntrySnapshot[];
  diff: ListDiff;
  units: Units;
  flash: Flash;
}

function publishForm(u: ConsoleUser): string {
  if (u.role !== 'office') return '';
  return `<form method="post" action="/console/exemptions/publish" aria-label="${esc(TX.publish)}">${csrfField(u)}<label>${esc(TX.note)}<textarea name="note" maxlength="2000"></textarea></label><label><input type="checkbox" name="confirmUnchanged" value="1"> ${esc(TX.confirmUnchanged)}</label><button type="submit">${esc(TX.publish)}</button></form>`;
}

export function renderDraft(v: DraftView): string {
  return (
    `<h1>${esc(TX.draftTitle)}</h1>${subNav(v.user, 'draft')}${flashHtml(v.flash)}` +
    `<section class="card wide" aria-labelledby="h-diff"><h2 id="h-diff">${esc(TX.draftIntro(v.base))}</h2>${diffHtml(v.diff, v.units, 'draft')}${publishForm(v.user)}</section>` +
    `<section class="card wide" aria-labelledby="h-entries"><h2 id="h-entries">${esc(TX.entries(v.entries.length))}</h2>${entriesTable(v.entries, v.units, TX.draftTitle)}</section>`
  );
}

export interface VersionsView {
  user: ConsoleUser;
  tz: string;
  versions: ExemptionVersion[];
  from: number | null;
  to: number | null;
  diff: { from: ExemptionVersion; to: ExemptionVersion; diff: ListDiff } | null;
  units: Units;
  flash: Flash;
}

function pick(name: string, label: string, versions: ExemptionVersion[], selected: number | null): string {
  return `<label>${esc(label)}<select name="${name}">${versions.map((x) => `<option value="${x.number}"${x.number === selected ? ' selected' : ''}>${esc(TX.versionNo(x.number))}</option>`).join('')}</select></label>`;
}

export function renderVersions(v: VersionsView): string {
  const head = `<h1>${esc(TX.versionsTitle)}</h1>${subNav(v.user, 'versions')}${flashHtml(v.flash)}`;
  if (!v.versions.length) return `${head}<p class="muted">${esc(TX.none)}</p>`;
  const cols = [TX.number, TX.at, TX.by, TX.noteCol, TX.count, TX.counts, TX.xlsx];
  const rows = v.versions
    .map((x) => {
      const cells = [esc(TX.versionNo(x.number)), esc(shortAt(v.tz, x.publishedAt)), esc(x.publishedBy), esc(x.note ?? ''), String(x.entryCount), `${x.added} / ${x.changed} / ${x.cancelled}`, `<a href="/api/v1/exemptions/versions/${x.number}/export">${esc(TX.xlsx)}</a>`];
      return `<tr>${cells.map((c, i) => `<td data-label="${esc(cols[i])}">${c}</td>`).join('')}</tr>`;
    })
    .join('');
  const table = `<div class="table-wrap"><table class="stack" aria-label="${esc(TX.versionsTitle)}"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>`;
  const form = `<form class="filters" method="get" action="/console/exemptions/versions" aria-label="${esc(TX.compare)}">${pick('from', TX.from, v.versions, v.from)}${pick('to', TX.to, v.versions, v.to)}<button type="submit">${esc(TX.show)}</button></form>`;
  const diff = v.diff ? `<h3 id="h-vdiff">${esc(TX.diffTitle(v.diff.from.number, v.diff.to.number))}</h3>${diffHtml(v.diff.diff, v.units, 'vdiff')}` : '';
  return `${head}<section class="card wide" aria-labelledby="h-versions"><h2 id="h-versions">${esc(TX.versionsTitle)}</h2>${table}</section><section class="card wide" aria-labelledby="h-compare"><h2 id="h-compare">${esc(TX.compare)}</h2>${form}${diff}</section>`;
}

export function renderComments(v: { user: ConsoleUser; tz: string; comments: ExemptionComment[]; flash: Flash }): string {
  const head = `<h1>${esc(TX.commentsTitle)}</h1>${subNav(v.user, 'comments')}${flashHtml(v.flash)}`;
  if (!v.comments.length) return `${head}<p class="muted">${esc(TX.noComments)}</p>`;
  const items = v.comments
    .map((c) => {
      const state = c.status === 'new' ? `<strong class="badge">${esc(TX.unread)}</strong>` : `<span class="muted">${esc(c.readBy ? TX.readBy(c.readBy) : TX.read)}</span>`;
      const form =
        v.user.role === 'office' && c.status === 'new'
          ? `<form method="post" action="/console/exemptions/comments/${c.id}/read" aria-label="${esc(TX.markRead)} ${c.id}">${csrfField(v.user)}<button type="submit">${esc(TX.markRead)}</button></form>`
          : '';
      return `<li class="card" id="comment-${c.id}"><p>${state} · ${esc(shortAt(v.tz, c.createdAt))} · ${esc(TX.commentFrom)}：${esc(c.name || TX.anonymous)}${c.contact ? ` · ${esc(TX.contact)}：${esc(c.contact)}` : ''}</p><p>${esc(c.content)}</p>${form}</li>`;
    })
    .join('');
  return `${head}<ol class="act" aria-label="${esc(TX.commentsTitle)}">${items}</ol>`;
}

/** The public page's comment form (no session, so no CSRF token: see README). */
export function publicCommentForm(f: Flash, old: { content?: string; name?: string; contact?: string } = {}): string {
  return `<section class="card wide" aria-labelledby="h-comment"><h2 id="h-comment">${esc(TX.commentForm)}</h2>${flashHtml(f)}<form method="post" action="/exemptions/comments" aria-label="${esc(TX.commentForm)}"><label>${esc(TX.commentContent)}<textarea name="content" maxlength="1000" required>${esc(old.content ?? '')}</textarea></label><label>${esc(TX.commentName)}<input name="name" maxlength="32" value="${esc(old.name ?? '')}"></label><label>${esc(TX.commentContact)}<input name="contact" maxlength="64" value="${esc(old.contact ?? '')}"></label><button type="submit">${esc(TX.commentSend)}</button></form></section>`;
}
