import { JointMeeting, JointMeetingAgendaItem, JointMeetingDecision, JointMeetingUnit, Staff, Unit } from '../../../entities';
import type { membersJson } from '../../meeting/members';
import { csrfField, esc } from '../layout';
import { M } from '../accountability.messages';
import type { ConsoleUser } from '../session';
import { shortAt } from './format';

type Flash = { ok: boolean; text: string } | null;
type Members = Awaited<ReturnType<typeof membersJson>>;
const flashHtml = (f: Flash) => (f ? `<p class="${f.ok ? 'ok' : 'error'}" role="${f.ok ? 'status' : 'alert'}">${esc(f.text)}</p>` : '');
const input = (name: string, text: string, extra = '') => `<label>${esc(text)}<input name="${name}" ${extra}></label>`;
const area = (name: string, text: string, extra = '') => `<label>${esc(text)}<textarea name="${name}" maxlength="20000" ${extra}></textarea></label>`;
function select(name: string, text: string, options: Array<[string, string]>, any: string | null = null, required = false): string {
  return `<label>${esc(text)}<select name="${name}"${required ? ' required' : ''}>${any === null ? '' : `<option value="">${esc(any)}</option>`}${options.map(([v, t]) => `<option value="${esc(v)}">${esc(t)}</option>`).join('')}</select></label>`;
}
function form(u: ConsoleUser, action: string, title: string, body: string, secondary = false): string {
  return `<form method="post" action="${esc(action)}" aria-label="${esc(title)}"><h3>${esc(title)}</h3>${csrfField(u)}${body}<button type="submit"${secondary ? ' class="secondary"' : ''}>${esc(title)}</button></form>`;
}
function table(heads: string[], rows: string[][]): string {
  return `<div class="table-wrap"><table class="stack"><thead><tr>${heads.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td data-label="${esc(heads[i])}">${c}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

export interface MeetingsPage {
  members: Members;
  meetings: JointMeeting[];
  units: Unit[];
  staff: Staff[];
  user: ConsoleUser;
  tz: string;
  flash: Flash;
}

export function renderMeetings(p: MeetingsPage): string {
  const name = new Map(p.staff.map((s) => [s.userid, s.name]));
  const unitName = new Map(p.units.map((u) => [u.code, u.name]));
  const person = (id: string | null) => (id ? `${name.get(id) ?? ''}（${id}）` : M.none);
  const mb = p.members;
  const members = `<dl class="fields"><dt>${esc(M.generalConvenor)}</dt><dd>${esc(person(mb.generalConvenor))}</dd><dt>${esc(M.convenors)}</dt><dd>${esc(mb.convenors.map((c) => person(c)).join('、') || M.none)}</dd></dl>
<h3>${esc(M.memberUnits)}</h3>${
    mb.units.length
      ? table(
          [M.unit, M.liaison, M.liaisonHistory],
          mb.units.map((x) => [esc(unitName.get(x.unit ?? '') ?? x.unit), esc(person(x.liaison)), esc(x.history.map((h) => `${h.effectiveOn} ${person(h.liaison)}`).join('；'))]),
        )
      : `<p class="muted">${esc(M.none)}</p>`
  }`;
  const meetings = p.meetings.length
    ? table(
        [M.meetingTitle, M.kindLabel, M.scheduledAt, M.place, M.statusLabel],
        p.meetings.map((m) => [`<a href="/console/meetings/${m.id}">${esc(m.title)}</a>`, esc(M.kind[m.kind] ?? m.kind), esc(shortAt(p.tz, m.scheduledAt)), esc(m.place ?? ''), esc(M.status[m.status] ?? m.status)]),
      )
    : `<p class="muted">${esc(M.empty)}</p>`;
  const u = p.user;
  const forms: string[] = [];
  const units = p.units.filter((x) => !x.isOffice).map((x): [string, string] => [x.code, x.name]);
  if (u.role === 'office') {
    forms.push(form(u, '/console/meetings', M.schedule, `${input('title', M.meetingTitle, 'required maxlength="200"')}${select('kind', M.kindLabel, [['regular', M.kind.regular], ['liaison', M.kind.liaison]])}${input('scheduledAt', M.scheduledAtInput, 'type="datetime-local" required')}${input('place', M.place, 'maxlength="200"')}${input('liaisonAt', M.liaisonAt, 'type="datetime-local"')}${input('units', M.unitsInput, 'maxlength="2000" autocomplete="off"')}`));
    forms.push(form(u, '/console/meetings/members/convenor', M.setConvenor, `${input('userid', M.convenorUserid, 'required maxlength="64" autocomplete="off"')}${select('role', M.role, [['general_convenor', M.roles.general_convenor], ['convenor', M.roles.convenor]])}`));
    forms.push(form(u, '/console/meetings/members/unit', M.addUnit, `${select('unit', M.unit, units, null, true)}${input('liaison', M.liaisonUserid, 'required maxlength="64" autocomplete="off"')}${input('effectiveOn', M.effectiveOn, 'type="date" required')}`));
    const removable: Array<[string, string]> = [
      ...[mb.generalConvenor, ...mb.convenors].filter((c): c is string => !!c).map((c): [string, string] => [`user:${c}`, person(c)]),
      ...mb.units.map((x): [string, string] => [`unit:${x.unit ?? ''}`, unitName.get(x.unit ?? '') ?? x.unit ?? '']),
    ];
    if (removable.length) forms.push(form(u, '/console/meetings/members/remove', M.removeMember, select('member', M.member, removable, null, true), true));
    forms.push(form(u, '/console/meetings/members/liaison', M.changeLiaison, `${select('unit', M.unit, mb.units.map((x): [string, string] => [x.unit ?? '', unitName.get(x.unit ?? '') ?? x.unit ?? '']), null, true)}${input('liaison', M.liaisonUserid, 'required maxlength="64" autocomplete="off"')}${input('effectiveOn', M.effectiveOn, 'type="date" required')}`));
  } else if (u.role === 'unit' && mb.units.some((x) => x.unit === u.unitCode)) {
    forms.push(form(u, '/console/meetings/members/liaison', M.changeLiaison, `${input('liaison', M.liaisonUserid, 'required maxlength="64" autocomplete="off"')}${input('effectiveOn', M.effectiveOn, 'type="date" required')}`));
  }
  const act = forms.length ? `<section class="card wide" aria-labelledby="h-mact"><h2 id="h-mact">${esc(M.actions)}</h2><div class="act">${forms.join('')}</div></section>` : '';
  return `<h1>${esc(M.title)}</h1>${flashHtml(p.flash)}<div class="grid two"><section class="card" aria-labelledby="h-mmem"><h2 id="h-mmem">${esc(M.members)}</h2>${members}</section><section class="card" aria-labelledby="h-mlist"><h2 id="h-mlist">${esc(M.meetings)}</h2>${meetings}</section>${act}</div>`;
}

export interface MeetingPage {
  meeting: JointMeeting;
  units: JointMeetingUnit[];
  agenda: JointMeetingAgendaItem[];
  decisions: JointMeetingDecision[];
  liaison: JointMeeting | null;
  prepares: JointMeeting | null;
  allUnits: Unit[];
  members: Members;
  user: ConsoleUser;
  tz: string;
  now: Date;
  flash: Flash;
}

export function renderMeeting(p: MeetingPage): string {
  const mt = p.meeting;
  const u = p.user;
  const at = (d: Date | null) => shortAt(p.tz, d);
  const unitName = new Map(p.allUnits.map((x) => [x.code, x.name]));
  const un = (c: string | null) => (c ? (unitName.get(c) ?? c) : '');
  const office = u.role === 'office';
  const open = mt.status === 'scheduled';
  const info: Array<[string, string]> = [
    [M.kindLabel, M.kind[mt.kind] ?? mt.kind],
    [M.scheduledAt, at(mt.scheduledAt)],
    [M.place, mt.place ?? ''],
    [M.statusLabel, M.status[mt.status] ?? mt.status],
  ];
  let links = '';
  if (p.liaison) links += `<p>${esc(M.liaisonMeeting)}：<a href="/console/meetings/${p.liaison.id}">${esc(p.liaison.title)}</a> ${esc(at(p.liaison.scheduledAt))}</p>`;
  if (p.prepares) links += `<p>${esc(M.prepares)}：<a href="/console/meetings/${p.prepares.id}">${esc(p.prepares.title)}</a></p>`;
  const infoHtml = `<dl class="fields">${info.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>${links}`;
  const unitsHtml = p.units.length
    ? table(
        [M.unit, M.reminded, M.minutesSent, M.acknowledged, M.progress],
        p.units.map((x) => [esc(un(x.unitCode)), esc(at(x.remindedAt)), esc(at(x.minutesSentAt)), esc(x.acknowledgedAt ? `${at(x.acknowledgedAt)} ${x.acknowledgedBy ?? ''}` : ''), esc(x.progress ? `${x.progress}（${at(x.progressAt)}）` : '')]),
      )
    : `<p class="muted">${esc(M.none)}</p>`;
  const convenorOpts = [...(p.members.generalConvenor ? [p.members.generalConvenor] : []), ...p.members.convenors].filter((c): c is string => !!c).map((c): [string, string] => [c, c]);
  const agendaRows = p.agenda.map((a) => {
    let decide = '';
    if (office && a.status === 'proposed' && open) {
      decide = `<form method="post" action="/console/meetings/${mt.id}/agenda-decision" aria-label="${esc(`${M.decideAgenda} ${a.id}`)}">${csrfField(u)}<input type="hidden" name="item" value="${a.id}">${select('convenor', M.decidedBy, convenorOpts, null, true)}${select('approve', M.decideAgenda, [['yes', M.accept], ['no', M.decline]], null, true)}<button type="submit">${esc(M.decideAgenda)}</button></form>`;
    }
    return [esc(a.text), esc(`${un(a.unitCode)} ${a.proposedBy}`), esc(`${M.agendaStatus[a.status] ?? a.status}${a.decidedBy ? ` · ${a.decidedBy}` : ''}`), decide];
  });
  const agendaHtml = p.agenda.length ? table([M.agendaText, M.proposedBy, M.statusLabel, M.actions], agendaRows) : `<p class="muted">${esc(M.none)}</p>`;
  const decisionRows = p.decisions.map((d) => {
    const forms: string[] = [];
    const mine = office || (u.role === 'unit' && d.unitCode === u.unitCode);
    if (d.consensus && mine) forms.push(`<form method="post" action="/console/meetings/decisions/${d.id}/progress" aria-label="${esc(`${M.reportProgress} ${d.seq}`)}">${csrfField(u)}<label>${esc(M.progressText)}<textarea name="text" maxlength="4000" required></textarea></label><button type="submit">${esc(M.reportProgress)}</button></form>`);
    if (!d.consensus && office) forms.push(`<form method="post" action="/console/meetings/decisions/${d.id}/county" aria-label="${esc(`${M.recordCounty} ${d.seq}`)}">${csrfField(u)}<label>${esc(M.countyOutcome)}<textarea name="text" maxlength="4000" required></textarea></label><button type="submit">${esc(M.recordCounty)}</button></form>`);
    const state = d.consensus ? (d.progress ? `${d.progress}（${at(d.progressAt)} ${d.progressBy ?? ''}）` : M.none) : `${M.county} ${at(d.countySubmittedAt)}${d.countyOutcome ? `：${d.countyOutcome}` : ''}`;
    return [esc(`${d.seq}. ${d.text}`), esc(d.consensus ? un(d.unitCode) : M.county), esc(d.dueDate ?? ''), esc(state), forms.join('')];
  });
  const decisionsHtml = p.decisions.length ? table([M.agendaText, M.decisionUnit, M.dueDate, M.progress, M.actions], decisionRows) : `<p class="muted">${esc(M.none)}</p>`;
  const forms: string[] = [];
  if (open && office) {
    forms.push(form(u, `/console/meetings/${mt.id}/agenda`, M.addAgenda, `${area('text', M.agendaText, 'required')}${select('convenor', M.asConvenor, convenorOpts, '—')}${select('unit', M.asUnit, p.members.units.map((x): [string, string] => [x.unit ?? '', un(x.unit)]), '—')}`));
    if (mt.scheduledAt.getTime() <= p.now.getTime()) forms.push(form(u, `/console/meetings/${mt.id}/minutes`, M.sendMinutes, `${area('text', M.minutesText, 'required')}${area('decisions', M.decisionsInput)}${area('noConsensus', M.noConsensusInput)}`));
    forms.push(form(u, `/console/meetings/${mt.id}/cancel`, M.cancel, '', true));
  }
  if (open && u.role === 'unit' && p.members.units.some((x) => x.unit === u.unitCode)) forms.push(form(u, `/console/meetings/${mt.id}/agenda`, M.addAgenda, area('text', M.agendaText, 'required')));
  const mineUnit = p.units.find((x) => x.unitCode === u.unitCode);
  if (mt.status === 'minuted' && u.role === 'unit' && mineUnit) {
    if (!mineUnit.acknowledgedAt) forms.push(form(u, `/console/meetings/${mt.id}/acknowledge`, M.acknowledge, ''));
    forms.push(form(u, `/console/meetings/${mt.id}/progress`, M.unitProgress, area('text', M.progressText, 'required')));
  }
  if (mt.status === 'minuted' && office) forms.push(form(u, `/console/meetings/${mt.id}/progress`, M.unitProgress, `${select('unit', M.unit, p.units.map((x): [string, string] => [x.unitCode, un(x.unitCode)]), null, true)}${area('text', M.progressText, 'required')}`));
  const act = forms.length ? `<section class="card wide" aria-labelledby="h-mdact"><h2 id="h-mdact">${esc(M.actions)}</h2><div class="act">${forms.join('')}</div></section>` : '';
  const minutes = mt.minutes ? `<section class="card wide" aria-labelledby="h-mmin"><h2 id="h-mmin">${esc(M.minutes)}</h2><p>${esc(mt.minutes).replace(/\r?\n/g, '<br>')}</p></section>` : '';
  return `<h1>${esc(mt.title)}</h1>${flashHtml(p.flash)}<p><a href="/console/meetings">${esc(M.title)}</a></p><div class="grid two"><section class="card" aria-labelledby="h-minfo"><h2 id="h-minfo">${esc(M.info)}</h2>${infoHtml}</section><section class="card" aria-labelledby="h-munits"><h2 id="h-munits">${esc(M.units)}</h2>${unitsHtml}</section><section class="card wide" aria-labelledby="h-magenda"><h2 id="h-magenda">${esc(M.agenda)}</h2>${agendaHtml}</section>${minutes}<section class="card wide" aria-labelledby="h-mdec"><h2 id="h-mdec">${esc(M.decisions)}</h2>${decisionsHtml}</section>${act}</div>`;
}
