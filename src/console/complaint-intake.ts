import Router from '@koa/router';
import { Context } from 'koa';
import { Unit } from '../../entities';
import type { ModuleDeps } from '../module';
import { inTransactionRetrying as inTransaction } from '../db/tx';
import { isAppError } from '../errors';
import { registerComplaint } from '../complaints/register';
import { registerBody } from '../complaints/routes';
import { CHANNEL_LABELS, GROUND_LABELS } from '../complaints/lifecycle-messages';
import { STAFF_CHANNELS } from '../complaints/model';
import { parseInstant } from '../calendar/format';
import { csrfField, errorPage, esc, sendPage } from './layout';
import { T } from './messages';
import type { ConsoleUser } from './session';

/** Console strings of the complaint intake form (SPEC 3 Art. 5-7). */
export const CI = {
  title: '登记投诉举报（电话、信件、窗口等）',
  link: '登记电话、信件、窗口等渠道收到的投诉',
  intro: '通过 12345 热线、信件、传真、短信、邮件、网上平台、审批窗口等渠道收到的投诉举报，由办公室在此登记，与群众在微信客服中提交的投诉一样进入受理流程。',
  channel: '收到渠道',
  receivedBy: '接收单位或岗位（第三条，如 12345 热线中心）',
  receivedAt: '收到时间（可不填，默认现在）',
  ground: '投诉事由（第四条）',
  agency: '被投诉单位',
  agencyUnknown: '不在列表中（填写下面的单位名称）',
  agencyName: '被投诉单位名称（不在列表中时填写）',
  facts: '投诉内容（事实）',
  request: '诉求',
  name: '投诉人姓名',
  phone: '联系电话',
  proxy: '代他人投诉',
  principal: '被代理人姓名（代他人投诉时填写）',
  submit: '登记',
  invalid: '填写有误，请检查：',
  fields: { channel: '收到渠道', ground: '投诉事由', facts: '投诉内容', request: '诉求', name: '姓名', phone: '联系电话', principalName: '被代理人姓名', receivedAt: '收到时间', receivedBy: '接收单位或岗位', agencyCode: '被投诉单位（从列表选择，或填写单位名称）' } as Record<string, string>,
};

interface IntakeView {
  user: ConsoleUser;
  units: Array<{ code: string; name: string }>;
  old: URLSearchParams | null;
  errors: string[];
}

function renderIntake(v: IntakeView): string {
  const val = (k: string) => esc(v.old?.get(k) ?? '');
  const opt = (k: string, value: string, text: string) => `<option value="${esc(value)}"${v.old?.get(k) === value ? ' selected' : ''}>${esc(text)}</option>`;
  const errors = v.errors.length ? `<div class="error" role="alert"><p>${esc(CI.invalid)}</p><ul class="plain">${v.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></div>` : '';
  return `<h1>${esc(CI.title)}</h1><p class="muted">${esc(CI.intro)}</p>${errors}<section class="card wide"><form method="post" action="/console/complaints/new" aria-label="${esc(CI.title)}">${csrfField(v.user)}
<label>${esc(CI.channel)}<select name="channel">${STAFF_CHANNELS.map((c) => opt('channel', c, CHANNEL_LABELS[c])).join('')}</select></label>
<label>${esc(CI.receivedBy)}<input name="receivedBy" maxlength="100" value="${val('receivedBy')}"></label>
<label>${esc(CI.receivedAt)}<input type="datetime-local" name="receivedAt" value="${val('receivedAt')}"></label>
<label>${esc(CI.ground)}<select name="ground">${Object.entries(GROUND_LABELS).map(([k, t]) => opt('ground', k, t)).join('')}</select></label>
<label>${esc(CI.agency)}<select name="agencyCode">${opt('agencyCode', '', CI.agencyUnknown)}${v.units.map((u) => opt('agencyCode', u.code, u.name)).join('')}</select></label>
<label>${esc(CI.agencyName)}<input name="agencyName" maxlength="100" value="${val('agencyName')}"></label>
<label>${esc(CI.facts)}<textarea name="facts" maxlength="5000" required>${val('facts')}</textarea></label>
<label>${esc(CI.request)}<textarea name="request" maxlength="2000" required>${val('request')}</textarea></label>
<label>${esc(CI.name)}<input name="name" maxlength="100" required value="${val('name')}"></label>
<label>${esc(CI.phone)}<input name="phone" maxlength="40" required inputmode="tel" value="${val('phone')}"></label>
<label class="check"><input type="checkbox" name="isProxy"${v.old?.get('isProxy') === 'on' ? ' checked' : ''}> ${esc(CI.proxy)}</label>
<label>${esc(CI.principal)}<input name="principalName" maxlength="100" value="${val('principalName')}"></label>
<button type="submit">${esc(CI.submit)}</button></form></section>`;
}

/**
 * The office registers a complaint that came by phone, letter, fax, SMS, e-mail, online or at
 * the window (SPEC 3 Art. 5-7), with the API's own schema and function (POST /api/v1/complaints).
 */
export function intakeRoutes(r: Router, deps: ModuleDeps): void {
  const ds = deps.dataSource;
  const units = async () => (await ds.getRepository(Unit).find({ order: { code: 'ASC' } })).filter((u) => !u.isOffice).map((u) => ({ code: u.code, name: u.name }));
  const page = async (ctx: Context, status: number, u: ConsoleUser, old: URLSearchParams | null, errors: string[]) =>
    sendPage(ctx, status, { title: CI.title, user: u, active: 'complaints' }, renderIntake({ user: u, units: await units(), old, errors }));

  r.get('/console/complaints/new', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    await page(ctx, 200, u, null, []);
  });

  r.post('/console/complaints/new', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const f = ctx.state.form as URLSearchParams;
    const cal = await deps.calendar();
    const now = deps.now();
    const raw = (k: string) => (f.get(k) ?? '').trim();
    const parsed = registerBody.safeParse({
      channel: raw('channel'),
      ground: raw('ground'),
      agencyCode: raw('agencyCode') || null,
      agencyName: raw('agencyName') || null,
      facts: raw('facts'),
      request: raw('request'),
      name: raw('name'),
      phone: raw('phone'),
      isProxy: f.get('isProxy') === 'on',
      principalName: raw('principalName') || null,
      receivedBy: raw('receivedBy') || undefined,
    });
    // datetime-local is office-local time without a zone.
    const at = raw('receivedAt');
    let receivedAt: Date | null = now;
    if (at) {
      try {
        // Without a zone the instant is read in the office's time zone.
        receivedAt = parseInstant(at.length === 16 ? `${at}:00` : at, cal);
      } catch {
        receivedAt = null;
      }
    }
    const errors = parsed.success ? [] : [...new Set(parsed.error.issues.map((i) => CI.fields[String(i.path[0])] ?? String(i.path[0])))];
    if (at && (!receivedAt || Number.isNaN(receivedAt.getTime()) || receivedAt.getTime() > now.getTime() + 5 * 60_000)) errors.push(CI.fields.receivedAt);
    if (parsed.success && parsed.data.isProxy && !parsed.data.principalName) errors.push(CI.fields.principalName);
    if (!parsed.success || errors.length) return page(ctx, 400, u, f, errors);
    const b = parsed.data;
    try {
      const res = await inTransaction(ds, (m) =>
        registerComplaint(
          m,
          { channel: b.channel as never, ground: b.ground, agencyCode: b.agencyCode ?? null, agencyName: b.agencyName ?? null, facts: b.facts, request: b.request, name: b.name, phone: b.phone, isProxy: b.isProxy, principalName: b.principalName ?? null, receivedAt: receivedAt ?? now, receivedBy: b.receivedBy ?? '', sourceKey: null },
          { cal, now, actor: { by: 'office', name: `wecom:${u.userid}` } },
        ),
      );
      deps.log.info({ userid: u.userid, complaintId: res.complaint.id }, 'console complaint registered');
      ctx.redirect(`/console/complaints/${res.complaint.id}?done=registered`);
    } catch (e) {
      if (!isAppError(e)) throw e;
      const field = String((e.details as { field?: unknown } | undefined)?.field ?? '');
      return page(ctx, 400, u, f, [CI.fields[field] ?? T.c.errors[e.code] ?? T.errors[e.code] ?? e.message]);
    }
  });
}
