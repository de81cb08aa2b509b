import Router from '@koa/router';
import { Context } from 'koa';
import type { ModuleDeps } from '../module';
import { getUnit, listUnits } from '../directory/service';
import { sendPage } from './layout';
import { T } from './messages';
import { seesAll } from './scope';
import type { ConsoleUser } from './session';
import { renderDirectory } from './views/directory.view';

/** The directory (SPEC 1 Art. 6): units, staff with their A/B roles, who is away today, the staffing gaps. */
export function directoryRouter(deps: ModuleDeps): Router {
  const r = new Router();
  r.get('/console/directory', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const m = deps.dataSource.manager;
    const today = (await deps.calendar()).localDate(deps.now());
    const units = await listUnits(m, seesAll(u) ? undefined : [u.unitCode ?? '']);
    const full = await Promise.all(units.map((x) => getUnit(m, x.code, today)));
    sendPage(ctx, 200, { title: T.d.title, user: u, active: 'directory' }, renderDirectory(full));
  });
  return r;
}
