import Router from '@koa/router';
import { Context } from 'koa';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { principalOf, requireOffice } from '../http/auth';
import { inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { unitBody, staffBody, upsertUnit, removeStaff, listUnits, getUnit, staffView, checkUnitCode } from './service';
import { gapSnapshot, saveStaffTelling, tellNewGaps } from './gaps';

/** Office-local date for away flags. */
async function today(deps: ModuleDeps): Promise<string> {
  return (await deps.calendar()).localDate(deps.now());
}

/**
 * The directory the office keeps (SPEC 1 Art. 6; CONTRACT.md `/api/v1/units`). Writes are
 * the office's; a unit key reads its own unit only. A write that leaves a unit below the
 * minimum tells the office in the same transaction.
 */
export function directoryRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;

  r.put('/units/:code', async (ctx: Context) => {
    const p = requireOffice(ctx);
    const body = unitBody.parse(await readJson(ctx));
    const { unit, created } = await inTransaction(ds, async (m) => {
      const before = await gapSnapshot(m, [ctx.params.code]);
      const saved = await upsertUnit(m, ctx.params.code, body, deps.now());
      await tellNewGaps(m, deps.config, before, deps.now(), { codes: [saved.unit.code] });
      return saved;
    });
    deps.log.info({ unit: unit.code, by: p.name, created }, 'unit saved');
    ctx.status = created ? 201 : 200;
    ctx.body = await getUnit(ds.manager, unit.code, await today(deps));
  });

  r.put('/units/:code/staff/:userid', async (ctx: Context) => {
    requireOffice(ctx);
    checkUnitCode(ctx.params.code);
    const body = staffBody.parse(await readJson(ctx));
    const { staff, created } = await saveStaffTelling(ds, deps.config, ctx.params.code, ctx.params.userid, body, deps.now());
    ctx.status = created ? 201 : 200;
    ctx.body = staffView(staff, await today(deps));
  });

  r.delete('/units/:code/staff/:userid', async (ctx: Context) => {
    requireOffice(ctx);
    await inTransaction(ds, async (m) => {
      const before = await gapSnapshot(m, [ctx.params.code]);
      await removeStaff(m, ctx.params.code, ctx.params.userid);
      await tellNewGaps(m, deps.config, before, deps.now(), { codes: [ctx.params.code] });
    });
    ctx.status = 204;
  });

  /** ?gaps=1 lists only the units below the Art. 6 minimum. */
  r.get('/units', async (ctx: Context) => {
    const p = principalOf(ctx);
    let units = await listUnits(ds.manager, p.kind === 'unit' ? [p.unitCode] : undefined);
    if (ctx.query.gaps === '1' || ctx.query.gaps === 'true') units = units.filter((u) => u.gaps.length > 0);
    ctx.body = { units };
  });

  r.get('/units/:code', async (ctx: Context) => {
    const p = principalOf(ctx);
    if (p.kind === 'unit' && p.unitCode !== ctx.params.code) throw new AppError('unit_not_found', `unknown unit ${ctx.params.code}`);
    ctx.body = await getUnit(ds.manager, ctx.params.code, await today(deps));
  });

  return r;
}
