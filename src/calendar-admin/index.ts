import Router from '@koa/router';
import { Context } from 'koa';
import { Between } from 'typeorm';
import { z } from 'zod';
import { CalendarDay, CalendarYear } from '../../entities';
import { Module } from '../module';
import { readJson } from '../http/body';
import { principalOf, requireOffice } from '../http/auth';
import { AppError } from '../errors';
import { inTransaction, sqliteSerial } from '../db/tx';
import { queueGroupMarkdown, REMINDER_TEXT_REF, sendText } from '../wecom/messaging';
import { officeMembers } from '../directory/who';
import { addDays, formatInZone, mondayOf } from '../calendar';
import { CALENDAR_TEXT } from './messages';
import { refreshProvisionalDeadlines } from '../verification/provisional-deadlines';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dayBody = z.object({ working: z.boolean(), note: z.string().max(100).optional() }).strict();

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
      const from = String(ctx.query.from ?? '');
      const to = String(ctx.query.to ?? '');
      if (!DATE.test(from) || !DATE.test(to) || to < from) throw new AppError('bad_request', 'from and to must be dates YYYY-MM-DD, from <= to');
      if (addDays(from, 366) < to) throw new AppError('bad_request', 'at most 366 days at once');
      const cal = await store.get();
      const overrides = new Map((await deps.dataSource.getRepository(CalendarDay).findBy({ date: Between(from, to) })).map((d) => [d.date, d]));
      const days: Array<{ date: string; working: boolean | null; source: 'override' | 'calendar' | 'unknown'; note?: string }> = [];
      for (let d = from; d <= to; d = addDays(d, 1)) {
        const o = overrides.get(d);
        let working: boolean | null = null;
        try {
          working = cal.isWorkingDay(d);
        } catch {
          working = null;
        }
        days.push(o ? { date: d, working, source: 'override', note: o.note } : { date: d, working, source: working === null ? 'unknown' : 'calendar' });
      }
      ctx.body = {
        tz: cal.tz,
        officeHours: cal.officeHours,
        knownYears: cal.knownYears(),
        lastKnownDate: cal.lastKnownDate(),
        warning: cal.coverageWarning(deps.now()),
        days,
      };
    });

    r.put('/days/:date', async (ctx: Context) => {
      const office = requireOffice(ctx);
      const date = ctx.params.date;
      if (!DATE.test(date)) throw new AppError('bad_request', 'date must be YYYY-MM-DD');
      const body = dayBody.parse(await readJson(ctx));
      await sqliteSerial(deps.dataSource, () => store.setDay(date, body.working, body.note ?? '', office.name, deps.now()));
      ctx.body = { date, working: body.working, note: body.note ?? '' };
    });

    r.delete('/days/:date', async (ctx: Context) => {
      requireOffice(ctx);
      const date = ctx.params.date;
      if (!DATE.test(date)) throw new AppError('bad_request', 'date must be YYYY-MM-DD');
      const res = await sqliteSerial(deps.dataSource, () => deps.dataSource.getRepository(CalendarDay).delete({ date }));
      if (!res.affected) throw new AppError('not_found', `no override for ${date}`);
      store.invalidate();
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
