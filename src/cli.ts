import 'reflect-metadata';
import { parseArgs } from 'util';
import { DataSource } from 'typeorm';
import { loadConfig, ConfigError, Config } from './config';
import { openDataSource } from './db/data-source';
import { migrateLocked } from './db/migrate';
import { createApiKey } from './http/auth';
import { CalendarStore } from './calendar-admin/store';
import { computeDeadline, formatInZone, parseInstant, DeadlineCategory } from './calendar';
import { PROVISIONAL_NOTE } from './calendar/messages';
import { AppError } from './errors';
import { createLogger } from './logger';
import { collectJobs } from './modules';
import { JobDeps } from './module';
import { runSweep } from './scheduler';
import { sweepEnvWarnings } from './escalations/office-env';
import { OutboxMessage, Unit } from '../entities';
import { CLI_TEXT } from './messages';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };

async function withDb<T>(config: Config, fn: (ds: DataSource) => Promise<T>, migrate = true): Promise<T> {
  const ds = await openDataSource(config.databaseUrl);
  try {
    if (migrate) await ds.runMigrations({ transaction: 'each' });
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

/** What the jobs need, without a server, routers or handlers: for one-shot sweeps. */
async function lastOutboxId(ds: DataSource): Promise<number> {
  const row = await ds.getRepository(OutboxMessage).createQueryBuilder('o').select('MAX(o.id)', 'max').getRawOne<{ max: number | string | null }>();
  return Number(row?.max ?? 0);
}

async function releaseQueuedAfter(ds: DataSource, afterId: number, wallNow: Date): Promise<void> {
  await ds
    .createQueryBuilder()
    .update(OutboxMessage)
    .set({ nextAttemptAt: wallNow })
    .where('id > :afterId AND status = :p AND next_attempt_at > :wall', { afterId, p: 'pending', wall: wallNow })
    .execute();
}

function jobDeps(config: Config, ds: DataSource, now: Date): JobDeps {
  const calendar = new CalendarStore({ dataSource: ds, tz: config.officeTz, officeHours: config.officeHours });
  return { dataSource: ds, config, calendar: () => calendar.get(), log: createLogger('silent'), now: () => now };
}

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function run(argv: string[], env: Record<string, string | undefined> = process.env, io: Io = stdio): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env, { allowSandboxOnMysql: true });
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const l of e.problems) io.err(CLI_TEXT.configError(l));
      return 2;
    }
    throw e;
  }
  const [cmd, sub, ...rest] = argv;
  try {
    if (cmd === 'migrate') {
      // The same named lock as an instance's start: a deploy running migrate while instances start applies each migration once.
      const n = await withDb(config, (ds) => migrateLocked(ds), false);
      io.out(CLI_TEXT.migrated(n));
      return 0;
    }
    if (cmd === 'calendar' && sub === 'due') {
      const { values } = parseArgs({ args: rest, options: { category: { type: 'string' }, from: { type: 'string' } } });
      const category = values.category as DeadlineCategory | undefined;
      if (!category || !['digital', 'paper', 'historical'].includes(category) || !values.from) {
        io.err(CLI_TEXT.dueUsage);
        return 2;
      }
      const cal = await withDb(config, (ds) => new CalendarStore({ dataSource: ds, tz: config.officeTz, officeHours: config.officeHours }).get());
      const due = computeDeadline(cal, category, parseInstant(values.from, cal));
      io.out(`${formatInZone(cal, due.dueAt)}${due.provisional ? ` ${PROVISIONAL_NOTE}` : ''}`);
      return 0;
    }
    if (cmd === 'scheduler' && sub === 'run') {
      const { values } = parseArgs({ args: rest, options: { now: { type: 'string' } } });
      const now = values.now ? parseInstant(values.now, config.officeTz) : new Date();
      await withDb(config, async (ds) => {
        for (const w of await sweepEnvWarnings(ds, config)) io.err(w);
        const before = await lastOutboxId(ds);
        await runSweep(collectJobs(jobDeps(config, ds, now)), now, (line) => io.out(JSON.stringify(line)));
        // The sweep decides as of --now, but what it queued goes out at once, not when the wall clock reaches it.
        await releaseQueuedAfter(ds, before, new Date());
      });
      return 0;
    }
    if (cmd === 'apikey' && sub === 'create') {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, unit: { type: 'string' } } });
      if (!values.name) {
        io.err(CLI_TEXT.nameRequired);
        return 2;
      }
      const key = await withDb(config, async (ds) => {
        if (values.unit && !(await ds.getRepository(Unit).findOneBy({ code: values.unit }))) throw new AppError('unit_not_found', `unknown unit ${values.unit}`);
        return createApiKey(ds, values.name!, values.unit ?? null, new Date());
      });
      io.out(key);
      return 0;
    }
    if (cmd === 'directory' && sub === 'import') {
      const file = rest[0];
      if (!file) {
        io.err(CLI_TEXT.fileRequired);
        return 2;
      }
      const { importDirectory } = await import('./directory/import');
      const r = await withDb(config, (ds) => importDirectory(ds, file, new Date(), config));
      io.out(CLI_TEXT.imported(r.units, r.staff));
      return 0;
    }
    io.err(CLI_TEXT.usage);
    return 2;
  } catch (e) {
    if (e instanceof AppError) {
      io.err(CLI_TEXT.error(e.code, e.message));
      const details = e.details as Array<{ row?: number; message?: string }> | undefined;
      if (Array.isArray(details)) for (const d of details) io.err(CLI_TEXT.rowError(d.row ?? '?', d.message ?? JSON.stringify(d)));
      return 1;
    }
    io.err(CLI_TEXT.failed(e instanceof Error ? e.message : String(e)));
    return 1;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
