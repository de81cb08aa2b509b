import { expect } from 'chai';
import { run } from '../../src/cli';
import { sharedTestUrl, testDataSource, clearTables, isMysqlRun } from '../helpers/db';
import { hashKey } from '../../src/http/auth';
import { ApiKey, OutboxMessage, Unit } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { ExemptionMother, exemptionUnits } from '../helpers/mothers/exemptions';
import { publishEntries, seedDirectory } from '../helpers/seed';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe('nocert CLI', () => {
  const env = () => ({ DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent' });
  beforeEach(async () => clearTables(await testDataSource()));

  it('migrate reports that nothing is pending on a migrated database', async () => {
    await testDataSource();
    const c = capture();
    expect(await run(['migrate'], env(), c.io)).to.equal(0);
    expect(c.out).to.deep.equal(['已应用 0 个迁移']);
  });

  it('migrate waits for the migration lock an instance holds at start (MariaDB)', async function () {
    if (!isMysqlRun()) this.skip();
    const ds = await testDataSource();
    const qr = ds.createQueryRunner();
    try {
      await qr.query("SELECT GET_LOCK('nocert_migrations', 5)");
      const c = capture();
      let code: number | null = null;
      const pending = run(['migrate'], env(), c.io).then((n) => (code = n));
      await new Promise((r) => setTimeout(r, 400));
      expect(code).to.equal(null);
      await qr.query("SELECT RELEASE_LOCK('nocert_migrations')");
      expect(await pending).to.equal(0);
      expect(c.out).to.deep.equal(['已应用 0 个迁移']);
    } finally {
      await qr.release();
    }
  });

  it('calendar due prints the deadline with the office offset (17:20 + 30 office minutes)', async () => {
    const c = capture();
    expect(await run(['calendar', 'due', '--category', 'digital', '--from', '2026-11-26T17:20:00+08:00'], env(), c.io)).to.equal(0);
    expect(c.out).to.deep.equal(['2026-11-27T08:50:00+08:00']);
    const p = capture();
    expect(await run(['calendar', 'due', '--category', 'paper', '--from', '2026-09-30T10:00:00+08:00'], env(), p.io)).to.equal(0);
    // National Day 2026: Oct 1-7 off; the first working day after Sep 30 is Oct 8.
    expect(p.out).to.deep.equal(['2026-10-08T17:30:00+08:00']);
  });

  it('calendar due names the missing year before the data', async () => {
    const c = capture();
    expect(await run(['calendar', 'due', '--category', 'digital', '--from', '2003-03-03T10:00:00+08:00'], env(), c.io)).to.equal(1);
    expect(c.err[0]).to.match(/deadline_calendar_missing_year/).and.match(/2003/);
  });

  it('calendar due prints a provisional deadline in a year without data (Spring Festival 2027)', async () => {
    const c = capture();
    expect(await run(['calendar', 'due', '--category', 'paper', '--from', '2027-02-05T10:00:00+08:00'], env(), c.io)).to.equal(0);
    expect(c.out).to.deep.equal(['2027-02-11T17:30:00+08:00 （暂定：按法定节假日推算）']);
  });

  it('calendar due refuses an unknown category with usage (exit 2)', async () => {
    const c = capture();
    expect(await run(['calendar', 'due', '--category', 'quick', '--from', '2026-11-26T10:00:00+08:00'], env(), c.io)).to.equal(2);
  });

  it('apikey create prints a key once and stores only its hash', async () => {
    const ds = await testDataSource();
    const c = capture();
    expect(await run(['apikey', 'create', '--name', '审批平台'], env(), c.io)).to.equal(0);
    const key = c.out[0];
    expect(key).to.match(/^nk_[A-Za-z0-9_-]{32}$/);
    const rows = await ds.getRepository(ApiKey).find();
    expect(rows).to.have.length(1);
    expect(rows[0].keyHash).to.equal(hashKey(key));
    expect(JSON.stringify(rows)).to.not.include(key);
    expect(rows[0].unitCode).to.equal(null);
  });

  it('apikey create --unit binds the key to an existing unit and refuses an unknown one', async () => {
    const ds = await testDataSource();
    const now = new Date();
    await ds.getRepository(Unit).insert({ code: 'RSJ', name: '县人力资源和社会保障局', isOffice: false, createdAt: now, updatedAt: now });
    const ok = capture();
    expect(await run(['apikey', 'create', '--name', '人社系统', '--unit', 'RSJ'], env(), ok.io)).to.equal(0);
    expect((await ds.getRepository(ApiKey).findOneByOrFail({ keyHash: hashKey(ok.out[0]) })).unitCode).to.equal('RSJ');
    const bad = capture();
    expect(await run(['apikey', 'create', '--name', 'x', '--unit', 'NOPE'], env(), bad.io)).to.equal(1);
    expect(bad.err[0]).to.match(/unit_not_found/);
    expect(await ds.getRepository(ApiKey).count()).to.equal(1);
  });

  it('stops with one line per bad setting and exit code 2', async () => {
    const c = capture();
    expect(await run(['migrate'], { PORT: 'x', OFFICE_TZ: 'Nowhere/City' }, c.io)).to.equal(2);
    expect(c.err).to.have.length(2);
    expect(c.err.join('\n')).to.match(/PORT/).and.match(/OFFICE_TZ/);
  });

  it('prints usage for an unknown command', async () => {
    const c = capture();
    expect(await run(['frobnicate'], env(), c.io)).to.equal(2);
    expect(c.err[0]).to.match(/用法/);
  });

  it('scheduler run --now runs the jobs of every module: the half-yearly publication reminder once (SPEC 2 Art. 5)', async () => {
    const ds = await testDataSource();
    await seedDirectory(ds, exemptionUnits());
    await publishEntries(ds, ExemptionMother.many(1), new Date('2026-05-26T09:00:00+08:00'));
    const sweep = async (at: string) => {
      const c = capture();
      expect(await run(['scheduler', 'run', '--now', at], env(), c.io)).to.equal(0);
      return c.out.map((l) => JSON.parse(l)).filter((l) => l.job === 'exemption-reminders');
    };
    expect(await sweep('2026-11-26T08:59:00+08:00')).to.deep.equal([]);
    const [line, ...more] = await sweep('2026-11-26T09:00:00+08:00');
    expect(more).to.deep.equal([]);
    expect(line).to.deep.include({ action: 'publication_reminder', lastVersion: 1, outcome: 'reminded', recipients: ['office.chief', 'office.duty'] });
    expect(await sweep('2026-11-26T09:05:00+08:00'), 'once a month').to.deep.equal([]);
  });

  it('scheduler run --now at a later instant: what it queues goes out at once, not when the wall clock gets there', async () => {
    const ds = await testDataSource();
    await seedDirectory(ds, exemptionUnits());
    await publishEntries(ds, ExemptionMother.many(1), new Date('2026-11-26T09:00:00+08:00'));
    const c = capture();
    // A Wednesday morning well after the wall clock.
    const at = '2028-03-01T10:00:00+08:00';
    expect(Date.parse(at)).to.be.greaterThan(Date.now());
    expect(await run(['scheduler', 'run', '--now', at], env(), c.io)).to.equal(0);
    const rows = await ds.getRepository(OutboxMessage).find();
    expect(rows.length, JSON.stringify(c.out)).to.be.greaterThan(0);
    for (const r of rows) expect(r.nextAttemptAt.getTime(), 'due now, not at --now').to.be.at.most(Date.now());
  });
});
