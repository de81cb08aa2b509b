import Router from '@koa/router';
import { Context } from 'koa';
import { EntityManager } from 'typeorm';
import { PersonalDataRead, Staff, Unit, VerificationEvent, VerificationRecipient, VerificationRequest, VerificationTemplate } from '../../entities';
import { ModuleDeps } from '../module';
import { inTransaction } from '../db/tx';
import { readRawBody } from '../http/body';
import { AppError, isAppError } from '../errors';
import { shortTime } from '../calendar';
import { isOfficeMember } from '../directory/who';
import type { DeadlineCategory } from '../calendar';
import { SessionSigner } from './session';
import { SlidingWindowLimiter, rateLimit } from '../http/rate-limit';
import { PAGE_TEXT, CATEGORY_LABEL, STATUS_LABEL, RESULT_LABEL, CHANNEL_LABEL } from './messages';
import { Actor, OpContext } from './common';
import { answerRequest, changeCategory } from './decide';
import { returnWithReason } from './returns';
import { oauthHosts } from '../wecom/oauth-hosts';
import { HISTORY_TEXT, historyLines } from './history';

const COOKIE = 'nc_session';
const SESSION_MS = 8 * 3600_000;
/** Logins per client a minute: each one spends a WeCom getuserinfo call. */
export const LOGIN_LIMIT = { limit: 20, windowMs: 60_000 };

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function html(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>body{font-family:sans-serif;margin:1em;max-width:48em}th{text-align:left;padding-right:1em;vertical-align:top;white-space:nowrap}td{white-space:pre-wrap}.note{color:#666;font-size:.9em}textarea{width:100%;min-height:5em}</style></head><body>${body}</body></html>`;
}

function page(ctx: Context, status: number, title: string, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.body = html(title, body);
}

/** Art. 12: members of the requesting or issuing unit, and office members. */
export async function mayRead(m: EntityManager, userid: string, req: VerificationRequest): Promise<Staff | null> {
  const s = await m.getRepository(Staff).findOneBy({ userid });
  if (!s) return null;
  if (s.unitCode === req.requesterUnit || s.unitCode === req.issuerUnit) return s;
  return isOfficeMember(m, userid);
}

type PageAction = 'match' | 'mismatch' | 'paper' | 'historical' | 'return';

async function actionsFor(m: EntityManager, req: VerificationRequest, userid: string): Promise<PageAction[]> {
  if (req.status === 'accepted' && req.assignee === userid) {
    const longer = (['paper', 'historical'] as DeadlineCategory[]).filter((c) => ({ digital: 0, paper: 1, historical: 2 })[c] > { digital: 0, paper: 1, historical: 2 }[req.category]);
    return ['match', 'mismatch', ...(longer as PageAction[]), 'return'];
  }
  if (req.status === 'returning' && req.assignee === userid) return ['return'];
  if (req.status === 'pending' && (await m.getRepository(VerificationRecipient).findOneBy({ requestId: req.id, userid }))) return ['return'];
  return [];
}

export interface PageDeps {
  deps: ModuleDeps;
  signer: SessionSigner;
  opContext: (now: Date) => Promise<OpContext>;
}

/**
 * The detail page behind a card's link (SPEC 1 Art. 12): WeCom OAuth (snsapi_base) gives the
 * userid, a signed cookie keeps it; full personal data only for members of the two units or
 * the office, and every such view is logged. The owner may answer here too (CONTRACT.md).
 */
export function detailPageRouter({ deps, signer, opContext }: PageDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const secure = deps.config.publicUrl.startsWith('https://');
  const t = PAGE_TEXT;

  const loginUrl = (id: number) => {
    const w = deps.config.wecom!;
    const redirect = encodeURIComponent(`${deps.config.publicUrl}/v/login`);
    // Sandbox mode and tests: the emulator's OAuth page, as the console signs in.
    return `${oauthHosts(deps.config).authorize}/connect/oauth2/authorize?appid=${encodeURIComponent(w.corpId)}&redirect_uri=${redirect}&response_type=code&scope=snsapi_base&state=${signer.state(id)}&agentid=${w.agentId}#wechat_redirect`;
  };

  const loginLimit = rateLimit(new SlidingWindowLimiter(LOGIN_LIMIT.limit, LOGIN_LIMIT.windowMs), () => deps.now().getTime());
  r.get('/v/login', loginLimit, async (ctx: Context) => {
    const id = signer.readState(typeof ctx.query.state === 'string' ? ctx.query.state : undefined);
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    if (id === null || !code) return page(ctx, 400, t.loginFailed, `<p>${esc(t.loginFailed)}</p>`);
    let userid: string;
    try {
      userid = await deps.wecomUserId(code);
    } catch (e) {
      deps.log.warn({ err: (e as Error).message }, 'detail page login failed');
      // A code of someone outside the corp (getuserinfo answered an openid, no userid).
      if (isAppError(e) && e.code === 'forbidden') return page(ctx, 403, t.notCorpMember, `<p>${esc(t.notCorpMember)}</p>`);
      return page(ctx, 401, t.loginFailed, `<p>${esc(t.loginFailed)}</p>`);
    }
    const now = deps.now();
    ctx.cookies.set(COOKIE, signer.issue(userid, new Date(now.getTime() + SESSION_MS)), { httpOnly: true, sameSite: 'lax', secure, path: '/v', maxAge: SESSION_MS, overwrite: true });
    ctx.redirect(`/v/${id}`);
  });

  const session = (ctx: Context) => signer.read(ctx.cookies.get(COOKIE), deps.now());

  r.get('/v/:id', async (ctx: Context) => {
    if (!/^\d{1,10}$/.test(ctx.params.id)) return page(ctx, 404, t.notFound, `<p>${esc(t.notFound)}</p>`);
    const id = Number(ctx.params.id);
    const userid = session(ctx);
    if (!userid) return ctx.redirect(loginUrl(id));
    const m = ds.manager;
    const req = await m.getRepository(VerificationRequest).findOneBy({ id });
    if (!req) return page(ctx, 404, t.notFound, `<p>${esc(t.notFound)}</p>`);
    const reader = await mayRead(m, userid, req);
    if (!reader) {
      deps.log.warn({ requestId: id, userid }, 'detail page refused');
      return page(ctx, 403, t.title(req.number), `<p>${esc(t.forbidden)}</p>`);
    }
    const now = deps.now();
    // Art. 12: every view of the personal data is logged (who, when, what).
    await m.getRepository(PersonalDataRead).insert({ requestId: id, reader: userid, readerUnit: reader.unitCode, via: 'page', fields: 'applicant_name,applicant_id_number,question', at: now });
    page(ctx, 200, t.title(req.number), await renderDetail(m, req, userid, signer, deps.config.officeTz, typeof ctx.query.error === 'string' ? ctx.query.error : null));
  });

  r.post('/v/:id/act', async (ctx: Context) => {
    if (!/^\d{1,10}$/.test(ctx.params.id)) return page(ctx, 404, t.notFound, `<p>${esc(t.notFound)}</p>`);
    const id = Number(ctx.params.id);
    const userid = session(ctx);
    if (!userid) return page(ctx, 401, t.loginFailed, `<p>${esc(t.loginFailed)}</p>`);
    const form = new URLSearchParams(await readRawBody(ctx, 64 * 1024));
    if (!signer.checkCsrf(userid, id, form.get('csrf') ?? undefined)) return page(ctx, 403, t.forbidden, `<p>${esc(t.forbidden)}</p>`);
    const action = form.get('action') as PageAction | null;
    const text = (form.get('text') ?? '').trim();
    const now = deps.now();
    const op = await opContext(now);
    try {
      await inTransaction(ds, async (m) => {
        const req = await m.getRepository(VerificationRequest).findOneBy({ id });
        if (!req || !(await mayRead(m, userid, req))) throw new AppError('verification_not_found', 'no such request');
        if (!action || !(await actionsFor(m, req, userid)).includes(action)) throw new AppError('verification_invalid_state', 'this action is not open to you now');
        const actor: Actor = { kind: 'staff', userid };
        if (action === 'match') await answerRequest(m, op, req, actor, 'match', text || null);
        else if (action === 'mismatch') await answerRequest(m, op, req, actor, 'mismatch', text);
        else if (action === 'return') await returnWithReason(m, op, req, actor, text);
        else await changeCategory(m, op, req, actor, action, text);
      });
    } catch (e) {
      if (!isAppError(e)) throw e;
      return ctx.redirect(`/v/${id}?error=${encodeURIComponent(e.code)}`);
    }
    ctx.redirect(`/v/${id}`);
  });

  return r;
}

async function renderDetail(m: EntityManager, req: VerificationRequest, userid: string, signer: SessionSigner, tz: string, error: string | null): Promise<string> {
  const t = PAGE_TEXT;
  const f = t.fields;
  const fmt = (d: Date | null) => (d ? shortTime(tz, d) : '');
  const [units, events, template, owner] = await Promise.all([
    m.getRepository(Unit).findBy([{ code: req.requesterUnit }, { code: req.issuerUnit }]),
    m.getRepository(VerificationEvent).find({ where: { requestId: req.id }, order: { at: 'ASC', id: 'ASC' } }),
    req.templateId ? m.getRepository(VerificationTemplate).findOneBy({ id: req.templateId }) : Promise.resolve(null),
    req.assignee ? m.getRepository(Staff).findOneBy({ userid: req.assignee }) : Promise.resolve(null),
  ]);
  const unitName = (c: string) => units.find((u) => u.code === c)?.name ?? c;
  const rows: Array<[string, string]> = [
    [f.number, req.number],
    [f.status, STATUS_LABEL[req.status]],
    [f.channel, CHANNEL_LABEL[req.channel] ?? req.channel],
    [f.requester, unitName(req.requesterUnit)],
    [f.issuer, unitName(req.issuerUnit)],
    [f.serviceItem, req.serviceItem],
    [f.certificate, req.certificate],
    [f.category, CATEGORY_LABEL[req.category]],
    [f.dueAt, fmt(req.dueAt)],
    [f.applicantName, req.applicantName],
    [f.applicantId, req.applicantIdNumber],
    [f.question, req.question],
    [f.assignee, owner?.name ?? req.assignee ?? ''],
  ];
  if (req.result) rows.push([f.result, RESULT_LABEL[req.result]], [f.reply, req.reply ?? '']);
  if (req.returnReason) rows.push([f.returnReason, req.returnReason]);
  if (template) rows.push([f.template, template.requestLetter]);
  const table = `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
  // Labels and names, never event codes or userids (issue 18 item 10).
  const lines = await historyLines(m, events);
  const log = `<h3>${esc(f.events)}</h3><ul>${lines.map((e) => `<li>${esc(fmt(e.at))} ${esc(e.label)}${HISTORY_TEXT.separator}${esc(e.who)}${e.reason ? `${t.reasonSeparator}${esc(e.reason)}` : ''}</li>`).join('')}</ul>`;
  const actions = await actionsFor(m, req, userid);
  const a = t.actions;
  const label: Record<PageAction, string> = { match: a.match, mismatch: a.mismatch, paper: a.toPaper, historical: a.toHistorical, return: a.return };
  const form = actions.length
    ? `<h3>${esc(a.heading)}</h3><form method="post" action="/v/${req.id}/act"><input type="hidden" name="csrf" value="${esc(signer.csrf(userid, req.id))}">${actions
        .map((x, i) => `<label><input type="radio" name="action" value="${x}"${i === 0 ? ' checked' : ''}> ${esc(label[x])}</label> `)
        .join('')}<p>${esc(a.textLabel)}</p><textarea name="text"></textarea><p><button type="submit">${esc(a.submit)}</button></p></form>`
    : '';
  const err = error ? `<p class="note">${esc(error)}</p>` : '';
  return `<h2>${esc(t.title(req.number))}</h2>${err}${table}${form}${log}<p class="note">${esc(t.viewLogged)}</p>`;
}

