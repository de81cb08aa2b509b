import { spawn, ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { expect } from 'chai';
import { WeComEmulator } from '../../src/sandbox';
import { isMysqlRun, sharedTestUrl, testDataSource } from '../helpers/db';
import { freshWeComKeys } from '../helpers/keys';

/** `npm start` with no WECOM_CORP_ID: the sandboxed server, as a newcomer runs it. */
describe('npm start in sandbox mode', function () {
  this.timeout(60_000);
  let child: ChildProcess;
  let out = '';

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-start-'));
    const main = path.resolve(__dirname, '../../src/main.js');
    child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: '0', DATABASE_URL: `sqlite:${path.join(dir, 'nocert.sqlite')}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d.toString()));
    child.stderr!.on('data', (d) => (out += d.toString()));
    const t0 = Date.now();
    while (!/然后看卡片/.test(out)) {
      if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const grab = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`not in the console output: ${re}\n${out}`);
    return m[1];
  };

  it('prints where to look, then serves a verification from API to card, and stops cleanly on SIGTERM', async () => {
    const url = grab(/沙箱模式）：(http:\/\/\S+)/);
    const emu = grab(/企业微信模拟器：(http:\/\/\S+)/);
    const key = grab(/县公安局 API 密钥： (\S+)/);
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
    const res = await fetch(`${url}/api/v1/verifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requesterUnit: 'GAJ',
        issuerUnit: 'RSJ',
        serviceItem: '户籍迁入',
        certificate: '社保缴纳证明',
        category: 'digital',
        applicant: { name: '张三', idNumber: '11010519491231002X' },
        question: '是否连续缴纳社保满12个月？',
      }),
    });
    expect(res.status).to.equal(201);
    const created = (await res.json()) as { number: string };
    expect(created.number).to.match(/^HC\d{8}-\d{4}$/);
    // The outbox worker runs every second in the real server.
    let cards: Array<{ msgtype: string; body: { template_card?: { main_title?: { title?: string } } } }> = [];
    for (let i = 0; i < 50 && !cards.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const list = (await (await fetch(`${emu}/sandbox/messages?touser=liaison.rsj`)).json()) as { messages?: typeof cards } | typeof cards;
      cards = (Array.isArray(list) ? list : list.messages ?? []).filter((m) => m.msgtype === 'template_card');
    }
    expect(cards).to.have.length(1);
    expect(JSON.stringify(cards[0])).to.include(created.number);
    expect(JSON.stringify(cards[0])).to.not.include('11010519491231002X');

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});

const root = path.resolve(__dirname, '../../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Waits until the output matches, or fails with what the process printed. */
async function waitFor(child: ChildProcess, output: () => string, re: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    const m = re.exec(output());
    if (m) return m;
    if (Date.now() - t0 > ms || child.exitCode !== null) throw new Error(`no ${re} in:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnNpmStart(env: Record<string, string>): { child: ChildProcess; out: () => string } {
  let out = '';
  const child = spawn(npm, ['start'], { cwd: root, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  return { child, out: () => out };
}

describe('npm start runs the built code', function () {
  this.timeout(90_000);
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('never compiles: the script is the built entry point, the build is at install', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).to.not.match(/tsc/);
    // Node flags (e.g. the young-generation size) may precede the entry point.
    expect(pkg.scripts.start).to.match(/node( --[a-z-]+=?[0-9a-z]*)* dist\/src\/main\.js$/);
    expect(pkg.scripts.prepare).to.match(/tsc/);
    expect(pkg.scripts.dev).to.match(/-w/).and.match(/node --watch/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the server gracefully on ${signal} to the npm process`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-npmstart-'));
      const { child, out } = spawnNpmStart({ PORT: '0', DATABASE_URL: `sqlite:${path.join(dir, 'nocert.sqlite')}`, LOG_LEVEL: 'info' });
      children.push(child);
      const url = (await waitFor(child, out, /沙箱模式）：(http:\/\/\S+)/))[1];
      expect((await fetch(`${url}/healthz`)).status).to.equal(200);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      expect(await exited).to.equal(0);
      expect(out()).to.include('shutting down');
      // The server behind npm is gone too: its port refuses connections.
      let refused = false;
      for (let i = 0; i < 30 && !refused; i++) {
        refused = await fetch(`${url}/healthz`).then(
          () => false,
          () => true,
        );
        if (!refused) await new Promise((r) => setTimeout(r, 100));
      }
      expect(refused, 'the server still answers after npm exited').to.equal(true);
    });
  }

  it('refuses to start on a partial WeCom configuration, listing what is missing (exit 2)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-partial-'));
    const main = path.join(root, 'dist/src/main.js');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: '0', DATABASE_URL: `sqlite:${path.join(dir, 'x.sqlite')}`, WECOM_TOKEN: 'tok123', WECOM_CORPID: 'ww1234' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).to.equal(2);
    for (const k of ['WECOM_CORPID', 'WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_AES_KEY']) expect(err).to.include(`${k}:`);
    expect(fs.existsSync(path.join(dir, 'x.sqlite'))).to.equal(false);
  });

  it('starts three instances at once from one checkout against one database', async function () {
    if (!isMysqlRun()) this.skip();
    const ds = await testDataSource();
    const base = sharedTestUrl();
    const db = `${base.replace(/^.*\/([^/?]+).*$/, '$1')}_start3`;
    await ds.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await ds.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const keys = freshWeComKeys();
    const emu = new WeComEmulator({ corpId: keys.corpId, agentId: keys.agentId, secret: keys.secret, kfSecret: keys.kfSecret, token: keys.token, encodingAESKey: keys.aesKey });
    const apiBase = await emu.listen(0);
    try {
      const env = (i: number) => ({
        PORT: '0',
        DATABASE_URL: base.replace(/\/[^/?]+(\?.*)?$/, `/${db}$1`),
        WECOM_CORP_ID: keys.corpId,
        WECOM_AGENT_ID: String(keys.agentId),
        WECOM_SECRET: keys.secret,
        WECOM_TOKEN: keys.token,
        WECOM_AES_KEY: keys.aesKey,
        WECOM_API_BASE: apiBase,
        INSTANCE_ID: `start3-${i}`,
        LOG_LEVEL: 'info',
      });
      const runs = [0, 1, 2].map((i) => spawnNpmStart(env(i)));
      children.push(...runs.map((r) => r.child));
      const urls = await Promise.all(runs.map(async (r) => (await waitFor(r.child, r.out, /"url":"(http:\/\/[^"]+)"/, 60_000))[1]));
      for (const u of urls) expect((await fetch(`${u}/readyz`)).status).to.equal(200);
      const exits = runs.map((r) => new Promise<number | null>((res) => r.child.once('exit', (c) => res(c))));
      for (const r of runs) r.child.kill('SIGTERM');
      expect(await Promise.all(exits)).to.deep.equal([0, 0, 0]);
    } finally {
      await emu.close();
      await ds.query(`DROP DATABASE IF EXISTS \`${db}\``);
    }
  });
});
