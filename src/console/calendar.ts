import Router from '@koa/router';
import { Context } from 'koa';
import type { ModuleDeps } from '../module';
import { AppError, isAppError } from '../errors';
import { calendarRange, dayBody, removeOverride, setOverride } from '../calendar-admin/service';
import { CALENDAR_TEXT } from '../calendar-admin/messages';
import { errorPage, sendPage } from './layout';
import { T } from './messages';
import { CAL } from './calendar.messages';
import type { ConsoleUser } from './session';
import { renderCalendar } from './views/calendar.view';

const yearOf = (v: unknown): number | null => (typeof v === 'string' && /^\d{4}$/.test(v) && Number(v) >= 2000 && Number(v) <= 2100 ? Number(v) : null);

/**
 * The working-day calendar (SPEC "Working time"): a year's month grids with holidays, make-up
 * days, derived years and the office's overrides; office hours; the coverage warning. Office
 * members add or remove an override through the calendar-admin service (the API's own rules).
 */
export function calendarRouter(deps: ModuleDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;

  r.get('/console/calendar', async (ctx: Context) => {
    const u = ctx.state.consoleUser as ConsoleUser;
    const now = deps.now();
    const cal = await deps.calendarStore.get();
    const thisYear = Number(cal.localDate(now).slice(0, 4));
    const year = yearOf(ctx.query.year) ?? thisYear;
    const range = await calendarRange(ds, deps.calendarStore, `${year}-01-01`, `${year}-12-31`, now);
    const first = range.knownYears[0] ?? thisYear;
    const years: number[] = [];
    for (let y = Math.min(first, year); y <= Math.max(thisYear + 2, year); y++) years.push(y);
    const flash = typeof ctx.query.done === 'string' && CAL.done[ctx.query.done] ? { ok: true, text: CAL.done[ctx.query.done] } : typeof ctx.query.error === 'string' ? { ok: false, text: CAL.errors[ctx.query.error] ?? T.errors[ctx.query.error] ?? CAL.errors.validation_failed } : null;
    const warning = range.warning ? CALENDAR_TEXT.coverage(range.warning.lastKnownDate, range.warning.daysLeft, range.derivedYears).replace(/\*\*/g, '') : null;
    sendPage(ctx, 200, { title: CAL.title(year), user: u, active: 'calendar' }, renderCalendar({ year, years, range, warning, user: u, editable: u.role === 'office', flash }));
  });

  /** Only the office changes the calendar; the form's fields are checked by the service as the API's are. */
  const edit = (path: string, act: (form: URLSearchParams, u: ConsoleUser) => Promise<string>) =>
    r.post(path, async (ctx: Context) => {
      const u = ctx.state.consoleUser as ConsoleUser;
      if (u.role !== 'office') return errorPage(ctx, 403, T.forbidden, u);
      const form = ctx.state.form as URLSearchParams;
      const date = form.get('date') ?? '';
      const back = yearOf(date.slice(0, 4)) ?? '';
      try {
        const done = await act(form, u);
        deps.log.info({ userid: u.userid, date, done }, 'console calendar override');
        ctx.redirect(`/console/calendar?year=${back}&done=${done}`);
      } catch (e) {
        if (!isAppError(e)) throw e;
        ctx.redirect(`/console/calendar?year=${back}&error=${encodeURIComponent(e.code)}`);
      }
    });

  edit('/console/calendar/days', async (form, u) => {
    const w = form.get('working');
    const body = dayBody.safeParse({ working: w === 'true' ? true : w === 'false' ? false : w, note: (form.get('note') ?? '').trim() });
    if (!body.success) throw new AppError('validation_failed', 'working must be true or false, note at most 100 characters');
    await setOverride(ds, deps.calendarStore, form.get('date') ?? '', body.data.working, body.data.note ?? '', u.userid, deps.now());
    return 'added';
  });
  edit('/console/calendar/days/remove', async (form) => {
    await removeOverride(ds, deps.calendarStore, form.get('date') ?? '');
    return 'removed';
  });

  return r;
}
