/**
 * src/db/fast-sql.ts: bulk inserts as prepared statements of a ladder of sizes (MariaDB/MySQL),
 * plain reads hydrated as TypeORM's find hydrates them. The values must come out exactly as
 * the plain path (and TypeORM) stores them, on both dialects.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { inTransaction, isUniqueViolation } from '../../src/db/tx';
import { insertRows, q, selectEntities } from '../../src/db/fast-sql';
import { enqueue } from '../../src/wecom/outbox';
import { clearTables, isMysqlRun, testDataSource } from '../helpers/db';
import { QueryCounter } from '../helpers/query-count';

const NOW = new Date('2026-11-26T02:00:00.123Z');

function row(i: number, over: Partial<OutboxMessage> = {}): Partial<OutboxMessage> {
  return {
    channel: 'message',
    payload: JSON.stringify({ touser: `u${i}`, msgtype: 'text', text: { content: `第${i}条 "引号" 'x' \\ 换行\n` } }),
    recipients: `user:u${i}`,
    dedupeKey: i % 3 === 0 ? null : `fast:${i}`,
    refType: 'test',
    refId: String(i),
    status: 'pending',
    attempts: i % 2,
    nextAttemptAt: new Date(NOW.getTime() + i),
    claimedBy: null,
    claimedUntil: null,
    errcode: i % 5 === 0 ? 45009 : null,
    lastError: null,
    msgid: null,
    responseCode: null,
    response: null,
    createdAt: NOW,
    sentAt: null,
    ...over,
  };
}

describe('db/fast-sql: prepared bulk inserts and plain reads', () => {
  let ds: DataSource;
  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => clearTables(ds));

  it('40 rows: one prepared statement of 32 and one plain one of 8, stored exactly as one-by-one inserts store them', async () => {
    const qc = new QueryCounter(ds);
    qc.start();
    let executed = 0;
    const firstId = await inTransaction(ds, async (m) => {
      // MariaDB counts the prepared executions of this connection (the transaction's).
      const stmtExecutes = async () => (isMysqlRun() ? Number((await m.query("SHOW SESSION STATUS LIKE 'Com_stmt_execute'"))[0].Value) : 0);
      const before = await stmtExecutes();
      const id = await insertRows(m, OutboxMessage, Array.from({ length: 40 }, (_, i) => row(i)));
      executed = (await stmtExecutes()) - before;
      return id;
    });
    const statements = qc.stop();
    qc.detach();
    const inserts = statements.filter((s) => /^INSERT INTO/.test(s));
    // Columns null in every row are written as NULL (7 of them); errcode, null in most rows, is bound.
    for (const sql of inserts) {
      const tuple = sql.slice(sql.indexOf('VALUES') + 7).match(/^\(([^)]*)\)/)![1].split(',').map((x) => x.trim());
      expect(tuple.filter((x) => x === 'NULL'), sql.slice(0, 300)).to.have.length(7);
      expect(tuple.filter((x) => x === '?')).to.have.length(12);
    }
    expect(executed, 'prepared executions').to.equal(isMysqlRun() ? 1 : 0);
    expect(inserts.map((s) => (s.match(/\),\s*\(/g) ?? []).length + 1)).to.deep.equal(isMysqlRun() ? [32, 8] : [40]);
    const bulk = await ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });
    expect(bulk).to.have.length(40);
    // What the driver reports for the first statement: MySQL its first row's id, SQLite its last.
    expect(firstId).to.equal(isMysqlRun() ? bulk[0].id : bulk[39].id);
    // The same rows through the ORM's own insert, for comparison.
    await inTransaction(ds, async (m) => {
      for (let i = 0; i < 40; i++) await m.getRepository(OutboxMessage).insert(m.getRepository(OutboxMessage).create(row(i, { dedupeKey: i % 3 === 0 ? null : `orm:${i}` })));
    });
    const orm = (await ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } })).slice(40);
    const strip = (r: OutboxMessage) => ({ ...r, id: 0, dedupeKey: r.dedupeKey?.replace(/^(fast|orm):/, '') ?? null });
    expect(bulk.map(strip)).to.deep.equal(orm.map(strip));
    expect(bulk[7].nextAttemptAt.toISOString()).to.equal('2026-11-26T02:00:00.130Z');
    expect(JSON.parse(bulk[9].payload).text.content).to.equal(`第9条 "引号" 'x' \\ 换行\n`);
    // Ids follow the order of the rows.
    expect(bulk.map((r) => Number(r.refId))).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
  });

  it('a duplicate key in a prepared statement is a unique violation that rolls back that statement alone', async () => {
    await inTransaction(ds, (m) => enqueue(m, { channel: 'message', payload: { touser: 'x', msgtype: 'text', text: { content: 'x' } }, dedupeKey: 'fast:5', now: NOW }));
    let caught: unknown = null;
    await inTransaction(ds, async (m) => {
      try {
        await insertRows(m, OutboxMessage, Array.from({ length: 16 }, (_, i) => row(i)));
      } catch (e) {
        caught = e;
      }
      // The transaction goes on.
      await insertRows(m, OutboxMessage, [row(100)]);
    });
    expect(isUniqueViolation(caught), String(caught)).to.equal(true);
    expect((await ds.getRepository(OutboxMessage).find()).map((r) => r.dedupeKey).sort()).to.deep.equal(['fast:100', 'fast:5']);
  });

  it('one entity, batches of different shapes (a column null in every row, then not): each stored as written', async () => {
    const shapes = [
      Array.from({ length: 20 }, (_, i) => row(i, { errcode: null, lastError: null })),
      Array.from({ length: 20 }, (_, i) => row(100 + i, { errcode: 40001 + i, lastError: i === 19 ? '最后一个' : null })),
      Array.from({ length: 20 }, (_, i) => row(200 + i, { errcode: null, lastError: null })),
      // A short batch (a plain statement), its first row null where a later one is not.
      Array.from({ length: 3 }, (_, i) => row(300 + i, { errcode: i === 2 ? 45009 : null, msgid: i === 1 ? 'msg-1' : null })),
    ];
    for (const rows of shapes) await inTransaction(ds, (m) => insertRows(m, OutboxMessage, rows));
    const stored = await ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });
    expect(stored.map((r) => [Number(r.refId), r.errcode, r.lastError, r.msgid])).to.deep.equal(
      shapes.flat().map((r) => [Number(r.refId), r.errcode, r.lastError, r.msgid]),
    );
    expect(stored.map((r) => r.nextAttemptAt.toISOString())).to.deep.equal(shapes.flat().map((r) => r.nextAttemptAt!.toISOString()));
  });

  it('a duplicate key in a short plain statement is a unique violation that rolls back that statement alone', async () => {
    await inTransaction(ds, (m) => enqueue(m, { channel: 'message', payload: { touser: 'x', msgtype: 'text', text: { content: 'x' } }, dedupeKey: 'fast:2', now: NOW }));
    let caught: unknown = null;
    await inTransaction(ds, async (m) => {
      try {
        await insertRows(m, OutboxMessage, Array.from({ length: 3 }, (_, i) => row(i + 1)));
      } catch (e) {
        caught = e;
      }
      await insertRows(m, OutboxMessage, [row(101)]);
    });
    expect(isUniqueViolation(caught), String(caught)).to.equal(true);
    expect((await ds.getRepository(OutboxMessage).find()).map((r) => r.dedupeKey).sort()).to.deep.equal(['fast:101', 'fast:2']);
  });

  it('selectEntities returns what find returns', async () => {
    await inTransaction(ds, (m) => insertRows(m, OutboxMessage, Array.from({ length: 20 }, (_, i) => row(i))));
    const found = await ds.getRepository(OutboxMessage).find({ where: { refType: 'test' }, order: { id: 'ASC' } });
    const plain = await selectEntities(ds.manager, OutboxMessage, `${q(ds.manager, 'ref_type')} = ?`, ['test'], `ORDER BY ${q(ds.manager, 'id')}`);
    expect(plain).to.deep.equal(found);
    expect(plain[0]).to.be.instanceOf(OutboxMessage);
  });
});
