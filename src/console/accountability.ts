import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { EntityManager } from 'typeorm';
import { AccountabilityCase, AccountabilityEvent, Staff, Unit } from '../../entities';
import type { Art4Ground, CaseStatus } from '../../entities/AccountabilityCase';
import type { ModuleDeps } from '../module';
import { inTransaction } from '../db/tx';
import { logReads } from '../verification/read-log';
import { ART4_GROUNDS } from '../accountability/codes';
import { GROUND_LABEL } from '../accountability/messages';
import { lateApplicationBody, openCaseBody, openLateApplicationCase, openOfficeCase } from '../accountability/open';
import { caseStepSchemas as S } from '../accountability/routes';
import { Party, applyForExemption, decideExemption, recordAppeal, recordAppealDecision, recordDecision, recordExemption, recordInvestigation } from '../accountability/steps';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { A } from './accountability.messages';
import { field, flashOf, idList, redirectRefused, refusalOf } from './acting';
import { seesAll } from './scope';
import type { ConsoleUser } from './session';
import { renderCase, renderCases } from './views/accountability.view';

const STATUSES: readonly CaseStatus[] = ['open', 'decided', 'exempted', 'revoked'];
const code = z.string().regex(/^[A-Za-z0-9_.\-]{1,40}$/);
const filterSchema = z.object({
  status: z.enum(STATUSES as [CaseStatus, ...CaseStatus[]]).optional().catch(undefined),
  unit: code.optional().catch(undefined),
  ground: z.enum(Object.keys(GROUND_LABEL) as [string, ...string[]]).optional().catch(undefined),
});

const idOf = (ctx: Context) => (/^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : null);
const mayView = (u: ConsoleUser, c: Pick<AccountabilityCase, 'unitCode'>) => seesAll(u) || (!!u.unitCode && c.unitCode === u.unitCode);
const actorOf = (u: ConsoleUser) => `wecom:${u.userid}`.slice(0, 100);

type Step = (m: EntityManager, id: number, f: URLSearchParams, u: ConsoleUser, now: Date) => Promise<AccountabilityCase>;
const yesNo = (v: string | undefined) => (v === 'yes' ? true : v === 'no' ? false : v);

/**
 * The steps of a case (SPEC 4 Art. 5-11), each through the same schema and service function
 * as the REST API. `office` steps are recorded by the office; `party` steps are filed by the
 * case's own unit, as a unit's key files them through the API.
 */
const STEPS: Record<string, { who: 'office' | 'party'; run: Step }> = {
  decision: {
    who: 'office',
    run: (m, id, f, u, now) => recordDecision(m, id, S.decision.parse({ outcome: field(f, 'outcome'), body: field(f, 'body'), note: field(f, 'note'), rectifyBy: field(f, 'rectifyBy'), decidedBy: field(f, 'decidedBy') }) as Parameters<typeof recordDecision>[2], actorOf(u), now),
  },
  'appeal-decision': {
    who: 'office',
    run: (m, id, f, u, now) => recordAppealDecision(m, id, S.appealDecision.parse({ result: field(f, 'result'), note: field(f, 'note'), outcome: field(f, 'outcome'), rectifyBy: field(f, 'rectifyBy') }) as Parameters<typeof recordAppealDecision>[2], actorOf(u), now),
  },
  exemption: {
    who: 'office',
    run: (m, id, f, u, now) => recordExemption(m, id, S.exemptionRecord.parse({ ground: field(f, 'ground'), note: field(f, 'note'), decidedBy: field(f, 'decidedBy') }) as Parameters<typeof recordExemption>[2], actorOf(u), now),
  },
  investigation: { who: 'office', run: (m, id, f, u, now) => recordInvestigation(m, id, S.investigation.parse({ findings: field(f, 'findings') }).findings, actorOf(u), now) },
  'exemption-decision': {
    who: 'office',
    run: (m, id, f, u, now) => decideExemption(m, id, S.exemptionDecision.parse({ approved: yesNo(field(f, 'approved')), approver: field(f, 'approver'), note: field(f, 'note') }), actorOf(u), now),
  },
  appeal: { who: 'party', run: (m, id, f, u, now) => recordAppeal(m, id, S.appeal.parse({ reason: field(f, 'reason') }).reason, partyOf(u), now) },
  'exemption-application': {
    who: 'party',
    run: (m, id, f, u, now) => applyForExemption(m, id, S.exemption.parse({ ground: field(f, 'ground'), explanation: field(f, 'explanation') }) as Parameters<typeof applyForExemption>[2], partyOf(u), now),
  },
};

function partyOf(u: ConsoleUser): Party {
  return { kind: 'unit', unitCode: u.unitCode ?? '' };
}

/** May this user take this step at all (before the service's own checks)? */
export function mayAct(u: ConsoleUser, who: 'office' | 'party'): boolean {
  return who === 'office' ? u.role === 'office' : u.role === 'unit';
}

/** Accountability cases (SPEC 4): list, detail with every step, and the office's and unit's forms. */
export function accountabilityConsoleRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;

  r.get('/console/accountability', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const f = filterSchema.parse(ctx.query);
    const qb = ds.getRepository(AccountabilityCase).createQueryBuilder('c').orderBy('c.occurred_at', 'DESC').addOrderBy('c.id', 'DESC').limit(200);
    if (!seesAll(u)) qb.andWhere('c.unit_code = :own', { own: u.unitCode ?? '' });
    if (f.status) qb.andWhere('c.status = :st', { st: f.status });
    if (f.unit) qb.andWhere('c.unit_code = :un', { un: f.unit });
    if (f.ground) qb.andWhere('c.ground = :gr', { gr: f.ground });
    const rows = await qb.getMany();
    const units = await ds.getRepository(Unit).find({ order: { code: 'ASC' } });
    const flash = flashOf(ctx, A, A.errors.validation_failed);
    sendPage(ctx, 200, { title: A.title, user: u, active: 'accountability' }, renderCases({ rows, units, filter: f, user: u, tz, flash, statuses: STATUSES, grounds: ART4_GROUNDS as Art4Ground[] }));
  });

  r.get('/console/accountability/:id', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const id = idOf(ctx);
    const c = id === null ? null : await ds.getRepository(AccountabilityCase).findOneBy({ id });
    // Another unit's case reads as missing: its existence is not disclosed.
    if (!c || !mayView(u, c)) return errorPage(ctx, 404, T.notFound, u);
    const events = await ds.getRepository(AccountabilityEvent).find({ where: { caseId: c.id }, order: { id: 'ASC' } });
    const unit = await ds.getRepository(Unit).findOneBy({ code: c.unitCode });
    const person = c.personUserid ? await ds.getRepository(Staff).findOneBy({ userid: c.personUserid }) : null;
    // SPEC 1 Art. 12: the case names a person and their conduct; the view is logged.
    await logReads(ds.manager, 'accountability', [c.id], { reader: u.userid, readerUnit: u.unitCode }, 'console', 'person,facts,decision', deps.now());
    const flash = flashOf(ctx, A, A.errors.validation_failed);
    sendPage(ctx, 200, { title: `${A.title} ${c.id}`, user: u, active: 'accountability' }, renderCase({ c, events, unitName: unit?.name ?? c.unitCode, personName: person?.name ?? null, user: u, tz, flash }));
  });

  /** SPEC 4 Art. 4: the office opens a case on a ground (1)-(6) with its evidence. */
  r.post('/console/accountability', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const f = ctx.state.form as URLSearchParams;
    let c: AccountabilityCase;
    try {
      const evidence = Object.fromEntries(Object.entries({ requests: idList(f, 'requests'), complaints: idList(f, 'complaints'), applications: idList(f, 'applications'), text: field(f, 'text') }).filter(([, v]) => v !== undefined));
      const body = openCaseBody.parse({ ground: field(f, 'ground'), unit: field(f, 'unit'), person: field(f, 'person'), employment: field(f, 'employment'), evidence });
      c = await inTransaction(ds, (m) => openOfficeCase(m, body, actorOf(u), deps.now()));
    } catch (e) {
      const refused = refusalOf(e);
      if (!refused) throw e;
      return redirectRefused(ctx, '/console/accountability', refused);
    }
    deps.log.info({ userid: u.userid, case: c.id, ground: c.ground, unit: c.unitCode }, 'console: accountability case opened');
    ctx.redirect(`/console/accountability/${c.id}?done=opened`);
  });

  /** SPEC 2 Art. 9: a list application filed late, opened as a case once. */
  r.post('/console/accountability/from-application', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const f = ctx.state.form as URLSearchParams;
    let c: AccountabilityCase;
    try {
      const app = field(f, 'application') ?? '';
      if (!/^\d{1,9}$/.test(app)) return redirectRefused(ctx, '/console/accountability', { error: 'validation_failed', field: 'application' });
      const body = lateApplicationBody.parse({ ground: field(f, 'ground'), person: field(f, 'person'), employment: field(f, 'employment'), text: field(f, 'text') });
      c = await inTransaction(ds, (m) => openLateApplicationCase(m, Number(app), body, actorOf(u), deps.now()));
    } catch (e) {
      const refused = refusalOf(e);
      if (!refused) throw e;
      // "application N was filed within its 7 working days": the application is at fault.
      if (refused.error === 'validation_failed' && !refused.field) refused.field = 'application';
      return redirectRefused(ctx, '/console/accountability', refused);
    }
    deps.log.info({ userid: u.userid, case: c.id, unit: c.unitCode }, 'console: accountability case opened from a late list application');
    ctx.redirect(`/console/accountability/${c.id}?done=opened`);
  });

  r.post('/console/accountability/:id/:step', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const id = idOf(ctx);
    const c = id === null ? null : await ds.getRepository(AccountabilityCase).findOneBy({ id });
    if (!c || !mayView(u, c)) return errorPage(ctx, 404, T.notFound, u);
    const name = String(ctx.params.step);
    const step = Object.hasOwn(STEPS, name) ? STEPS[name] : null;
    if (!step) return errorPage(ctx, 404, T.notFound, u);
    // The office records; the case's unit files its appeal or exemption; auditors read.
    if (!mayAct(u, step.who)) return errorPage(ctx, 403, T.forbidden, u);
    const form = ctx.state.form as URLSearchParams;
    try {
      await inTransaction(ds, (m) => step.run(m, c.id, form, u, deps.now()));
    } catch (e) {
      const refused = refusalOf(e);
      if (!refused) throw e;
      return redirectRefused(ctx, `/console/accountability/${c.id}`, refused);
    }
    deps.log.info({ userid: u.userid, case: c.id, step: name }, 'console: accountability step');
    ctx.redirect(`/console/accountability/${c.id}?done=${name}`);
  });

  return r;
}
