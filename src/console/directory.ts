import Router from '@koa/router';
import { Context } from 'koa';
import { Staff, Unit } from '../../entities';
import type { StaffInput } from '../directory/service';
import type { ModuleDeps } from '../module';
import { getUnit, listUnits, staffView } from '../directory/service';
import { saveStaffTelling } from '../directory/gaps';
import { isValidDate } from '../directory/rules';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { TD } from './directory.messages';
import { seesAll } from './scope';
import type { ConsoleUser } from './session';
import { renderDirectory, renderStaff } from './views/directory.view';
import { importRoutes } from './directory-import';
import { addTraining, listTraining } from '../directory/training';

const ROLES = ['liaison', 'deputy', 'member'] as const;

/** The form's fields checked; the keys of TD.invalid for what is wrong. */
function staffForm(form: URLSearchParams, today: string): { input: Pick<StaffInput, 'role' | 'ab' | 'away' | 'awayUntil' | 'trainedOn'> } | { errors: string[] } {
  const errors: string[] = [];
  const role = form.get('role') ?? '';
  if (!(ROLES as readonly string[]).includes(role)) errors.push('role');
  const ab = form.get('ab') ?? '';
  if (!['', 'A', 'B'].includes(ab)) errors.push('ab');
  const awayUntil = (form.get('awayUntil') ?? '').trim();
  if (awayUntil && !isValidDate(awayUntil)) errors.push('awayUntil');
  const trainedOn = (form.get('trainedOn') ?? '').trim();
  if (trainedOn && !isValidDate(trainedOn)) errors.push('trainedOn');
  else if (trainedOn && trainedOn > today) errors.push('trainedFuture');
  if (errors.length) return { errors };
  return { input: { role: role as StaffInput['role'], ab: (ab || null) as StaffInput['ab'], away: form.get('away') === 'on', awayUntil: awayUntil || null, trainedOn: trainedOn || null } };
}

/**
 * The directory (SPEC 1 Art. 6): units, staff with their A/B roles, who is away today, the
 * staffing gaps; the office edits a member's roles, absence and training record, and imports
 * a workbook after a preview.
 */
export function directoryRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const today = async () => (await deps.calendar()).localDate(deps.now());

  r.get('/console/directory', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const m = ds.manager;
    const day = await today();
    const units = await listUnits(m, seesAll(u) ? undefined : [u.unitCode ?? '']);
    const full = await Promise.all(units.map((x) => getUnit(m, x.code, day)));
    const imported = typeof ctx.query.imported === 'string' ? /^(\d+)-(\d+)$/.exec(ctx.query.imported) : null;
    const flash = imported ? TD.imported(Number(imported[1]), Number(imported[2])) : null;
    sendPage(ctx, 200, { title: T.d.title, user: u, active: 'directory' }, renderDirectory(full, { office: u.role === 'office', flash }));
  });

  /** One member: roles, absence, training record; unit staff see their own unit's members only. */
  const load = async (ctx: Context, u: ConsoleUser) => {
    const userid = String(ctx.params.userid);
    const s = userid.length <= 64 ? await ds.getRepository(Staff).findOneBy({ userid }) : null;
    return s && (seesAll(u) || s.unitCode === u.unitCode) ? s : null;
  };

  r.get('/console/directory/staff/:userid', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const s = await load(ctx, u);
    if (!s) return errorPage(ctx, 404, T.notFound, u);
    const unit = await ds.getRepository(Unit).findOneBy({ code: s.unitCode });
    sendPage(ctx, 200, { title: TD.staffTitle(s.name), user: u, active: 'directory' }, renderStaff({ staff: staffView(s, await today()), unitName: unit?.name ?? s.unitCode, user: u, errors: [], flash: ctx.query.saved === '1' ? TD.saved : ctx.query.trained === '1' ? TD.trainingAdded : null, training: await listTraining(ds.manager, s.userid) }));
  });

  r.post('/console/directory/staff/:userid', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const s = await load(ctx, u);
    if (!s) return errorPage(ctx, 404, T.notFound, u);
    // SPEC 1 Art. 6: the office keeps the directory; units and auditors read it.
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const day = await today();
    const checked = staffForm(ctx.state.form as URLSearchParams, day);
    if ('errors' in checked) {
      const unit = await ds.getRepository(Unit).findOneBy({ code: s.unitCode });
      return sendPage(ctx, 400, { title: TD.staffTitle(s.name), user: u, active: 'directory' }, renderStaff({ staff: staffView(s, day), unitName: unit?.name ?? s.unitCode, user: u, errors: checked.errors.map((k) => TD.invalid[k]), flash: null, training: await listTraining(ds.manager, s.userid) }));
    }
    // What the form does not show (name, unit, mobile) is kept as it is.
    await saveStaffTelling(ds, deps.config, s.unitCode, s.userid, { name: s.name, mobile: s.mobile, ...checked.input }, deps.now());
    deps.log.info({ by: u.userid, userid: s.userid }, 'console: staff member saved');
    ctx.redirect(`/console/directory/staff/${encodeURIComponent(s.userid)}?saved=1`);
  });

  /** SPEC 1 Art. 6: the office records one more training of a member. */
  r.post('/console/directory/staff/:userid/training', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const s = await load(ctx, u);
    if (!s) return errorPage(ctx, 404, T.notFound, u);
    if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
    const day = await today();
    const form = ctx.state.form as URLSearchParams;
    const trainedOn = (form.get('trainedOn') ?? '').trim();
    const course = (form.get('course') ?? '').trim();
    const errors: string[] = [];
    if (!trainedOn) errors.push('trainedMissing');
    else if (!isValidDate(trainedOn)) errors.push('trainedOn');
    else if (trainedOn > day) errors.push('trainedFuture');
    if (!course || [...course].length > 100) errors.push('course');
    if (errors.length) {
      const unit = await ds.getRepository(Unit).findOneBy({ code: s.unitCode });
      return sendPage(ctx, 400, { title: TD.staffTitle(s.name), user: u, active: 'directory' }, renderStaff({ staff: staffView(s, day), unitName: unit?.name ?? s.unitCode, user: u, errors: errors.map((k) => TD.invalid[k]), flash: null, training: await listTraining(ds.manager, s.userid) }));
    }
    await addTraining(ds, s, { trainedOn, course }, u.name || u.userid, deps.now());
    deps.log.info({ by: u.userid, userid: s.userid }, 'console: training recorded');
    ctx.redirect(`/console/directory/staff/${encodeURIComponent(s.userid)}?trained=1`);
  });

  importRoutes(r, deps);
  return r;
}
