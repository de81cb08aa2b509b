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
import { acknowledge, cancelMeeting, loadMeeting, meetingJson, proposeAgenda, reportProgress, scheduleMeeting, sendMinutes } from './service';

function id(ctx: Context): number {
  return /^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
}

/** A unit's key acts for its own unit only; the office for any. */
function unitScope(p: Principal, code: string): void {
  if (p.kind === 'unit' && p.unitCode !== code) throw new AppError('forbidden', 'a unit key acts for its own unit only');
}

/** /api/v1/meetings (SPEC 5): schedule, agenda, minutes, acknowledgements, progress. */
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
  }).strict();
  const text = (max: number) => z.object({ text: z.string().trim().min(1).max(max) }).strict();
  const agenda = z.object({ text: z.string().trim().min(1).max(4000), unit: z.string().trim().min(1).max(40).optional() }).strict();

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
    const meeting = await inTransaction(ds, (m) => scheduleMeeting(m, body, `api:${p.name}`, now));
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
    const unit = p.kind === 'unit' ? p.unitCode : body.unit ?? null;
    if (unit) unitScope(p, unit);
    const now = deps.now();
    const { item } = await inTransaction(ds, (m) => proposeAgenda(m, { text: body.text, unitCode: unit, proposedBy: `api:${p.name}`, via: 'api', meetingId: id(ctx) }, now));
    ctx.status = 201;
    ctx.body = { id: item.id, meetingId: item.meetingId, unit: item.unitCode, text: item.text };
  });

  r.post('/meetings/:id/minutes', async (ctx: Context) => {
    requireOffice(ctx);
    const body = text(20000).parse(await readJson(ctx));
    const now = deps.now();
    const cal = await deps.calendar();
    const res = await inTransaction(ds, (m) => sendMinutes(m, deps.config, cal, id(ctx), body.text, now));
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
