import Router from '@koa/router';
import { DataSource, EntityManager } from 'typeorm';
import { Config } from './config';
import { CallbackDispatcher } from './wecom/dispatcher';
import { WeComClient } from './wecom/client';
import { Logger } from './logger';
import { WorkingCalendar } from './calendar';
import { CalendarStore } from './calendar-admin/store';
import { Job } from './scheduler/sweep';
import { OutboxMessage } from '../entities';
import type { Metrics } from './metrics';

export type { Job } from './scheduler/sweep';

/** What a module's time-driven jobs get: enough to run a sweep from the command line. */
export interface JobDeps {
  dataSource: DataSource;
  config: Config;
  /** Resolves the working calendar (office overrides included); reloaded when the office edits it. */
  calendar: () => Promise<WorkingCalendar>;
  log: Logger;
  /** The clock. Domain code takes `now` as a parameter; only the composition root reads it. */
  now: () => Date;
}

/** What every feature module gets: constructor injection, built once in the composition root. */
export interface ModuleDeps extends JobDeps {
  dispatcher: CallbackDispatcher;
  /** The calendar's store, for the office's edits (overrides, hand-entered years). */
  calendarStore: CalendarStore;
  /** The WeCom API client, built before any module registers. */
  wecom: WeComClient;
  /** WeCom OAuth: code -> member userid (auth/getuserinfo); the only WeCom read inside a request. */
  wecomUserId: (code: string) => Promise<string>;
  /** The Prometheus registry's instruments (absent in one-shot commands). */
  metrics?: Metrics;
}

/** A background loop of a module (e.g. the kf worker); the composition root starts and stops it. */
export interface Worker {
  name: string;
  /** Pause between passes while idle. */
  intervalMs: number;
  /** Inbox callback kinds whose arrival wakes this worker at once instead of the outbox. */
  wakeOn?: readonly string[];
  /** Runs passes until stop(); `afterWork` is called after a pass that may have queued messages. */
  start(afterWork: () => void): void;
  nudge(): void;
  /** One pass; true when it did anything (settle() repeats until nothing does). */
  runOnce(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Runs after WeCom accepted an outbox row, in the transaction that marks it sent. `wants`:
 * whether it acts on the row at all (default: every row); a row no hook wants is marked
 * sent without a transaction (one statement instead of three).
 */
export type OnSent = ((row: OutboxMessage, result: Record<string, unknown>, manager: EntityManager) => Promise<void>) & { wants?: (row: OutboxMessage) => boolean };

export interface ModuleParts {
  /** Mounted before authentication (public list search, detail pages with their own login). */
  publicRouters?: Router[];
  /** Mounted under /api/v1 behind an API key or session. */
  apiRouters?: Router[];
  workers?: Worker[];
  onSent?: OnSent[];
  /** Runs once at start-up after migrations (e.g. sandbox demo data). */
  seedDemo?: () => Promise<void>;
}

export interface Module {
  name: string;
  register(deps: ModuleDeps): ModuleParts;
  /** The module's scheduler jobs; collected without building routers or handlers. */
  jobs?(deps: JobDeps): Job[];
}
