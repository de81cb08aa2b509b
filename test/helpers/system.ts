import fs from 'fs';
import os from 'os';
import path from 'path';
import { WeComEmulator } from '../../src/sandbox';
import { startSystem, System } from '../../src/system';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { testDataSource, clearTables } from './db';
import { freshWeComKeys } from './keys';
import { DirectoryMother, UnitSpec } from './mothers/directory';
import { seedDirectory } from './seed';

export interface Harness {
  sys: System;
  emu: WeComEmulator;
  /** The clock both the system and the emulator read; move it with `clock.set()`. */
  clock: { now: Date; set(d: Date | string): void; advance(ms: number): void };
  keys: ReturnType<typeof freshWeComKeys>;
  close(): Promise<void>;
  reset(): Promise<void>;
}

/**
 * The real server on a random port, wired to a WeCom emulator over HTTP, on the shared
 * test database. Workers are off: tests call `sys.settle()` to process the inbox and send
 * the outbox, so every step is deterministic.
 */
export async function startHarness(
  opts: {
    members?: Array<{ userid: string; name: string }>;
    kfAccounts?: string[];
    start?: string;
    env?: Record<string, string>;
    /** Configure OFFICE_ROBOT_WEBHOOK as the emulator's robot `robotkey1`. */
    officeRobot?: boolean;
  } = {},
): Promise<Harness> {
  const keys = freshWeComKeys();
  const clock = {
    now: new Date(opts.start ?? '2026-11-26T09:00:00+08:00'),
    set(d: Date | string) {
      this.now = new Date(d);
    },
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const emu = new WeComEmulator({
    corpId: keys.corpId,
    agentId: keys.agentId,
    secret: keys.secret,
    // A corp created after 2023-12-01: kf runs on the app token (WECOM.md section 6).
    kfSecret: keys.kfSecret,
    refuseKfSecret: true,
    token: keys.token,
    encodingAESKey: keys.aesKey,
    members: opts.members,
    kfAccounts: opts.kfAccounts ?? ['wkTESTKF'],
    robotKeys: ['robotkey1'],
    now: () => clock.now.getTime(),
  });
  const apiBase = await emu.listen(0);
  const dataSource = await testDataSource();
  const config = loadConfig({
    WECOM_CORP_ID: keys.corpId,
    WECOM_AGENT_ID: String(keys.agentId),
    WECOM_SECRET: keys.secret,
    WECOM_TOKEN: keys.token,
    WECOM_AES_KEY: keys.aesKey,
    WECOM_API_BASE: apiBase,
    PUBLIC_URL: 'http://nocert.test',
    LOG_LEVEL: 'silent',
    // Tests stand in for one reverse proxy: X-Forwarded-For names the client.
    TRUST_PROXY: '1',
    SPOOL_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-spool-')),
    ...(opts.officeRobot ? { OFFICE_ROBOT_WEBHOOK: `${apiBase}/cgi-bin/webhook/send?key=robotkey1` } : {}),
    ...opts.env,
  });
  const sys = await startSystem({ config, dataSource, log: silentLogger, now: () => clock.now, workers: false, port: 0 });
  emu.setCallbackUrl(`${sys.url}/wecom/callback`);
  return {
    sys,
    emu,
    clock,
    keys,
    async close() {
      await sys.close();
      await emu.close();
    },
    async reset() {
      await sys.inbox.drain();
      await clearTables(dataSource);
      sys.calendar.invalidate();
    },
  };
}

/**
 * The real server over the emulator on a seeded directory, fresh for every test. Call it
 * inside a `describe`: it registers the mocha hooks (start once, reset, set the clock and
 * seed before each test, close at the end); the spec's own hooks run after these.
 */
export function directoryHarness(units: UnitSpec[], opts: { start?: string; days?: string[]; officeRobot?: boolean } = {}): { readonly h: Harness; readonly day: string } {
  const env = { h: undefined as unknown as Harness, day: '' };
  let test = 0;
  before(async () => {
    env.h = await startHarness({ members: DirectoryMother.members(units), officeRobot: opts.officeRobot });
  });
  after(async () => env.h.close());
  beforeEach(async () => {
    await env.h.reset();
    // days: each test on the next of them at 09:00 (the emulator's per-member minute windows outlive reset()).
    if (opts.days?.length) env.day = opts.days[test++ % opts.days.length];
    env.h.clock.set(opts.days?.length ? `${env.day}T09:00:00+08:00` : (opts.start ?? '2026-11-26T09:00:00+08:00'));
    await seedDirectory(env.h.sys.dataSource, units);
  });
  return env;
}
