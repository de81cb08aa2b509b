import Router from '@koa/router';
import { Context } from 'koa';
import { CalendarYear } from '../../entities';
import { Module } from '../module';
import { readJson } from '../http/body';
import { principalOf, requireOffice } from '../http/auth';
import { AppError } from '../errors';
import { inTransaction, sqliteSerial } from '../db/tx';
import { queueGroupMarkdown, REMINDER_TEXT_REF, sendText } from '../wecom/messaging';
import { officeMembers } from '../directory/who';
import { formatInZone, mondayOf } from '../calendar';
import { calendarRange, DATE, dayBody, removeOverride, setOverride } from './service';
import { CALENDAR_TEXT } from './messages';
import { refreshProvisionalDeadlines } from '../verification/provisional-deadlines';

/**
 * The working-day calendar as data the office keeps (SPEC "Working time"): read it, override
 * a date, enter a year by hand; and the warning 60 days before the known years run out.
 * src/calendar stays pure arithmetic; this module is its database and its routes.
 */
export const calendarAdminModule: Module = {
  name: 'calendar-admin',
  register(deps) {
    const store = deps.calendarStore;
    const r = new Router({ prefix: '/calendar' });

    r.get('/', async (ctx: Context) => {
      principalOf(ctx);
      const c = await calendarRange(deps.dataSource, store, String(ctx.query.from ?? ''), String(ctx.query.to ?? ''), deps.now());
      ctx.body = {
        tz: c.tz,
        officeHours: c.officeHours,
        knownYears: c.knownYears,
        lastKnownDate: c.lastKnownDate,
        warning: c.warning,
        days: c.days.map((d) => (d.source === 'override' ? { date: d.date, working: d.working, source: d.source, note: d.note } : { date: d.date, working: d.working, source: d.source })),
      };
    });

    r.put('/days/:date', async (ctx: Context) => {
      const office = requireOffice(ctx);
      const date = ctx.params.date;
      if (!DATE.test(date)) throw new AppError('bad_request', 'date must be YYYY-MM-DD');
      const body = dayBody.parse(await readJson(ctx));
      await setOverride(deps.dataSource, store, date, body.working, body.note ?? '', office.name, deps.now());
      ctx.body = { date, working: body.working, note: body.note ?? '' };
    });

    r.delete('/days/:date', async (ctx: Context) => {
      requireOffice(ctx);
      await removeOverride(deps.dataSource, store, ctx.params.date);
      ctx.status = 204;
    });

    r.put('/years/:year', async (ctx: Context) => {
      const office = requireOffice(ctx);
      const year = Number(ctx.params.year);
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AppError('bad_request', 'year must be between 2000 and 2100');
      await sqliteSerial(deps.dataSource, () => deps.dataSource.getRepository(CalendarYear).save({ year, updatedBy: office.name.slice(0, 64), updatedAt: deps.now() }));
      store.invalidate();
      await refreshProvisionalDeadlines(deps.dataSource, await store.get(), deps.now());
      ctx.body = { year, knownYears: (await store.get()).knownYears() };
    });

    return { apiRouters: [r] };
  },
  jobs(deps) {
    return [
      {
        name: 'calendar-coverage',
        // Once a week while fewer than 60 days of known calendar remain: the office group,
        // or each office member when no group is configured.
        run: async (now) => {
          const cal = await deps.calendar();
          const w = cal.coverageWarning(now);
          if (!w) return [];
          const week = formatInZone(cal, now).slice(0, 10);
          const monday = mondayOf(week);
          const key = `calendar-coverage:${w.lastKnownDate}:${monday}`;
          const content = CALENDAR_TEXT.coverage(w.lastKnownDate, w.daysLeft, cal.derivedYearsAround(now));
          const sent = await inTransaction(deps.dataSource, async (m) => {
            const group = await queueGroupMarkdown(m, deps.config, content, now, { id: 'calendar', dedupeKey: key });
            if (group) return 'group';
            const members = await officeMembers(m, { presentOn: week });
            for (const s of members) await sendText(m, s.userid, content.replace(/\*\*/g, ''), now, { refType: REMINDER_TEXT_REF, refId: 'calendar', dedupeKey: `${key}:${s.userid}` });
            return members.length ? 'members' : 'nobody';
          });
          return [{ warning: 'calendar_runs_out', lastKnownDate: w.lastKnownDate, daysLeft: w.daysLeft, sentTo: sent }];
        },
      },
    ];
  },
};
