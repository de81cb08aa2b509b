import { AccountabilityCase, AccountabilityEvent, Unit } from '../../../entities';
import type { Art4Ground, CaseStatus } from '../../../entities/AccountabilityCase';
import { CASE_OUTCOMES, DECIDING_BODIES, EMPLOYMENT_TYPES, EXEMPTION_GROUNDS } from '../../accountability/codes';
import { APPEAL_LABEL, BODY_LABEL, EMPLOYMENT_LABEL, EVENT_LABEL, EXEMPTION_LABEL, EXEMPTION_STATE_LABEL, GROUND_LABEL, OUTCOME_LABEL, STATUS_LABEL } from '../../accountability/messages';
import { countsForAppraisal } from '../../accountability/service';
import { csrfField, esc } from '../layout';
import { T } from '../messages';
import { A } from '../accountability.messages';
import type { ConsoleUser } from '../session';
import { shortAt } from './format';

type Flash = { ok: boolean; text: string } | null;
const lbl = (map: Record<string, string>, k: string | null | undefined) => (k ? (map[k] ?? k) : '');

function select(name: string, text: string, options: Array<[string, string]>, o: { current?: string; any?: string | null; required?: boolean } = {}): string {
  const first = o.any === null ? '' : `<option value="">${esc(o.any ?? T.v.any)}</option>`;
  return `<label>${esc(text)}<select name="${name}"${o.required ? ' required' : ''}>${first}${options.map(([v, t]) => `<option value="${esc(v)}"${o.current === v ? ' selected' : ''}>${esc(t)}</option>`).join('')}</select></label>`;
}
const input = (name: string, text: string, extra = '') => `<label>${esc(text)}<input name="${name}" ${extra}></label>`;
const area = (name: string, text: string, extra = '') => `<label>${esc(text)}<textarea name="${name}" maxlength="4000" ${extra}></textarea></label>`;
const flashHtml = (f: Flash) => (f ? `<p class="${f.ok ? 'ok' : 'error'}" role="${f.ok ? 'status' : 'alert'}">${esc(f.text)}</p>` : '');

function form(user: ConsoleUser, action: string, title: string, body: string): string {
  return `<form method="post" action="${esc(action)}" aria-label="${esc(title)}"><h3>${esc(title)}</h3>${csrfField(user)}${body}<button type="submit">${esc(title)}</button></form>`;
}

const opt = (list: readonly string[], labels: Record<string, string>): Array<[string, string]> => list.map((k) => [k, labels[k] ?? k]);

export interface CasesPage {
  rows: AccountabilityCase[];
  units: Unit[];
  filter: { status?: string; unit?: string; ground?: string };
  user: ConsoleUser;
  tz: string;
  flash: Flash;
  statuses: readonly CaseStatus[];
  grounds: Art4Ground[];
}

export function renderCases(p: CasesPage): string {
  const f = p.filter;
  const unitName = new Map(p.units.map((u) => [u.code, u.name]));
  const ownUnits = p.user.role === 'unit' ? p.units.filter((u) => u.code === p.user.unitCode) : p.units;
  const filters = `<form class="filters" method="get" action="/console/accountability" role="search" aria-label="${esc(A.filters)}">
${select('status', A.status, opt(p.statuses, STATUS_LABEL), { current: f.status })}
${select('unit', A.unit, ownUnits.map((u) => [u.code, u.name]), { current: f.unit })}
${select('ground', A.ground, Object.entries(GROUND_LABEL), { current: f.ground })}
<button type="submit">${esc(T.v.submit)}</button></form>`;
  const heads = [A.number, A.unit, A.ground, A.status, A.occurredAt, A.countsForAppraisal];
  const table = p.rows.length
    ? `<div class="table-wrap"><table class="stack"><thead><tr>${heads.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead><tbody>${p.rows
        .map(
          (c) =>
            `<tr><td data-label="${esc(A.number)}"><a href="/console/accountability/${c.id}">${esc(`第${c.id}号`)}</a></td><td data-label="${esc(A.unit)}">${esc(unitName.get(c.unitCode) ?? c.unitCode)}</td><td data-label="${esc(A.ground)}">${esc(lbl(GROUND_LABEL, c.ground))}</td><td data-label="${esc(A.status)}">${esc(lbl(STATUS_LABEL, c.status))}${c.appealState === 'pending' || c.exemptionState === 'applied' ? ` <span class="badge">${esc(c.appealState === 'pending' ? A.appealState : A.exemption)}</span>` : ''}</td><td data-label="${esc(A.occurredAt)}">${esc(shortAt(p.tz, c.occurredAt))}</td><td data-label="${esc(A.countsForAppraisal)}">${esc(countsForAppraisal(c) ? A.yes : A.no)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : `<p class="muted">${esc(A.empty)}</p>`;
  let open = '';
  if (p.user.role === 'office') {
    const who = `${input('person', A.personHint, 'maxlength="64" autocomplete="off"')}${select('employment', A.employment, opt(EMPLOYMENT_TYPES, EMPLOYMENT_LABEL), { any: '—' })}`;
    open = `<section class="card wide" aria-labelledby="h-aopen"><h2 id="h-aopen">${esc(A.actions)}</h2><div class="act">${form(
      p.user,
      '/console/accountability',
      A.open,
      `${select('ground', A.ground, opt(p.grounds, GROUND_LABEL), { any: null, required: true })}${select('unit', A.unit, p.units.filter((u) => !u.isOffice).map((u) => [u.code, u.name]), { any: null, required: true })}${who}${input('requests', A.evidenceRequests, 'maxlength="400" inputmode="numeric"')}${input('complaints', A.evidenceComplaints, 'maxlength="400" inputmode="numeric"')}${input('applications', A.evidenceApplications, 'maxlength="400" inputmode="numeric"')}${area('text', A.evidenceText)}`,
    )}${form(p.user, '/console/accountability/from-application', A.openLate, `${input('application', A.applicationId, 'required inputmode="numeric" maxlength="9"')}${select('ground', A.ground, opt(p.grounds, GROUND_LABEL), { any: '—' })}${who}${area('text', A.evidenceText)}`)}</div></section>`;
  }
  return `<h1>${esc(A.title)}</h1>${flashHtml(p.flash)}${filters}<p class="muted">${esc(T.v.count(p.rows.length))}</p>${table}${open}`;
}

export interface CasePage {
  c: AccountabilityCase;
  events: AccountabilityEvent[];
  unitName: string;
  personName: string | null;
  user: ConsoleUser;
  tz: string;
  flash: Flash;
}

function fields(rows: Array<[string, string]>): string {
  return `<dl class="fields">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function factsText(raw: string): string {
  try {
    const f = JSON.parse(raw) as { evidence?: { requests?: number[]; complaints?: number[]; applications?: number[]; text?: string } };
    const e = f.evidence;
    if (!e) return '';
    const parts: string[] = [];
    if (e.requests?.length) parts.push(`协查 ${e.requests.join('、')}`);
    if (e.complaints?.length) parts.push(`投诉 ${e.complaints.join('、')}`);
    if (e.applications?.length) parts.push(`清单调整申请 ${e.applications.join('、')}`);
    if (e.text) parts.push(e.text);
    return parts.join('；');
  } catch {
    return '';
  }
}

function eventText(e: AccountabilityEvent): string {
  if (!e.data) return '';
  try {
    const d = JSON.parse(e.data) as Record<string, unknown>;
    const out: string[] = [];
    if (typeof d.ground === 'string') out.push(lbl({ ...GROUND_LABEL, ...EXEMPTION_LABEL }, d.ground));
    if (typeof d.outcome === 'string') out.push(lbl(OUTCOME_LABEL, d.outcome));
    if (typeof d.decidedBy === 'string') out.push(d.decidedBy);
    if (typeof d.rectifyBy === 'string') out.push(`整改期限 ${d.rectifyBy}`);
    if (typeof d.result === 'string') out.push(lbl(APPEAL_LABEL, d.result));
    for (const k of ['reason', 'explanation', 'findings', 'approver', 'note']) if (typeof d[k] === 'string' && d[k]) out.push(String(d[k]));
    return out.join('；');
  } catch {
    return '';
  }
}

function officeForms(p: CasePage): string[] {
  const c = p.c;
  const u = p.user;
  const to = (s: string) => `/console/accountability/${c.id}/${s}`;
  const out: string[] = [];
  const outcomes = opt(CASE_OUTCOMES, OUTCOME_LABEL);
  if (c.status === 'open') {
    out.push(form(u, to('decision'), A.decision, `${select('outcome', A.outcome, outcomes, { any: null, required: true })}${select('body', A.body, opt(DECIDING_BODIES, BODY_LABEL), { any: null, required: true })}${input('decidedBy', A.decidedBy, 'maxlength="100"')}${input('rectifyBy', A.rectifyBy, 'type="date"')}${area('note', A.note)}`));
  }
  if (c.status === 'decided' && c.appealState === 'pending') {
    out.push(form(u, to('appeal-decision'), A.appealDecision, `${select('result', A.appealResult, [['upheld', APPEAL_LABEL.upheld], ['revised', APPEAL_LABEL.revised], ['revoked', APPEAL_LABEL.revoked]], { any: null, required: true })}${select('outcome', A.newOutcome, outcomes, { any: '—' })}${input('rectifyBy', A.rectifyBy, 'type="date"')}${area('note', A.note)}`));
  }
  if ((c.status === 'open' || c.status === 'decided') && c.exemptionState === 'applied') {
    if (!c.exemptionInvestigation) out.push(form(u, to('investigation'), A.investigation, area('findings', A.findings, 'required')));
    else out.push(form(u, to('exemption-decision'), A.exemptionDecide, `${select('approved', A.approved, [['yes', A.approve], ['no', A.reject]], { any: null, required: true })}${input('approver', A.approver, 'required maxlength="100"')}${area('note', A.note)}`));
  }
  if ((c.status === 'open' || c.status === 'decided') && c.exemptionState !== 'applied') {
    out.push(form(u, to('exemption'), A.exemptionRecord, `${select('ground', A.exemptionGround, opt(EXEMPTION_GROUNDS, EXEMPTION_LABEL), { any: null, required: true })}${area('note', A.note, 'required')}${input('decidedBy', A.approver, 'required maxlength="100"')}`));
  }
  return out;
}

function unitForms(p: CasePage): string[] {
  const c = p.c;
  const out: string[] = [];
  if (c.status === 'decided' && c.appealState !== 'pending') out.push(form(p.user, `/console/accountability/${c.id}/appeal`, A.appeal, area('reason', A.appealReason, 'required')));
  if ((c.status === 'open' || c.status === 'decided') && !c.exemptionState) {
    out.push(form(p.user, `/console/accountability/${c.id}/exemption-application`, A.exemptionApply, `${select('ground', A.exemptionGround, opt(EXEMPTION_GROUNDS, EXEMPTION_LABEL), { any: null, required: true })}${area('explanation', A.explanation, 'required')}`));
  }
  return out;
}

export function renderCase(p: CasePage): string {
  const c = p.c;
  const at = (d: Date | null) => shortAt(p.tz, d);
  const info: Array<[string, string]> = [
    [A.number, `第${c.id}号`],
    [A.status, lbl(STATUS_LABEL, c.status)],
    [A.ground, lbl(GROUND_LABEL, c.ground)],
    [A.unit, p.unitName],
    [A.person, c.personUserid ? `${p.personName ?? ''}（${c.personUserid}）` : A.none],
    [A.employment, lbl(EMPLOYMENT_LABEL, c.employment) || '—'],
    [A.occurredAt, at(c.occurredAt)],
    [A.facts, factsText(c.facts) || '—'],
    [A.countsForAppraisal, countsForAppraisal(c) ? A.yes : A.no],
  ];
  const steps: Array<[string, string]> = [];
  if (c.outcome) steps.push([A.decision_, `${lbl(OUTCOME_LABEL, c.outcome)} · ${c.decidedBy ?? lbl(BODY_LABEL, c.decidingBody)}${c.rectifyBy ? ` · 整改期限 ${c.rectifyBy}` : ''}${c.outcomeNote ? `：${c.outcomeNote}` : ''} · ${at(c.decidedAt)}`]);
  if (c.appealState) steps.push([A.appealState, `${lbl(APPEAL_LABEL, c.appealState)}${c.appealReason ? `：${c.appealReason}` : ''} · ${at(c.appealedAt)}`]);
  if (c.exemptionState) steps.push([A.exemption, `${lbl(EXEMPTION_STATE_LABEL, c.exemptionState)} · ${lbl(EXEMPTION_LABEL, c.exemptionGround)}${c.exemptionNote ? `：${c.exemptionNote}` : ''}${c.exemptionApprover ? ` · ${A.approver} ${c.exemptionApprover}` : ''}`]);
  if (c.exemptionInvestigation) steps.push([A.investigationDone, c.exemptionInvestigation]);
  if (c.exemptionFiledAt) steps.push([A.filedAt, at(c.exemptionFiledAt)]);
  const trail = `<ol class="plain">${p.events.map((e) => `<li>${esc(at(e.at))} ${esc(EVENT_LABEL[e.type] ?? e.type)}${e.actor ? ` · ${esc(e.actor)}` : ''}${eventText(e) ? `：${esc(eventText(e))}` : ''}</li>`).join('')}</ol>`;
  let act = '';
  if (p.user.role === 'auditor') act = `<p class="muted">${esc(A.readOnly)}</p>`;
  else {
    const forms = p.user.role === 'office' ? officeForms(p) : unitForms(p);
    act = `${p.user.role === 'unit' ? `<p class="note">${esc(A.unitCanFile)}</p>` : ''}${forms.length ? `<div class="act">${forms.join('')}</div>` : `<p class="muted">${esc(A.noAction)}</p>`}`;
  }
  return `<h1>${esc(A.title)} 第${c.id}号</h1>${flashHtml(p.flash)}<p><a href="/console/accountability">${esc(A.title)}</a></p><div class="grid two"><section class="card" aria-labelledby="h-ainfo"><h2 id="h-ainfo">${esc(A.info)}</h2>${fields(info)}<p class="note">${esc(A.viewLogged)}</p></section><section class="card" aria-labelledby="h-asteps"><h2 id="h-asteps">${esc(A.steps)}</h2>${steps.length ? fields(steps) : `<p class="muted">${esc(A.none)}</p>`}</section><section class="card wide" aria-labelledby="h-aact"><h2 id="h-aact">${esc(A.actions)}</h2>${act}</section><section class="card wide" aria-labelledby="h-atrail"><h2 id="h-atrail">${esc(A.history)}</h2>${trail}</section></div>`;
}
