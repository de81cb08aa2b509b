import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { IdempotencyKey, InboxEvent, KfInboundMessage } from '../../entities';
import { retentionJob, pruneExpired } from '../../src/db/retention.job';
import { Utf8mb41764140009000 } from '../../src/db/migrations/1764140009000-Utf8mb4';
import { clearTables, isMysqlRun, testDataSource } from '../helpers/db';

const DAY = 86_400_000;

describe('retention', () => {
  let ds: DataSource;
  const now = new Date('2027-06-30T02:00:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  beforeEach(async () => {
    ds = await testDataSource();
    await clearTables(ds);
  });

  let seq = 0;
  const inbox = (status: InboxEvent['status'], days: number) =>
    ds.getRepository(InboxEvent).insert({ dedupeKey: `k${++seq}`, kind: 'text', payload: '{"Content":"身份证号 11010519491231002X"}', status, attempts: 1, receivedAt: ago(days), processedAt: status === 'received' ? null : ago(days), lastError: null });
  const kf = (status: KfInboundMessage['status'], days: number) =>
    ds.getRepository(KfInboundMessage).insert({ msgid: `m${++seq}`, openKfId: 'wk1', externalUserId: 'wm1', sendTime: ago(days), origin: 3, msgtype: 'text', payload: '{}', status, attempts: 0, receivedAt: ago(days), processedAt: null, lastError: null });
  const idemRow = (days: number) => ({ scope: 'verifications|unit:RSJ', idemKey: `i${++seq}`, requestHash: 'h'.repeat(64), statusCode: 201, response: '{}', createdAt: ago(days) });
  const idem = (days: number) => ds.getRepository(IdempotencyKey).insert(idemRow(days));

  it('prunes finished inbox rows, kf messages and idempotency keys older than RETENTION_DAYS, keeping unfinished work', async () => {
    await inbox('done', 181);
    await inbox('failed', 400);
    await inbox('received', 400); // answered but never processed: still owed
    await inbox('done', 179);
    await kf('done', 200);
    await kf('ignored', 200);
    await kf('new', 200); // not handled yet
    await kf('done', 10);
    await idem(181);
    await idem(30);
    const lines = await retentionJob(ds, 180).run(now);
    expect(lines).to.deep.equal([{ job: 'retention', days: 180, inbox: 2, kfMessages: 2, idempotencyKeys: 1 }]);
    expect((await ds.getRepository(InboxEvent).find({ order: { id: 'ASC' } })).map((r) => r.status)).to.deep.equal(['received', 'done']);
    expect((await ds.getRepository(KfInboundMessage).find({ order: { id: 'ASC' } })).map((r) => r.status)).to.deep.equal(['new', 'done']);
    expect(await ds.getRepository(IdempotencyKey).count()).to.equal(1);
    // Nothing left to prune: a quiet sweep line.
    expect(await retentionJob(ds, 180).run(now)).to.deep.equal([]);
  });

  it('honours a shorter period and prunes in batches', async () => {
    for (let i = 0; i < 7; i++) await ds.getRepository(IdempotencyKey).insert(Array.from({ length: 150 }, () => idemRow(40)));
    expect(await pruneExpired(ds, now, 60)).to.deep.equal({ inbox: 0, kfMessages: 0, idempotencyKeys: 0 });
    expect((await pruneExpired(ds, now, 30)).idempotencyKeys).to.equal(1_050);
    expect(await ds.getRepository(IdempotencyKey).count()).to.equal(0);
  });
});

describe('utf8mb4 tables', () => {
  it('every table is utf8mb4_unicode_ci on MySQL/MariaDB; a latin1 table is converted', async function () {
    if (!isMysqlRun()) this.skip();
    const ds = await testDataSource();
    await ds.query('DROP TABLE IF EXISTS charset_probe');
    await ds.query('CREATE TABLE charset_probe (id INT PRIMARY KEY, name VARCHAR(20)) CHARACTER SET latin1');
    const qr = ds.createQueryRunner();
    try {
      await new Utf8mb41764140009000().up(qr);
      const rows: Array<{ t: string; c: string }> = await ds.query(
        "SELECT table_name AS t, table_collation AS c FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
      );
      expect(rows.length).to.be.greaterThan(30);
      expect(rows.filter((r) => r.c !== 'utf8mb4_unicode_ci')).to.deep.equal([]);
      await ds.query("INSERT INTO charset_probe VALUES (1, '𠀀张三😀')");
      expect((await ds.query('SELECT name FROM charset_probe'))[0].name).to.equal('𠀀张三😀');
    } finally {
      await ds.query('DROP TABLE IF EXISTS charset_probe');
      await qr.release();
    }
  });

  it('the connection speaks utf8mb4', async function () {
    if (!isMysqlRun()) this.skip();
    const ds = await testDataSource();
    const [row] = await ds.query("SELECT @@character_set_connection AS cs");
    expect(row.cs).to.equal('utf8mb4');
  });
});
