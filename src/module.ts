import Router from '@koa/router';
import { DataSource } from 'typeorm';
import { Config } from './config';
import { CallbackDispatcher } from './wecom/dispatcher';
import { Logger } from './logger';
import { WorkingCalendar } from './calendar';
import { CalendarStore } from './calendar/store';

/** What every feature module gets: constructor injection, built once in the composition root. */
export interface ModuleDeps {
  dataSource: DataSource;
  dispatcher: CallbackDispatcher;
  config: Config;
  /** Resolves the working calendar (office overrides included); reloaded when the office edits it. */
  calendar: () => Promise<WorkingCalendar>;
  /** The calendar's store, for the office's edits (overrides, hand-entered years). */
  calendarStore: CalendarStore;
  log: Logger;
  /** The clock. Domain code takes `now` as a parameter; only the composition root reads it. */
  now: () => Date;
  /** WeCom OAuth: code -> member userid (auth/getuserinfo); the only WeCom read inside a request. */
  wecomUserId: (code: string) => Promise<string>;
}

/** A scheduler job: a plain function of (deps, now), see src/scheduler. */
export interface Job {
  name: string;
  run: (now: Date) => Promise<Array<Record<string, unknown>>>;
}

export interface ModuleParts {
  /** Mounted before authentication (public list search, detail pages with their own login). */
  publicRouters?: Router[];
  /** Mounted under /api/v1 behind an API key or session. */
  apiRouters?: Router[];
  jobs?: Job[];
  /** Runs once at start-up after migrations (e.g. sandbox demo data). */
  seedDemo?: () => Promise<void>;
}

export interface Module {
  name: string;
  register(deps: ModuleDeps): ModuleParts;
}
