import http from 'http';
import crypto from 'crypto';
import { AddressInfo } from 'net';
import Koa from 'koa';
import { DataSource } from 'typeorm';
import { Config, WeComSettings } from './config';
import { openDataSource } from './db/data-source';
import { migrateLocked } from './db/migrate';
import { createLogger, Logger } from './logger';
import { Metrics } from './metrics';
import { createApp } from './http/app';
import { callbackRouter } from './http/callback-router';
import { CallbackDispatcher } from './wecom/dispatcher';
import { Inbox, senderKeyOf } from './wecom/inbox';
import { CallbackSpool } from './wecom/spool';
import { WeComClient } from './wecom/client';
import { DbTokenProvider } from './wecom/token-cache';
import { Pacer } from './wecom/pacer';
import { OutboxDispatcher } from './wecom/outbox';
import { CalendarStore } from './calendar-admin/store';
import { WeComEmulator } from './sandbox';
import { recordServerEnv, wireSandboxOfficeGroup } from './escalations/office-env';
import { MODULES, collectJobs } from './modules';
import { Module, ModuleDeps, Job, Worker } from './module';
import { OutboxMessage } from '../entities';
import { AppError } from './errors';
import { CARD_ACTIONS } from '../cards/keys';
import { phonesRouter } from './console/phones';

/** The WeChat Customer Service account the sandbox's emulator holds. */
export const SANDBOX_KF_ACCOUNT = 'wkSANDBOXKF';

export interface SystemOptions {
  config: Config;
  /** An open DataSource (tests share one); otherwise opened from config.databaseUrl. */
  dataSource?: DataSource;
  log?: Logger;
  now?: () => Date;
  /** Run the background workers (outbox, inbox recovery, scheduler). Tests drive them by hand. */
  workers?: boolean;
  /** Port override (0 = random). */
  port?: number;
  /** The feature modules (default: all of src/modules.ts). */
  modules?: Module[];
}

export interface System {
  url: string;
  config: Config;
  app: Koa;
  server: http.Server;
  dataSource: DataSource;
  dispatcher: CallbackDispatcher;
  inbox: Inbox;
  /** Callbacks kept on disk while the database could not take them. */
  spool: CallbackSpool;
  outbox: OutboxDispatcher;
  /** The modules' background loops (e.g. the kf worker), run beside the inbox and outbox. */
  workers: Worker[];
  client: WeComClient;
  calendar: CalendarStore;
  metrics: Metrics;
  log: Logger;
  jobs: Job[];
  deps: ModuleDeps;
  /** The in-process WeCom emulator in sandbox mode, else null. */
  emulator: WeComEmulator | null;
  emulatorUrl: string | null;
  /** Starts the workers as `workers: true` does (a system started without them; once). */
  startWorkers(): void;
  /** Processes everything pending: inbox rows, then the outbox (tests and the CLI). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Sandbox mode makes its own WeCom credentials at start (no secret has a default). */
export function sandboxCredentials(): Omit<WeComSettings, 'apiBase'> {
  const secret = crypto.randomBytes(24).toString('base64url');
  return {
    corpId: `wwsandbox${crypto.randomBytes(4).toString('hex')}`,
    agentId: 1000002,
    secret,
    // kf calls use the app's token, as every corp created since 2023-12-01 must (WECOM.md section 6).
    kfSecret: secret,
    token: crypto.randomBytes(12).toString('hex'),
    aesKey: crypto.randomBytes(32).toString('base64').slice(0, 43),
  };
}

/** The composition root's body: config -> DataSource -> WeCom client -> app -> workers. */
export async function startSystem(opts: SystemOptions): Promise<System> {
  const config = opts.config;
  const log = opts.log ?? createLogger(config.logLevel);
  const now = opts.now ?? (() => new Date());
  const metrics = new Metrics({ defaults: opts.workers !== false && !opts.dataSource });
  const dataSource = opts.dataSource ?? (await openDataSource(config.databaseUrl));
  const ownsDataSource = !opts.dataSource;
  if (ownsDataSource) await migrateLocked(dataSource);

  let emulator: WeComEmulator | null = null;
  let wecom = config.wecom;
  if (!wecom) {
    const creds = sandboxCredentials();
    emulator = new WeComEmulator({
      corpId: creds.corpId,
      agentId: creds.agentId,
      secret: creds.secret,
      refuseKfSecret: true,
      token: creds.token,
      encodingAESKey: creds.aesKey,
      kfAccounts: [SANDBOX_KF_ACCOUNT],
    });
    const base = await emulator.listen(0);
    wecom = { ...creds, apiBase: base };
  }
  const settings = wecom;

  const dispatcher = new CallbackDispatcher();
  const calendar = new CalendarStore({ dataSource, tz: config.officeTz, officeHours: config.officeHours });
  const tokens = new DbTokenProvider({ dataSource, apiBase: settings.apiBase, corpId: settings.corpId, secrets: { app: settings.secret, kf: settings.kfSecret }, instanceId: config.instanceId, now });
  const client = new WeComClient({ apiBase: settings.apiBase, corpId: settings.corpId, agentId: settings.agentId, tokens, logger: log, metrics: metrics.wecomSink() });
  const deps: ModuleDeps = {
    dataSource,
    dispatcher,
    // Sandbox mode seals data services' secrets with a key of its own (no secret has a default).
    config: { ...config, wecom: settings, dataServiceKey: config.dataServiceKey ?? (emulator ? crypto.randomBytes(32) : null) },
    calendar: () => calendar.get(),
    calendarStore: calendar,
    log,
    now,
    wecom: client,
    wecomUserId: async (code) => (await client.getUserInfo(code)).userid,
    metrics,
  };
  const modules = opts.modules ?? MODULES;
  const parts = modules.map((m) => ({ name: m.name, ...m.register(deps) }));
  dispatcher.assertComplete(CARD_ACTIONS);
  const workers = parts.flatMap((p) => p.workers ?? []);
  const onSent = parts.flatMap((p) => p.onSent ?? []);

  const pacer = new Pacer({ dataSource, now });
  const outbox = new OutboxDispatcher({
    dataSource,
    client,
    pacer,
    instanceId: config.instanceId,
    now,
    logger: log,
    metrics: metrics.wecomSink(),
    // Robot webhook keys stay out of the database: rows name the robot, not its address.
    robots: config.officeRobotWebhook ? { office: config.officeRobotWebhook } : {},
    // WeCom's duplicate check covers a resend after a crash or a long outage: its maximum,
    // 4 h (message/send duplicate_check_interval).
    duplicateCheckSeconds: 14400,
    onSent: async (row, result, m) => {
      for (const hook of onSent) if (!hook.wants || hook.wants(row)) await hook(row, result, m);
    },
    onSentWants: (row) => onSent.some((hook) => !hook.wants || hook.wants(row)),
  });
  // Work queued by a callback goes out at once, not at the workers' next interval; a
  // callback a worker waits for (wakeOn) wakes that worker instead.
  const wakes = new Map(workers.flatMap((w) => (w.wakeOn ?? []).map((kind) => [kind, w] as const)));
  const inbox = new Inbox({
    dataSource,
    dispatcher,
    log,
    metrics,
    now,
    instanceId: config.instanceId,
    afterProcess: (kind) => (wakes.get(kind) ?? outbox).nudge(),
  });

  // Callbacks the database cannot take are kept on local disk and replayed into the inbox.
  const spool = new CallbackSpool({
    dir: config.spool.dir,
    instanceId: config.instanceId,
    maxBytes: config.spool.maxBytes,
    log,
    sink: {
      accept: (cb) => inbox.accept(cb),
      accepted: (id, cb) => inbox.schedule(id, senderKeyOf(cb.fields, id)),
      probe: async () => void (await dataSource.query('SELECT 1')),
    },
  });

  let accepting = true;
  let migrated = false;
  const app = createApp({
    dataSource,
    log,
    metrics,
    publicRouters: [
      callbackRouter({ keys: () => ({ token: settings.token, aesKey: settings.aesKey, corpId: settings.corpId, agentId: settings.agentId }), inbox, metrics, log, accepting: () => accepting, now, spool }),
      ...parts.flatMap((p) => p.publicRouters ?? []),
      // Sandbox mode only: the page where one plays every person (src/console/phones.ts).
      ...(emulator ? [phonesRouter(deps, { emulator, kfAccount: SANDBOX_KF_ACCOUNT })] : []),
    ],
    apiRouters: parts.flatMap((p) => p.apiRouters ?? []),
    // Migrations do not come back once applied: ask once, then /readyz is only SELECT 1.
    ready: async () => {
      if (migrated) return;
      if (await dataSource.showMigrations()) throw new AppError('not_ready', 'migrations pending');
      migrated = true;
    },
    trustProxy: config.trustProxy,
    metricsToken: config.metricsToken,
    beforeScrape: async () => {
      const row = await dataSource
        .getRepository(OutboxMessage)
        .createQueryBuilder('o')
        .select('COUNT(*)', 'n')
        .addSelect('MIN(o.created_at)', 'oldest')
        .where('o.status IN (:...st)', { st: ['pending', 'sending'] })
        .getRawOne<{ n: string | number; oldest: string | Date | null }>();
      metrics.outboxDepth.set(Number(row?.n ?? 0));
      const oldest = row?.oldest ? new Date(row.oldest instanceof Date ? row.oldest : `${String(row.oldest).replace(' ', 'T')}Z`) : null;
      metrics.outboxAge.set(oldest ? Math.max(0, (now().getTime() - oldest.getTime()) / 1000) : 0);
    },
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? config.port, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  if (emulator) emulator.setCallbackUrl(`${url}/wecom/callback`);

  for (const p of parts) if (p.seedDemo && emulator) await p.seedDemo();
  if (emulator) await wireSandboxOfficeGroup(deps, client);
  if (opts.workers !== false) await recordServerEnv(dataSource, deps.config, now());
  const jobs = collectJobs(deps, modules);

  let started = false;
  const startWorkers = () => {
    if (started) return;
    started = true;
    outbox.start(1000);
    inbox.start(5000);
    spool.start(5000);
    for (const w of workers) w.start(() => outbox.nudge());
  };
  if (opts.workers !== false) startWorkers();

  const system: System = {
    url,
    config: deps.config,
    app,
    server,
    dataSource,
    dispatcher,
    inbox,
    spool,
    outbox,
    workers,
    client,
    calendar,
    metrics,
    log,
    jobs,
    deps,
    emulator,
    emulatorUrl: emulator ? settings.apiBase : null,
    startWorkers,
    async settle() {
      const idle = async () => {
        if (spool.hasPending()) await spool.drain();
        await inbox.drain();
        await inbox.recover(0);
        let busy = false;
        for (const w of workers) if (await w.runOnce()) busy = true;
        const r = await outbox.runOnce();
        return !r.sent && !r.failed && !busy;
      };
      for (let i = 0; i < 20; i++) if ((await idle()) && (await idle())) return;
    },
    async close() {
      // Graceful: stop taking callbacks, finish in-flight work, release claims, then close.
      accepting = false;
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await spool.stop();
      await inbox.stop();
      for (const w of workers) await w.stop();
      await outbox.stop();
      if (emulator) await emulator.close();
      if (ownsDataSource) await dataSource.destroy();
    },
  };
  return system;
}
