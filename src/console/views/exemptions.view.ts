import { ExemptionApplication } from '../../../entities';
import type { PublishedEntryView } from '../../exemptions/lookup';
import { KIND_LABEL, METHOD_LABEL } from '../../exemptions/messages';
import { csrfField, esc } from '../layout';
import { T } from '../messages';
import type { ConsoleUser } from '../session';
import { shortAt } from './format';
import { publicCommentForm, subNav } from './exemption-list.view';

const X = T.x;
type List = { version: { number: number; publishedAt: Date } | null; items: PublishedEntryView[]; total: number };

function searchForm(action: string, q: string): string {
  return `<form class="filters" method="get" action="${action}" role="search" aria-label="${esc(X.search)}"><label>${esc(X.query)}<input type="search" name="q" value="${esc(q)}" maxlength="100"></label><button type="submit">${esc(X.search)}</button></form>`;
}

function table(l: List, tz: string): string {
  const head = l.version ? `<p class="muted">${esc(X.version(l.version.number, shortAt(tz, l.version.publishedAt), l.total))}</p>` : `<p class="muted">${esc(X.unpublished)}</p>`;
  if (!l.items.length) return `${head}${l.version ? `<p class="muted">${esc(X.noMatch)}</p>` : ''}`;
  const cols = [X.serviceItem, X.certificate, X.method, X.requester, X.issuer, X.basis];
  return `${head}<div class="table-wrap"><table class="stack"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${l.items
    .map((e) => {
      const cells = [e.serviceItem, e.certificate, METHOD_LABEL[e.method] ?? e.method, e.requesterUnit.name, e.issuerUnit.name, e.legalBasis];
      return `<tr>${cells.map((v, i) => `<td data-label="${esc(cols[i])}">${esc(v)}</td>`).join('')}</tr>`;
    })
    .join('')}</tbody></table></div>`;
}

export interface ExemptionsView {
  user: ConsoleUser;
  tz: string;
  apps: Array<{ app: ExemptionApplication; unit: string; lines: Array<{ key: string; value: string }> }>;
  list: List;
  q: string;
  flash: { ok: boolean; text: string } | null;
}

function reviewForm(v: ExemptionsView, a: ExemptionApplication): string {
  if (v.user.role !== 'office') return '';
  const options = (['approve', 'return', 'reject'] as const).map((d) => `<option value="${d}">${esc(X.decision[d])}</option>`).join('');
  return `<form method="post" action="/console/exemptions/applications/${a.id}/review" aria-label="${esc(X.review)} ${a.id}">${csrfField(v.user)}<label>${esc(X.review)}<select name="decision">${options}</select></label><label>${esc(X.comment)}<textarea name="comment" maxlength="2000"></textarea></label><button type="submit">${esc(X.submit)}</button></form>`;
}

export function renderExemptions(v: ExemptionsView): string {
  const flash = v.flash ? `<p class="${v.flash.ok ? 'ok' : 'error'}" role="status">${esc(v.flash.text)}</p>` : '';
  const apps = v.apps.length
    ? `<div class="act">${v.apps
        .map(({ app, unit, lines }) => `<div class="card"><h3>${esc(unit)} · ${esc(KIND_LABEL[app.kind as keyof typeof KIND_LABEL] ?? app.kind)}</h3><dl class="fields">${lines.map((l) => `<dt>${esc(l.key)}</dt><dd>${esc(l.value)}</dd>`).join('')}<dt>${esc(X.dueAt)}</dt><dd>${esc(shortAt(v.tz, app.dueAt))}</dd></dl>${reviewForm(v, app)}</div>`)
        .join('')}</div>`
    : `<p class="muted">${esc(T.dash.none)}</p>`;
  return `<h1>${esc(X.title)}</h1>${subNav(v.user, 'main')}${flash}<section class="card wide" aria-labelledby="h-apps"><h2 id="h-apps">${esc(X.pending)}</h2>${apps}</section><section class="card wide" aria-labelledby="h-list"><h2 id="h-list">${esc(X.published)}</h2><p><a href="/exemptions">${esc(X.publicLink)}</a></p>${searchForm('/console/exemptions', v.q)}${table(v.list, v.tz)}</section>`;
}

type Old = { content?: string; name?: string; contact?: string };
export function renderPublicList(v: { list: List; q: string; tz: string; flash?: { ok: boolean; text: string } | null; old?: Old }): string {
  return `<h1>${esc(X.publicTitle)}</h1><p>${esc(X.publicIntro)}</p>${searchForm('/exemptions', v.q)}${table(v.list, v.tz)}${publicCommentForm(v.flash ?? null, v.old)}`;
}
