/**
 * Rows sent at about the same time are marked sent together (issue 14): one UPDATE for the
 * marks that arrive within a millisecond, each row with its own answer, guarded by "not
 * sent yet" as a single mark is.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { inTransaction, isSqlite } from '../../src/db/tx';
import { SentMarks, type SentValues } from '../../src/wecom/outbox/marks';
import { clearTables, testDataSource } from '../helpers/db';
import { QueryCounter } from '../helpers/query-count';

describe('outbox: marking rows sent together', () => {
  let ds: DataSource;
  let qc: QueryCounter;
  let marks: SentMarks;
  const at = new Date('2026-11-26T01:00:00.123Z');

  before(async () => {
    ds = await testDataSource();
    qc = new QueryCounter(ds);
  });
  after(() => qc.detach());
  beforeEach(async () => {
    await clearTables(ds);
    // As the dispatcher writes: on SQLite in a queued transaction, on MySQL on its own.
    marks = new SentMarks(<T>(fn: (m: EntityManager) => Promise<T>) => (isSqlite(ds) ? inTransaction(ds, fn) : fn(ds.manager)));
  });

  async function sending(n: number): Promise<OutboxMessage[]> {
    const repo = ds.getRepository(OutboxMessage);
    const rows: OutboxMessage[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(
        await repo.save(
          repo.create({
            channel: 'kf',
            payload: JSON.stringify({ touser: `wm${i}`, open_kfid: 'wkA', msgtype: 'text', text: { content: `第${i}条` } }),
            recipients: `kf:wm${i}`,
            dedupeKey: null,
            refType: null,
            refId: null,
            status: 'sending',
            attempts: 1,
            nextAttemptAt: at,
            claimedBy: 'test',
            claimedUntil: new Date(at.getTime() + 15_000),
            errcode: null,
            lastError: null,
            msgid: null,
            responseCode: null,
            response: null,
            createdAt: at,
            sentAt: null,
          }),
        ),
      );
    }
    return rows;
  }

  const answer = (i: number): SentValues => ({
    msgid: `msg${i}`,
    responseCode: i % 2 ? `code${i}` : null,
    response: JSON.stringify({ errcode: 0, msgid: `msg${i}` }),
    errcode: null,
    lastError: i === 3 ? 'done by an earlier try' : null,
    sentAt: new Date(at.getTime() + i),
  });

  it('six marks made at once: one UPDATE, each row with its own answer', async () => {
    const rows = await sending(6);
    qc.start();
    const recorded = await Promise.all(rows.map((r, i) => marks.mark(r.id, answer(i))));
    const statements = QueryCounter.work(qc.stop());
    expect(recorded).to.deep.equal(Array(6).fill(true));
    expect(statements, statements.join('\n')).to.have.length(1);
    expect(statements[0]).to.match(/^UPDATE \W?outbox_messages\W? SET/);
    const after = await ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });
    after.forEach((r, i) => {
      const a = answer(i);
      expect(r.status).to.equal('sent');
      expect(r.claimedBy).to.equal(null);
      expect(r.claimedUntil).to.equal(null);
      expect(r.msgid).to.equal(a.msgid);
      expect(r.responseCode).to.equal(a.responseCode);
      expect(r.response).to.equal(a.response);
      expect(r.lastError).to.equal(a.lastError);
      expect(r.sentAt!.getTime()).to.equal(a.sentAt!.getTime());
      expect(r.version).to.equal(rows[i].version + 1);
    });
  });

  it('a row another dispatcher marked already keeps its answer; the batch reports that it did not mark them all', async () => {
    const rows = await sending(3);
    await ds.getRepository(OutboxMessage).update({ id: rows[1].id }, { status: 'sent', msgid: 'theirs', sentAt: at });
    const recorded = await Promise.all(rows.map((r, i) => marks.mark(r.id, answer(i))));
    expect(recorded).to.deep.equal([false, false, false]);
    const after = await ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });
    expect(after.map((r) => r.status)).to.deep.equal(['sent', 'sent', 'sent']);
    expect(after.map((r) => r.msgid)).to.deep.equal(['msg0', 'theirs', 'msg2']);
  });

  it('one mark alone is one plain UPDATE that reports whether it marked the row', async () => {
    const [row] = await sending(1);
    qc.start();
    expect(await marks.mark(row.id, answer(0))).to.equal(true);
    expect(QueryCounter.work(qc.stop())).to.have.length(1);
    expect(await marks.mark(row.id, answer(1))).to.equal(false);
    expect((await ds.getRepository(OutboxMessage).findOneByOrFail({ id: row.id })).msgid).to.equal('msg0');
  });
});
