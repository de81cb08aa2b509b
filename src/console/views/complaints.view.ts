import { Complaint, ComplaintExtension, Unit } from '../../../entities';
import { GROUND_LABELS, REJECTION_LABELS, TERMINATION_LABELS } from '../../complaints/lifecycle-messages';
import { isFinal } from '../../complaints/model';
import type { complaintDetail } from '../../complaints/views';
import { csrfField, esc } from '../layout';
import { T } from '../messages';
import type { ConsoleUser } from '../session';
import { shortAt } from './format';

const C = T.c;
const label = (map: Record<string, string>, k: string | null) => (k ? (map[k] ?? k) : '');
const status = (s: string) => T.complaintStatus[s] ?? s;

export interface ComplaintsList {
  rows: Complaint[];
  units: Unit[];
  filter: { status?: string; agency?: string; number?: string };
  tz: string;
  now: Date;
  /** An office member sees the link to register a complaint received by phone, letter... */
  office?: boolean;
}

function select(name: string, text: string, current: string | undefined, options: Array<[string, string]>, any = true): string {
  return `<label>${esc(text)}<select name="${name}">${any ? `<option value="">${esc(T.v.any)}</option>` : ''}${options.map(([v, t]) => `<option value="${esc(v)}"${current === v ? ' selected' : ''}>${esc(t)}</option>`).join('')}</select></label>`;
}

export function renderComplaints(l: ComplaintsList): string {
  const f = l.filter;
  const form = `<form class="filters" method="get" action="/console/complaints" role="search" aria-label="${esc(T.v.search)}">
<label>${esc(C.number)}<input type="search" name="number" value="${esc(f.number ?? '')}" maxlength="20"></label>
${select('status', C.status, f.status, Object.keys(T.complaintStatus).map((s) => [s, status(s)]))}
${select('agency', C.agency, f.agency, l.units.map((u) => [u.code, u.name]))}
<button type="submit">${esc(T.v.submit)}</button></form>`;
  const rows = l.rows.length
    ? `<div class="table-wrap"><table class="stack"><thead><tr>${[C.number, C.agency, C.ground, C.status, C.dueAt, C.told].map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${l.rows
        .map((c) => {
          const late = !isFinal(c.status) && !!c.dueAt && c.dueAt.getTime() <= l.now.getTime();
          return `<tr><td data-label="${esc(C.number)}"><a href="/console/complaints/${c.id}">${esc(c.number)}</a>${c.duplicateOf ? ` <span class="badge">${esc(C.duplicate)}</span>` : ''}</td><td data-label="${esc(C.agency)}">${esc(c.agencyName)}</td><td data-label="${esc(C.ground)}">${esc(label(GROUND_LABELS, c.ground))}</td><td data-label="${esc(C.status)}">${esc(status(c.status))}</td><td data-label="${esc(C.dueAt)}"${late ? ' class="due"' : ''}>${esc(shortAt(l.tz, c.dueAt))}</td><td data-label="${esc(C.told)}">${isFinal(c.status) ? esc(c.resultDelivered ? C.yes : C.no) : ''}</td></tr>`;
        })
        .join('')}</tbody></table></div>`
    : `<p class="muted">${esc(C.empty)}</p>`;
  return `<h1>${esc(C.title)}</h1>${l.office ? `<p class="links"><a href="/console/complaints/new">${esc(C.intakeLink)}</a></p>` : ''}${form}<p class="muted">${esc(T.v.count(l.rows.length))}</p>${rows}`;
}

export interface ComplaintPage {
  c: Complaint;
  detail: Awaited<ReturnType<typeof complaintDetail>>;
  apps: ComplaintExtension[];
  user: ConsoleUser;
  tz: string;
  flash: { ok: boolean; text: string } | null;
  /** Units a complaint can be passed to (office only). */
  units: Array<{ code: string; name: string }>;
}

function fields(rows: Array<[string, string]>): string {
  return `<dl class="fields">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function form(p: ComplaintPage, action: string, title: string, body: string): string {
  return `<form method="post" action="/console/complaints/${p.c.id}/${action}" aria-label="${esc(title)}"><h3>${esc(title)}</h3>${csrfField(p.user)}${body}<button type="submit">${esc(title)}</button></form>`;
}

function actions(p: ComplaintPage): string {
  const s = p.c.status;
  const out: string[] = [];
  const reason = (name = 'reason', text: string = C.reason) => `<label>${esc(text)}<textarea name="${name}" maxlength="2000"></textarea></label>`;
  if (s === 'registered' && !p.c.duplicateOf) {
    out.push(form(p, 'accept', C.accept, ''));
    out.push(form(p, 'reject', C.reject, `${select('ground', C.rejectGround, undefined, Object.entries(REJECTION_LABELS), false)}${reason()}`));
  }
  if (s === 'accepted' || s === 'extended') {
    out.push(form(p, 'resolve', C.resolve, `<label>${esc(C.result)}<textarea name="result" maxlength="4000" required></textarea></label>${select('upheld', C.upheld, undefined, [['yes', C.yes], ['no', C.no]])}<label>${esc(C.accountablePerson)}<input name="accountablePerson" maxlength="100"></label>`));
  }
  if (!isFinal(s)) out.push(form(p, 'terminate', C.terminate, `${select('ground', C.terminateGround, undefined, Object.entries(TERMINATION_LABELS), false)}${reason()}`));
  const pending = p.apps.find((a) => a.status === 'pending');
  if (pending) {
    out.push(form(p, 'extension', C.extensionDecide, `<p>${esc(C.extensionAsk(pending.days, pending.reason))}</p>${select('grant', C.extensionDecide, undefined, [['yes', C.grant], ['no', C.refuse]], false)}${reason('note', T.v.note)}`));
  }
  if (!isFinal(s) && p.units.length) out.push(form(p, 'assign', C.assign, select('agencyCode', C.agency, p.c.agencyCode ?? undefined, p.units.map((x) => [x.code, x.name] as [string, string]), false)));
  if (isFinal(s) && !p.c.resultDelivered) out.push(form(p, 'delivered', C.delivered, `<label>${esc(C.deliveredHow)}<input name="how" maxlength="200" required></label>`));
  if (isFinal(s)) out.push(form(p, 'reopen', C.reopen, `<label>${esc(C.reason)}<textarea name="reason" maxlength="2000" required></textarea></label>`));
  return out.length ? `<div class="act">${out.join('')}</div>` : `<p class="muted">${esc(C.noAction)}</p>`;
}

export function renderComplaint(p: ComplaintPage): string {
  const c = p.c;
  const d = p.detail;
  const at = (x: Date | null) => shortAt(p.tz, x);
  const info: Array<[string, string]> = [
    [C.number, c.number],
    [C.status, status(c.status)],
    [C.agency, c.agencyName],
    [C.ground, label(GROUND_LABELS, c.ground)],
    [C.complainant, `${d.complainant.name} ${d.complainant.phone}`],
    [C.facts, d.facts ?? ''],
    [C.request, d.request ?? ''],
    [C.receivedAt, at(c.receivedAt)],
    [C.dueAt, at(c.dueAt)],
  ];
  if (d.closing) info.push([C.closing, `${label({ ...REJECTION_LABELS, ...TERMINATION_LABELS }, d.closing.ground)}${d.closing.reason ? `：${d.closing.reason}` : ''}`]);
  if (d.result) info.push([C.result, d.result]);
  info.push([C.told, d.resultDelivered === null ? C.open : d.resultDelivered ? `${C.yes} ${d.resultDeliveredAt ?? ''}` : C.no]);
  const dups: string[] = [];
  if (d.duplicateOf) dups.push(`<li>${esc(C.duplicateOfText)} <a href="/console/complaints/${d.duplicateOf.id}">${esc(d.duplicateOf.number ?? String(d.duplicateOf.id))}</a></li>`);
  for (const x of d.duplicates) dups.push(`<li>${esc(C.repeatedBy)} <a href="/console/complaints/${x.id}">${esc(x.number)}</a></li>`);
  const ext = p.apps.length ? `<ul class="plain">${p.apps.map((a) => `<li>${esc(C.extensionAsk(a.days, a.reason))} · ${esc(C.extStatus[a.status] ?? a.status)}${a.note ? `：${esc(a.note)}` : ''}</li>`).join('')}</ul>` : `<p class="muted">${esc(T.dash.none)}</p>`;
  const trail = `<ol class="plain">${d.events.map((e) => `<li>${esc(e.at ?? '')} ${esc(C.event[e.type] ?? e.type)}${e.to ? ` → ${esc(status(e.to))}` : ''}${e.actor ? ` · ${esc(e.actor)}` : ''}${e.reason ? `：${esc(e.reason)}` : ''}</li>`).join('')}</ol>`;
  const flash = p.flash ? `<p class="${p.flash.ok ? 'ok' : 'error'}" role="status">${esc(p.flash.text)}</p>` : '';
  const act = p.user.role === 'office' ? `<section class="card wide" aria-labelledby="h-cact"><h2 id="h-cact">${esc(C.actions)}</h2>${actions(p)}</section>` : '';
  return `<h1>${esc(C.title)} ${esc(c.number)}</h1>${flash}<div class="grid two"><section class="card" aria-labelledby="h-cinfo"><h2 id="h-cinfo">${esc(C.info)}</h2>${fields(info)}<p class="note">${esc(T.v.viewLogged)}</p></section><section class="card" aria-labelledby="h-cdup"><h2 id="h-cdup">${esc(C.duplicates)}</h2>${dups.length ? `<ul class="plain">${dups.join('')}</ul>` : `<p class="muted">${esc(T.dash.none)}</p>`}<h2>${esc(C.extensions)}</h2>${ext}</section>${act}<section class="card wide" aria-labelledby="h-ctrail"><h2 id="h-ctrail">${esc(T.v.trail)}</h2>${trail}</section></div>`;
}
