import { Escalation, OfficeOrder, Unit, VerificationRequest } from '../../../entities';
import { CATEGORY_LABEL, RESULT_LABEL } from '../../verification/messages';
import type { HistoryLine } from '../../verification/history';
import { NOTIFY_TEXT, NotificationLine } from '../../verification/notifications';
import { csrfField, esc } from '../layout';
import { T } from '../messages';
import type { ConsoleUser } from '../session';
import { shortAt } from './format';
import { TL } from '../ledger.messages';

export interface ListFilter {
  status?: string;
  unit?: string;
  number?: string;
  from?: string;
  to?: string;
}

export interface ListView {
  rows: VerificationRequest[];
  units: Unit[];
  unitOptions: Unit[];
  filter: ListFilter;
  tz: string;
  now: Date;
}

const v = T.v;

export function select(name: string, label: string, current: string | undefined, options: Array<[string, string]>): string {
  return `<label>${esc(label)}<select name="${name}"><option value="">${esc(v.any)}</option>${options.map(([val, text]) => `<option value="${esc(val)}"${current === val ? ' selected' : ''}>${esc(text)}</option>`).join('')}</select></label>`;
}

/** The workbench's filter form; the ledger page reuses it with its own action and an extra field. */
export function filterForm(action: string, f: ListFilter, unitOptions: Unit[], extra = ''): string {
  return `<form class="filters" method="get" action="${esc(action)}" role="search" aria-label="${esc(v.search)}">
<label>${esc(v.number)}<input type="search" name="number" value="${esc(f.number ?? '')}" maxlength="20"></label>
${select('status', v.status, f.status, ['pending', 'accepted', 'returning', 'answered', 'returned', 'cancelled'].map((s) => [s, T.status[s]]))}
${select('unit', v.unit, f.unit, unitOptions.map((u) => [u.code, u.name]))}
<label>${esc(v.from)}<input type="date" name="from" value="${esc(f.from ?? '')}"></label>
<label>${esc(v.to)}<input type="date" name="to" value="${esc(f.to ?? '')}"></label>
${extra}<button type="submit">${esc(v.submit)}</button></form>`;
}

/** The filter as a query string (export and ledger links keep the list's filter). */
export function filterQuery(f: ListFilter & { kind?: string }): string {
  const q = new URLSearchParams();
  for (const [k, val] of Object.entries(f)) if (typeof val === 'string' && val) q.set(k, val);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function renderList(l: ListView): string {
  const f = l.filter;
  const name = (c: string) => l.units.find((u) => u.code === c)?.name ?? c;
  const form = filterForm('/console/verifications', f, l.unitOptions);
  const links = `<p class="links"><a href="/console/verifications/ledger${esc(filterQuery(f))}">${esc(TL.ledgerLink)}</a> · <a href="/console/verifications/export${esc(filterQuery(f))}" download>${esc(TL.export)}</a></p>`;
  const rows = l.rows.length
    ? `<div class="table-wrap"><table class="stack"><thead><tr><th scope="col">${esc(v.number)}</th><th scope="col">${esc(v.requester)}</th><th scope="col">${esc(v.issuer)}</th><th scope="col">${esc(v.certificate)}</th><th scope="col">${esc(v.status)}</th><th scope="col">${esc(v.dueAt)}</th></tr></thead><tbody>${l.rows
        .map((r) => {
          const late = (r.status === 'pending' || r.status === 'accepted') && r.dueAt.getTime() <= l.now.getTime();
          return `<tr><td data-label="${esc(v.number)}"><a href="/console/verifications/${r.id}">${esc(r.number)}</a></td><td data-label="${esc(v.requester)}">${esc(name(r.requesterUnit))}</td><td data-label="${esc(v.issuer)}">${esc(name(r.issuerUnit))}</td><td data-label="${esc(v.certificate)}">${esc(r.certificate)}</td><td data-label="${esc(v.status)}">${esc(T.status[r.status] ?? r.status)}</td><td data-label="${esc(v.dueAt)}"${late ? ' class="due"' : ''}>${esc(shortAt(l.tz, r.dueAt))}</td></tr>`;
        })
        .join('')}</tbody></table></div>`
    : `<p class="muted">${esc(v.empty)}</p>`;
  return `<h1>${esc(v.title)}</h1>${form}${links}<p class="muted">${esc(v.count(l.rows.length))}</p>${rows}`;
}

export interface DetailView {
  req: VerificationRequest;
  unitName: (code: string) => string;
  ownerName: string | null;
  /** The trail with labels and names (src/verification/history.ts). */
  history: HistoryLine[];
  /** Who was told what; null when the viewer may not see it (unit staff). */
  notifications: NotificationLine[] | null;
  escalations: Escalation[];
  orders: OfficeOrder[];
  clocks: { verifyUsed: number; verifyLeft: number | null; verifyLate: number; caseRunning: boolean };
  tz: string;
  user: ConsoleUser;
  /** The escalation the office may act on now (office members only), else null. */
  actionable: Escalation | null;
  presets: Record<string, string>;
  flash: { ok: boolean; text: string } | null;
}

function fields(rows: Array<[string, string]>): string {
  return `<dl class="fields">${rows.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${esc(val)}</dd>`).join('')}</dl>`;
}

function actionForms(dv: DetailView): string {
  const e = dv.actionable;
  if (!e) return `<p class="muted">${esc(v.noEscalation)}</p>`;
  const base = (kind: string, title: string, extra: string) =>
    `<form method="post" action="/console/verifications/${dv.req.id}/actions" aria-label="${esc(title)}"><h3>${esc(title)}</h3>${csrfField(dv.user)}<input type="hidden" name="kind" value="${kind}"><input type="hidden" name="escalation" value="${e.id}">${extra}<label>${esc(v.note)}<textarea name="note" maxlength="2000"></textarea></label><button type="submit">${esc(title)}</button></form>`;
  const presets = `<label>${esc(v.preset)}<select name="preset">${Object.entries(dv.presets).map(([k, text]) => `<option value="${esc(k)}">${esc(text)}</option>`).join('')}</select></label>`;
  return `<div class="act">${base('urge', v.urge, '')}${base('order', v.order, presets)}${base('summons', v.summons, '')}</div>`;
}

export function renderDetail(dv: DetailView): string {
  const r = dv.req;
  const at = (x: Date | null) => shortAt(dv.tz, x);
  const info: Array<[string, string]> = [
    [v.number, r.number],
    [v.status, T.status[r.status] ?? r.status],
    [v.requester, dv.unitName(r.requesterUnit)],
    [v.issuer, dv.unitName(r.issuerUnit)],
    [v.certificate, `${r.certificate}（${CATEGORY_LABEL[r.category]}）`],
    [v.startedAt, at(r.startedAt)],
    [v.dueAt, at(r.dueAt)],
    [v.assignee, dv.ownerName ?? ''],
    [v.applicant, r.applicantName],
    [v.idNumber, r.applicantIdNumber],
    [v.question, r.question],
  ];
  if (r.result) info.push([v.result, RESULT_LABEL[r.result]], [v.reply, r.reply ?? '']);
  if (r.returnReason) info.push([v.returnReason, r.returnReason]);
  const c = dv.clocks;
  const verify: Array<[string, string]> = [
    [v.startedAt, at(r.startedAt)],
    [v.dueAt, at(r.dueAt)],
    [v.used, T.minutes(c.verifyUsed)],
    ...(c.verifyLeft !== null && c.verifyLeft > 0 ? ([[v.remaining, T.minutes(c.verifyLeft)]] as Array<[string, string]>) : []),
    ...(c.verifyLate > 0 ? ([[v.late, T.minutes(c.verifyLate)]] as Array<[string, string]>) : []),
  ];
  const kase: Array<[string, string]> = [
    [v.startedAt, r.caseStartedAt ? at(r.caseStartedAt) : v.notStarted],
    [v.status, r.caseStartedAt ? (c.caseRunning ? v.running : v.paused) : v.notStarted],
  ];
  const trail = `<ol class="plain">${dv.history
    .map((e) => `<li><time datetime="${e.at.toISOString()}">${esc(at(e.at))}</time> ${esc(e.label)} · ${esc(e.who)}${e.reason ? `：${esc(e.reason)}` : ''}</li>`)
    .join('')}</ol>`;
  const n = NOTIFY_TEXT;
  const told = !dv.notifications
    ? ''
    : `<section class="card wide" aria-labelledby="h-told"><h2 id="h-told">${esc(n.heading)}</h2>${
        dv.notifications.length
          ? `<div class="table-wrap"><table class="stack"><thead><tr>${n.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${dv.notifications
              .map((x) => `<tr><td data-label="${esc(n.columns[0])}">${esc(at(x.at))}</td><td data-label="${esc(n.columns[1])}">${esc(x.to.join('、'))}</td><td data-label="${esc(n.columns[2])}">${esc(n.what[x.kind])}</td><td data-label="${esc(n.columns[3])}">${esc(n.state[x.state])}</td></tr>`)
              .join('')}</tbody></table></div>`
          : `<p class="muted">${esc(n.none)}</p>`
      }</section>`;
  const flash = dv.flash ? `<p class="${dv.flash.ok ? 'ok' : 'error'}" role="status">${esc(dv.flash.text)}</p>` : '';
  const escLines = dv.escalations.length
    ? `<ul class="plain">${dv.escalations.map((e) => `<li>${esc(T.dash.level(e.level))} · ${esc(at(e.escalatedAt))}</li>`).join('')}${dv.orders.map((o) => `<li>${esc(o.kind === 'urge' ? v.urge : o.kind === 'order' ? v.order : v.summons)} · ${esc(o.actor)} · ${esc(at(o.createdAt))}${o.completeBy ? ` → ${esc(at(o.completeBy))}` : ''}</li>`).join('')}</ul>`
    : '';
  const actions = dv.user.role === 'office' ? `<section class="card wide" aria-labelledby="h-act"><h2 id="h-act">${esc(v.actions)}</h2>${escLines}${actionForms(dv)}</section>` : escLines ? `<section class="card wide"><h2>${esc(v.actions)}</h2>${escLines}</section>` : '';
  return `<h1>${esc(v.title)} ${esc(r.number)}</h1>${flash}<div class="grid two"><section class="card" aria-labelledby="h-info"><h2 id="h-info">${esc(r.serviceItem)}</h2>${fields(info)}<p class="note">${esc(v.viewLogged)}</p></section><section class="card" aria-labelledby="h-clocks"><h2 id="h-clocks">${esc(v.clocks)}</h2><h3>${esc(v.verifyClock)}</h3>${fields(verify)}<h3>${esc(v.caseClock)}</h3>${fields(kase)}<p class="note">${esc(v.caseClockNote)}</p></section>${actions}<section class="card wide" aria-labelledby="h-trail"><h2 id="h-trail">${esc(v.trail)}</h2>${trail}</section>${told}</div>`;
}
