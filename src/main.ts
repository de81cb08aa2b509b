import 'reflect-metadata';
import cron from 'node-cron';
import { loadConfig, ConfigError, maskDatabaseUrl } from './config';
import { SANDBOX_KF_ACCOUNT, startSystem, System } from './system';
import { ConsoleAuditor, Staff, Unit } from '../entities';
import { createLogger } from './logger';
import { runSweep } from './scheduler';
import { createApiKey } from './http/auth';
import { CLI_TEXT, START_TEXT } from './messages';

/**
 * The one composition root: config -> DataSource -> WeCom client -> app ->
 * workers. Everything below takes its dependencies as arguments.
 */
export async function main(env: Record<string, string | undefined> = process.env): Promise<System> {
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.problems) console.error(CLI_TEXT.configError(line));
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  const sys = await startSystem({ config, log });

  // One sweep a minute of every time-driven job, never two at once in this process.
  let sweeping = false;
  const task = cron.schedule(
    '* * * * *',
    async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        await runSweep(sys.jobs, new Date(), (line) => log.info({ sweep: line }, 'sweep'));
      } catch (e) {
        log.error({ err: String(e) }, 'sweep failed');
      } finally {
        sweeping = false;
      }
    },
    { timezone: config.officeTz, noOverlap: true },
  );

  const coverage = (await sys.calendar.get()).coverageWarning(new Date());
  if (coverage) log.warn(coverage, 'the working-day calendar runs out soon: enter the next year (PUT /api/v1/calendar/years/{year} and its days)');
  if (!sys.config.officeChatId && !sys.config.officeRobotWebhook) {
    log.warn('neither OFFICE_CHAT_ID nor OFFICE_ROBOT_WEBHOOK is set: escalations are recorded but cannot be delivered to the office group');
  }
  if (sys.emulator) {
    const e = sys.emulatorUrl;
    // Sandbox keys are made fresh at every start (no secret has a default).
    const officeKey = await createApiKey(sys.dataSource, 'sandbox office', null, new Date());
    const unitKey = await createApiKey(sys.dataSource, 'sandbox GAJ', 'GAJ', new Date()).catch(() => null);
    const example = JSON.stringify({
      requesterUnit: 'GAJ',
      issuerUnit: 'RSJ',
      ...START_TEXT.exampleRequest,
    });
    // The people one can be in the emulator, the OAuth page and the phones page.
    const units = new Map((await sys.dataSource.getRepository(Unit).find()).map((u) => [u.code, u.name]));
    const people = [
      ...(await sys.dataSource.getRepository(Staff).find({ order: { unitCode: 'ASC', userid: 'ASC' }, take: 40 })).map((s) => ({ userid: s.userid, name: s.name, unit: units.get(s.unitCode) ?? s.unitCode })),
      ...(await sys.dataSource.getRepository(ConsoleAuditor).find({ take: 5 })).map((a) => ({ userid: a.userid, name: a.name, unit: START_TEXT.auditor })),
    ];
    console.log(
      [
        ...START_TEXT.sandbox({ url: sys.url, publicUrl: config.publicUrl, emulator: e, databaseUrl: maskDatabaseUrl(config.databaseUrl), officeKey, kfAccount: SANDBOX_KF_ACCOUNT, people }),
        ...(unitKey ? START_TEXT.sandboxUnit({ url: sys.url, emulator: e, unitKey, example }) : []),
      ].join('\n'),
    );
  } else {
    log.info({ url: sys.url, mode: config.mode }, 'nocert started');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await task.stop();
    await sys.close();
    process.exit(0);
  };
  // `on`, not `once`: Ctrl-C reaches the server twice (from the terminal and forwarded by
  // npm), and a second signal must not kill it mid-shutdown.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return sys;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(START_TEXT.failed(e instanceof Error ? e.message : String(e)));
    process.exit(1);
  });
}
