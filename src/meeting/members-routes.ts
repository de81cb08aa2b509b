import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { principalOf, requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { isValidDate } from '../directory/rules';
import { CONVENOR_ROLES, ConvenorRole, addMemberUnit, changeLiaison, membersJson, removeMember, setConvenor } from './members';
import { decisionJson, recordCountyOutcome, reportDecisionProgress } from './decisions';

/**
 * /api/v1/meeting (SPEC 5): the members of the joint meeting, a change of a member unit's
 * meeting liaison, progress on a decision, and the county government's answer on an item
 * submitted without consensus.
 */
export function meetingMembersRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const date = z.string().refine(isValidDate, 'a date YYYY-MM-DD');
  const liaison = z.object({ liaison: z.string().trim().min(1).max(64), effectiveOn: date }).strict();
  const text = z.object({ text: z.string().trim().min(1).max(4000) }).strict();
  const role = z.object({ role: z.enum(CONVENOR_ROLES as [ConvenorRole, ...ConvenorRole[]]) }).strict();
  const decisionId = (ctx: Context) => (/^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN);
  const members = async (ctx: Context) => {
    const cal = await deps.calendar();
    ctx.body = await membersJson(ds.manager, cal.localDate(deps.now()));
  };

  r.get('/meeting/members', async (ctx: Context) => {
    principalOf(ctx);
    await members(ctx);
  });

  r.put('/meeting/members/convenors/:userid', async (ctx: Context) => {
    requireOffice(ctx);
    const body = role.parse(await readJson(ctx));
    await inTransaction(ds, (m) => setConvenor(m, ctx.params.userid, body.role, deps.now()));
    await members(ctx);
  });

  r.delete('/meeting/members/convenors/:userid', async (ctx: Context) => {
    requireOffice(ctx);
    await inTransaction(ds, (m) => removeMember(m, { userid: ctx.params.userid }));
    await members(ctx);
  });

  r.post('/meeting/members/units', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = liaison.extend({ unit: z.string().trim().min(1).max(40) }).strict().parse(await readJson(ctx));
    await inTransaction(ds, (m) => addMemberUnit(m, body.unit, body.liaison, body.effectiveOn, `api:${p.name}`, deps.now()));
    ctx.status = 201;
    await members(ctx);
  });

  r.delete('/meeting/members/units/:code', async (ctx: Context) => {
    requireOffice(ctx);
    await inTransaction(ds, (m) => removeMember(m, { unitCode: ctx.params.code }));
    await members(ctx);
  });

  /** A change of meeting liaison, filed with the office by the unit (its key) or entered by the office. */
  r.post('/meeting/members/units/:code/liaison', async (ctx: Context) => {
    const p = principalOf(ctx);
    if (p.kind === 'unit' && p.unitCode !== ctx.params.code) throw new AppError('forbidden', 'a unit key files its own liaison only');
    const body = liaison.parse(await readJson(ctx));
    await inTransaction(ds, (m) => changeLiaison(m, ctx.params.code, body.liaison, body.effectiveOn, `api:${p.name}`, deps.now()));
    await members(ctx);
  });

  r.post('/meetings/decisions/:id/progress', async (ctx: Context) => {
    const p = principalOf(ctx);
    const body = text.parse(await readJson(ctx));
    const cal = await deps.calendar();
    const d = await inTransaction(ds, (m) => reportDecisionProgress(m, decisionId(ctx), p.kind === 'unit' ? p.unitCode : null, body.text, `api:${p.name}`, deps.now()));
    ctx.body = decisionJson(cal, d);
  });

  r.post('/meetings/decisions/:id/county-outcome', async (ctx: Context) => {
    requireOffice(ctx);
    const body = text.parse(await readJson(ctx));
    const cal = await deps.calendar();
    const d = await inTransaction(ds, (m) => recordCountyOutcome(m, decisionId(ctx), body.text, deps.now()));
    ctx.body = decisionJson(cal, d);
  });
  return r;
}
