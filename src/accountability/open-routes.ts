import Router from '@koa/router';
import { Context } from 'koa';
import { AccountabilityEvent } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { caseJson } from './routes';
import { lateApplicationBody, openCaseBody, openLateApplicationCase, openOfficeCase } from './open';

/**
 * The office opens cases (SPEC 4 Art. 4): `POST /accountability/cases` on any ground with
 * its evidence, and `POST /accountability/cases/from-application/{id}` from a list
 * application filed late (SPEC 2 Art. 9).
 */
export function accountabilityOpenRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const answer = async (ctx: Context, caseId: number, c: Parameters<typeof caseJson>[1]) => {
    const events = await ds.getRepository(AccountabilityEvent).find({ where: { caseId }, order: { id: 'ASC' } });
    ctx.status = 201;
    ctx.body = caseJson(await deps.calendar(), c, events);
  };

  r.post('/accountability/cases', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = openCaseBody.parse(await readJson(ctx));
    const c = await inTransaction(ds, (m) => openOfficeCase(m, body, `api:${p.name}`.slice(0, 100), deps.now()));
    deps.log.info({ case: c.id, ground: c.ground, unit: c.unitCode }, 'accountability case opened by the office');
    await answer(ctx, c.id, c);
  });

  r.post('/accountability/cases/from-application/:id', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = lateApplicationBody.parse(await readJson(ctx));
    const id = /^\d{1,9}$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
    const c = await inTransaction(ds, (m) => openLateApplicationCase(m, id, body, `api:${p.name}`.slice(0, 100), deps.now()));
    deps.log.info({ case: c.id, application: id, unit: c.unitCode }, 'accountability case opened from a late list application');
    await answer(ctx, c.id, c);
  });
  return r;
}
