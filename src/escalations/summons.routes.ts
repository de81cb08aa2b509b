import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { VerificationRequest } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { periodOf } from '../calendar/period';
import { DeadlineDeps } from './deps';
import { decideSummons, listSummons, recordSummons, summonsJson } from './summons';

const text = z.string().trim().min(1).max(2000);
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** Last day of a month YYYY-MM. */
function monthEnd(ym: string): string {
  const [y, mo] = ym.split('-').map(Number);
  return `${ym}-${String(new Date(Date.UTC(y, mo, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** 约谈 records (SPEC 1 Art. 11): the office records, decides and lists them. */
export function summonsRouter(deps: ModuleDeps, d: DeadlineDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const create = z
    .object({ requestId: z.number().int().positive().optional(), number: z.string().max(20).optional(), person: z.string().max(64).optional(), effect: text, officeRequest: text.optional() })
    .strict()
    .refine((b) => !!b.requestId !== !!b.number, 'give requestId or number');
  const decision = z.object({ decision: z.enum(['approved', 'declined']), heldOn: localDate.nullable().optional(), note: z.string().trim().max(2000).nullable().optional() }).strict();
  const list = z.object({
    unit: z.string().max(40).optional(),
    period: z.string().regex(/^\d{4}-\d{2}$/, 'a month YYYY-MM').optional(),
    from: localDate.optional(),
    to: localDate.optional(),
  });

  r.post('/summons', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = create.parse(await readJson(ctx));
    const now = deps.now();
    const cal = await deps.calendar();
    const s = await inTransaction(ds, async (m) => {
      const req = await m.getRepository(VerificationRequest).findOneBy(body.requestId ? { id: body.requestId } : { number: body.number! });
      if (!req) throw new AppError('verification_not_found', `no verification request ${body.requestId ?? body.number}`);
      return recordSummons(m, d, cal, req, { kind: 'api', name: p.name, unitCode: null }, p.name, { person: body.person, effect: body.effect, officeRequest: body.officeRequest }, now);
    });
    ctx.status = 201;
    ctx.body = summonsJson(cal, s);
  });

  r.post('/summons/:id/decision', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = decision.parse(await readJson(ctx));
    const id = /^\d{1,10}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
    const cal = await deps.calendar();
    const s = await inTransaction(ds, (m) => decideSummons(m, id, body, { kind: 'api', name: p.name, unitCode: null }, deps.now()));
    ctx.body = summonsJson(cal, s);
  });

  r.get('/summons', async (ctx: Context) => {
    requireOffice(ctx);
    const q = list.parse(ctx.query);
    const cal = await deps.calendar();
    const period = q.period ? periodOf(cal, deps.now(), `${q.period}-01`, monthEnd(q.period)) : q.from || q.to ? periodOf(cal, deps.now(), q.from, q.to) : undefined;
    const rows = await listSummons(ds.manager, { unit: q.unit, period });
    ctx.body = { summons: rows.map((s) => summonsJson(cal, s)) };
  });

  return r;
}
