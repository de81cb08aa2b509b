import fs from 'fs';
import os from 'os';
import path from 'path';
import { ChildProcess, execFile, spawn } from 'child_process';
import { promisify } from 'util';
import { expect } from 'chai';
import { App, Emu, figure, freePort, mysqlOnly, postLikeWeCom, sleep, spawnApp, startEmu, stopApp, textCallback, until } from './harness';

const run = promisify(execFile);
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'].find((p) => fs.existsSync(p));

/** A MariaDB server of this test's own (never the shared one), in a temporary directory. */
class OwnMariaDb {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-faults-mariadb-'));
  readonly sock = path.join(this.dir, 'sock');
  proc: ChildProcess | null = null;
  constructor(readonly port: number) {}

  async install(): Promise<void> {
    await run(INSTALL!, ['--no-defaults', '--user=root', `--datadir=${path.join(this.dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { timeout: 120_000 });
  }

  async start(): Promise<void> {
    this.proc = spawn(
      MARIADBD,
      [
        '--no-defaults',
        '--user=root',
        `--datadir=${path.join(this.dir, 'data')}`,
        `--port=${this.port}`,
        `--socket=${this.sock}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${path.join(this.dir, 'pid')}`,
        `--log-error=${path.join(this.dir, 'error.log')}`,
        '--innodb-buffer-pool-size=64M',
        '--skip-log-bin',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
      ],
      { stdio: 'ignore' },
    );
    await until('own mariadbd accepting connections', () => this.ping(), 60_000, 100);
  }

  async ping(): Promise<boolean> {
    try {
      await run('/usr/bin/mariadb-admin', ['--no-defaults', `--socket=${this.sock}`, '-uroot', 'ping'], { timeout: 2000 });
      return true;
    } catch {
      return false;
    }
  }

  sql(statement: string): Promise<unknown> {
    return run('/usr/bin/mariadb', ['--no-defaults', `--socket=${this.sock}`, '-uroot', '-e', statement], { timeout: 10_000 });
  }

  /** SIGTERM: a clean shutdown, as a service manager stops it. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    this.proc = null;
  }

  async destroy(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc!.once('exit', r));
      this.proc.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('faults: the MariaDB server restarts while callbacks flow', function () {
  this.timeout(300_000);
  let db: OwnMariaDb | null = null;
  let e: Emu | null = null;
  let app: App | null = null;

  before(function () {
    mysqlOnly(this);
    if (!fs.existsSync(MARIADBD) || !INSTALL || !fs.existsSync('/usr/bin/mariadb-admin')) this.skip();
  });
  afterEach(async () => {
    await stopApp(app);
    app = null;
    await e?.close();
    await db?.destroy();
  });

  it('is not ready while the database is down, ready within 5 s of its return, and loses nothing it answered 200', async () => {
    db = new OwnMariaDb(await freePort());
    await db.install();
    await db.start();
    await db.sql("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE nocert CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
    const databaseUrl = `mysql://root@127.0.0.1:${db.port}/nocert`;
    e = await startEmu();
    app = spawnApp(e, { port: await freePort(), instanceId: 'fault-dbrestart-1', databaseUrl });
    await app.ready(120_000);

    // A steady stream of member texts, sent as WeCom sends them.
    const acked: string[] = [];
    let fivexx = 0;
    let unanswered = 0;
    let flowing = true;
    const base = `${Date.now()}`.slice(-9);
    let n = 0;
    const sender = (async () => {
      const inflight = new Set<Promise<void>>();
      while (flowing) {
        const i = n++;
        const msgId = `8${base}${String(i).padStart(9, '0')}`;
        const p = (async () => {
          const r = await postLikeWeCom(app!.url, textCallback(e!, `db.member${i % 50}`, `数据库重启测试 ${i}`, msgId), 3, 1000, 5000);
          if (r.status === 200) acked.push(msgId);
          else if (r.status >= 500) fivexx++;
          else unanswered++;
        })();
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        await sleep(25);
      }
      await Promise.all(inflight);
    })();

    const readyz = async () => {
      try {
        return (await fetch(`${app!.url}/readyz`, { signal: AbortSignal.timeout(2000) })).status;
      } catch {
        return 0;
      }
    };
    await sleep(3000);
    await db.stop();
    const downAt = Date.now();
    await until('/readyz reports the outage', async () => (await readyz()) === 503, 10_000, 100);
    const notReadyAfter = (Date.now() - downAt) / 1000;
    await sleep(Math.max(0, 7000 - (Date.now() - downAt)));
    await db.start();
    const backAt = Date.now();
    const readyIn = (await until('/readyz ready again', async () => (await readyz()) === 200, 30_000, 50)) / 1000;
    await sleep(3000);
    flowing = false;
    await sender;

    // Every callback answered 200 is stored and processed, none twice.
    const stored = async () => {
      const out = await db!.sql('SELECT 1');
      void out;
      const { stdout } = await run('/usr/bin/mariadb', ['--no-defaults', `--socket=${db!.sock}`, '-uroot', '-N', '-e', "SELECT JSON_VALUE(payload, '$.MsgId'), status FROM nocert.wecom_inbox"], { maxBuffer: 64 * 1024 * 1024 });
      return stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'));
    };
    let rows: string[][] = [];
    const settledIn = await until(
      'every acknowledged callback processed',
      async () => {
        rows = await stored();
        const done = new Set(rows.filter((r) => r[1] === 'done').map((r) => r[0]));
        return acked.every((m) => done.has(m));
      },
      60_000,
      500,
    );
    const ids = rows.map((r) => r[0]);
    figure(
      'db-restart',
      `MariaDB down ${((backAt - downAt) / 1000).toFixed(1)} s: /readyz not ready ${notReadyAfter.toFixed(1)} s after the stop, ready ${readyIn.toFixed(1)} s after the return; ${acked.length}/${n} callbacks answered 200, 0 of them lost (all processed ${(settledIn / 1000).toFixed(1)} s after the stream ended), ${fivexx} answered 5xx, ${unanswered} unanswered`,
    );
    expect(readyIn).to.be.below(5);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(acked.length).to.be.above(0);
  });
});
