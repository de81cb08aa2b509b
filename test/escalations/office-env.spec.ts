import { expect } from 'chai';
import { startSystem, System } from '../../src/system';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { run as cli } from '../../src/cli';
import { clearTables, sharedTestUrl, testDataSource } from '../helpers/db';
import { sendToOfficeGroup } from '../../src/wecom/messaging';
import { SANDBOX_OFFICE_CHAT, recordServerEnv } from '../../src/escalations/office-env';

describe('escalations: where the office group is (sandbox wiring, a hand-run sweep warns)', () => {
  let sys: System | null = null;
  afterEach(async () => {
    await sys?.close();
    sys = null;
    await clearTables(await testDataSource());
  });

  it('sandbox mode: the office group is an emulator app chat made at start, and group messages arrive there', async () => {
    const ds = await testDataSource();
    await clearTables(ds);
    const now = new Date('2026-12-01T09:00:00+08:00');
    sys = await startSystem({ config: loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: 'http://nocert.test' }), dataSource: ds, log: silentLogger, now: () => now, workers: false, port: 0 });
    expect(sys.config.officeChatId).to.equal(SANDBOX_OFFICE_CHAT);
    const chat = sys.emulator!.appchat(SANDBOX_OFFICE_CHAT)!;
    expect(chat, 'made in the emulator').to.exist;
    expect(chat.userlist).to.include('office.spj');
    await ds.transaction((m) => sendToOfficeGroup(m, sys!.config, { msgtype: 'text', content: '沙箱办公室群测试' }, now));
    await sys.settle();
    expect(sys.emulator!.appchatMessages(SANDBOX_OFFICE_CHAT).map((m) => m.payload.content)).to.include('沙箱办公室群测试');
  });

  it('`nocert scheduler run` warns when no office group is set, and when its group differs from the running server', async () => {
    const ds = await testDataSource();
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
    };
    const a = io();
    expect(await cli(['scheduler', 'run', '--now', '2026-12-01T09:00:00+08:00'], { DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent' }, a.io)).to.equal(0);
    expect(a.err.join('\n')).to.include('neither OFFICE_CHAT_ID nor OFFICE_ROBOT_WEBHOOK is set here');

    // The server runs with an app chat; the hand-run sweep has only a robot.
    await recordServerEnv(ds, loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: 'http://nocert.test', OFFICE_CHAT_ID: 'officechat01' }), new Date());
    const b = io();
    expect(await cli(['scheduler', 'run', '--now', '2026-12-01T09:00:00+08:00'], { DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://nocert.test', OFFICE_ROBOT_WEBHOOK: 'https://example.invalid/hook?key=k' }, b.io)).to.equal(0);
    expect(b.err).to.deep.equal(["warning: officeGroup differs from the running server's (server: appchat:officechat01, here: robot): messages of this sweep may go elsewhere"]);
    expect(b.err.join('\n'), 'never the robot key').not.to.include('key=k');
  });
});
