import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { JointMeeting } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { Principal, principalOf, requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { instantSchema } from '../http/schemas';
import { acknowledge, cancelMeeting, loadMeeting, meetingJson, reportProgress, scheduleMeeting, sendMinutes } from './service';
import { Proposer, proposeAgenda } from './agenda';
import { isValidDate } from '../directory/rules';

function id(ctx: Context): number {
  return /^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
}

/** A unit's key acts for its own unit only; the office for any. */
function unitScope(p: Principal, code: string): void {
  if (p.kind === 'unit' && p.unitCode !== code) throw new AppError('forbidden', 'a unit key acts for its own unit only');
}

/** /api/v1/meetings (SPEC 5): schedule (with its liaison meeting), agenda, minutes with decisions, acknowledgements, progress. */
export function meetingRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const tz = deps.config.officeTz;
  const schedule = z.object({
    kind: z.enum(['regular', 'liaison']).default('regular'),
    title: z.string().trim().min(1).max(200),
    scheduledAt: instantSchema(tz),
    place: z.string().trim().max(200).nullable().optional(),
    units: z.array(z.string().trim().min(1).max(40)).max(500).nullable().optional(),
    liaisonMeeting: z.object({ scheduledAt: instantSchema(tz), place: z.string().trim().max(200).nullable().optional() }).strict().nullable().optional(),
  }).strict();
  const date = z.string().refine(isValidDate, 'a date YYYY-MM-DD');
  const minutes = z.object({
    text: z.string().trim().min(1).max(20000),
    decisions: z.array(z.object({ text: z.string().trim().min(1).max(4000), unit: z.string().trim().min(1).max(40), dueDate: date }).strict()).max(200).default([]),
    noConsensus: z.array(z.object({ text: z.string().trim().min(1).max(4000) }).strict()).max(200).default([]),
  }).strict();
  const text = (max: number) => z.object({ text: z.string().trim().min(1).max(max) }).strict();
  const agenda = z.object({ text: z.string().trim().min(1).max(4000), unit: z.string().trim().min(1).max(40).optional(), convenor: z.string().trim().min(1).max(64).optional() }).strict();

  r.get('/meetings', async (ctx: Context) => {
    principalOf(ctx);
    const cal = await deps.calendar();
    const rows = await ds.getRepository(JointMeeting).find({ order: { scheduledAt: 'DESC' }, take: 100 });
    ctx.body = { meetings: await Promise.all(rows.map((x) => meetingJson(ds.manager, cal, x, false))) };
  });

  r.post('/meetings', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = schedule.parse(await readJson(ctx));
    const now = deps.now();
    const cal = await deps.calendar();
    const meeting = await inTransaction(ds, (m) => scheduleMeeting(m, cal, body, `api:${p.name}`, now));
    ctx.status = 201;
    ctx.body = await meetingJson(ds.manager, cal, meeting);
  });

  r.get('/meetings/:id', async (ctx: Context) => {
    principalOf(ctx);
    const cal = await deps.calendar();
    ctx.body = await meetingJson(ds.manager, cal, await loadMeeting(ds.manager, id(ctx)));
  });

  r.post('/meetings/:id/cancel', async (ctx: Context) => {
    requireOffice(ctx);
    const now = deps.now();
    const cal = await deps.calendar();
    const meeting = await inTransaction(ds, (m) => cancelMeeting(m, id(ctx), now));
    ctx.body = await meetingJson(ds.manager, cal, meeting);
  });

  r.post('/meetings/:id/agenda', async (ctx: Context) => {
    const p = principalOf(ctx);
    const body = agenda.parse(await readJson(ctx));
    // A unit's key proposes for its unit; the office enters a convenor's item, or a unit's proposal.
    let proposer: Proposer;
    if (p.kind === 'unit') {
      if (body.unit) unitScope(p, body.unit);
      if (body.convenor) throw new AppError('forbidden', 'a unit key proposes for its unit; convenors add items through the office');
      proposer = { kind: 'unit', unitCode: p.unitCode, by: `api:${p.name}` };
    } else if (body.convenor) proposer = { kind: 'convenor', userid: body.convenor };
    else if (body.unit) proposer = { kind: 'unit', unitCode: body.unit, by: `api:${p.name}` };
    else throw new AppError('validation_failed', 'name the convenor who sets the item, or the member unit that proposes it');
    const now = deps.now();
    const { item } = await inTransaction(ds, (m) => proposeAgenda(m, { text: body.text, proposer, via: 'api', meetingId: id(ctx) }, now));
    ctx.status = 201;
    ctx.body = { id: item.id, meetingId: item.meetingId, unit: item.unitCode, text: item.text, status: item.status };
  });

  r.post('/meetings/:id/minutes', async (ctx: Context) => {
    requireOffice(ctx);
    const body = minutes.parse(await readJson(ctx));
    const now = deps.now();
    const cal = await deps.calendar();
    const res = await inTransaction(ds, (m) => sendMinutes(m, deps.config, cal, id(ctx), body.text, { decisions: body.decisions, noConsensus: body.noConsensus }, now));
    ctx.body = { ...(await meetingJson(ds.manager, cal, res.meeting)), unreachable: res.unreachable };
  });

  r.post('/meetings/:id/units/:code/acknowledge', async (ctx: Context) => {
    const p = principalOf(ctx);
    unitScope(p, ctx.params.code);
    const now = deps.now();
    const cal = await deps.calendar();
    await inTransaction(ds, (m) => acknowledge(m, id(ctx), ctx.params.code, `api:${p.name}`, now));
    ctx.body = await meetingJson(ds.manager, cal, await loadMeeting(ds.manager, id(ctx)));
  });

  r.post('/meetings/:id/units/:code/progress', async (ctx: Context) => {
    const p = principalOf(ctx);
    unitScope(p, ctx.params.code);
    const body = text(4000).parse(await readJson(ctx));
    const now = deps.now();
    const cal = await deps.calendar();
    await inTransaction(ds, (m) => reportProgress(m, id(ctx), ctx.params.code, body.text, now));
    ctx.body = await meetingJson(ds.manager, cal, await loadMeeting(ds.manager, id(ctx)));
  });
  return r;
}
