import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { AppError } from '../../src/errors';
import { inTransaction } from '../../src/db/tx';
import { clearTables, extraDataSource, isMysqlRun, testDataSource } from '../helpers/db';
import { enqueue, enqueueMany, type EnqueueMessage } from '../../src/wecom/outbox';

const NOW = new Date('2026-11-26T02:00:00.000Z');

function text(touser: string, content: string) {
  return { touser, msgtype: 'text', text: { content } };
}

function msg(touser: string, content: string, over: Partial<EnqueueMessage> = {}): EnqueueMessage {
  return { channel: 'message', payload: text(touser, content), now: NOW, ...over };
}

/** Columns that must come out the same whether a row was written by enqueue or enqueueMany. */
function shape(r: OutboxMessage) {
  const { id: _id, ...rest } = r;
  return rest;
}

describe('wecom outbox: enqueueMany (multi-row enqueue)', () => {
  let ds: DataSource;
  let ds2: DataSource;
  const rows = () => ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });

  before(async () => {
    ds = await testDataSource();
    ds2 = await extraDataSource();
  });
  after(async () => {
    await ds2.destroy();
  });
  beforeEach(async () => {
    await clearTables(ds);
  });

  it('writes rows shaped exactly as enqueue writes them', async () => {
    const variants: Array<Omit<EnqueueMessage, 'now'>> = [
      { channel: 'message', payload: text('alice|bob|alice', '提醒'), dedupeKey: 'k:1', refType: 'deadline_text', refId: '7' },
      { channel: 'message', payload: text('carol', 'later'), notBefore: new Date(NOW.getTime() + 60_000) },
      { channel: 'appchat', payload: { chatid: 'office', msgtype: 'markdown', markdown: { content: 'x' } } },
      { channel: 'robot', payload: { webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', message: { msgtype: 'text', text: { content: 'x' } } } },
      { channel: 'update_card', payload: { response_code: 'rc', button: { replace_name: 'done' } }, recipients: ['dave', 'user:erin'] },
      { channel: 'message', payload: text(Array.from({ length: 120 }, (_, i) => `member${String(i).padStart(4, '0')}`).join('|'), 'to many') },
    ];
    await inTransaction(ds, async (m) => {
      for (const v of variants) await enqueue(m, { ...v, now: NOW, dedupeKey: v.dedupeKey ? `one:${v.dedupeKey}` : undefined });
    });
    const res = await inTransaction(ds, (m) => enqueueMany(m, variants.map((v) => ({ ...v, now: NOW, dedupeKey: v.dedupeKey ? `many:${v.dedupeKey}` : undefined }))));
    expect(res).to.deep.equal({ inserted: variants.length, existing: [] });
    const all = await rows();
    expect(all).to.have.length(variants.length * 2);
    const one = all.slice(0, variants.length).map(shape);
    const many = all.slice(variants.length).map(shape);
    for (const [i, r] of many.entries()) {
      expect({ ...r, dedupeKey: r.dedupeKey?.replace('many:', '') ?? null }).to.deep.equal({ ...one[i], dedupeKey: one[i].dedupeKey?.replace('one:', '') ?? null });
    }
    expect(many[0].recipients).to.equal('user:alice|user:bob');
    expect(many[0].version).to.equal(1);
    expect(many[1].nextAttemptAt.getTime()).to.equal(NOW.getTime() + 60_000);
    expect(many[4].recipients).to.equal('user:dave|user:erin');
    expect(many[5].recipients).to.equal('');
  });

  it('honours dedupe keys: stored keys and repeats within the batch write nothing more (first one wins)', async () => {
    await inTransaction(ds, (m) => enqueue(m, msg('alice', 'stored', { dedupeKey: 'd:1' })));
    const res = await inTransaction(ds, (m) =>
      enqueueMany(m, [msg('alice', 'again', { dedupeKey: 'd:1' }), msg('bob', 'first', { dedupeKey: 'd:2' }), msg('bob', 'second', { dedupeKey: 'd:2' }), msg('carol', 'no key'), msg('carol', 'no key')]),
    );
    expect(res.inserted).to.equal(3);
    expect([...res.existing].sort()).to.deep.equal(['d:1', 'd:2']);
    const all = await rows();
    expect(all.map((r) => JSON.parse(r.payload).text.content)).to.deep.equal(['stored', 'first', 'no key', 'no key']);
    // Enqueueing the same batch again changes nothing.
    const again = await inTransaction(ds, (m) => enqueueMany(m, [msg('alice', 'x', { dedupeKey: 'd:1' }), msg('bob', 'y', { dedupeKey: 'd:2' })]));
    expect(again.inserted).to.equal(0);
    expect([...again.existing].sort()).to.deep.equal(['d:1', 'd:2']);
    expect(await ds.getRepository(OutboxMessage).count()).to.equal(4);
  });

  it('refuses a batch with one bad message before writing any of it', async () => {
    const bad: EnqueueMessage[] = [
      msg('alice', 'fine'),
      { channel: 'message', payload: { msgtype: 'text', text: { content: 'nobody' } }, now: NOW },
    ];
    let caught: unknown;
    await inTransaction(ds, (m) => enqueueMany(m, bad)).catch((e) => (caught = e));
    expect(caught).to.be.instanceOf(AppError);
    expect((caught as AppError).code).to.equal('validation_failed');
    let caught2: unknown;
    await inTransaction(ds, (m) => enqueueMany(m, [msg('alice', 'fine'), { channel: 'fax' as never, payload: {}, now: NOW }])).catch((e) => (caught2 = e));
    expect((caught2 as AppError).code).to.equal('validation_failed');
    expect(await ds.getRepository(OutboxMessage).count()).to.equal(0);
  });

  it('an empty batch writes nothing', async () => {
    expect(await inTransaction(ds, (m) => enqueueMany(m, []))).to.deep.equal({ inserted: 0, existing: [] });
    expect(await ds.getRepository(OutboxMessage).count()).to.equal(0);
  });

  it('writes a large batch in several statements (over the bound-value limit)', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => msg(`u${i}`, `m${i}`, { dedupeKey: `big:${i}`, refType: 'bench', refId: String(i) }));
    const res = await inTransaction(ds, (m) => enqueueMany(m, many));
    expect(res.inserted).to.equal(5000);
    expect(await ds.getRepository(OutboxMessage).count()).to.equal(5000);
    const last = await ds.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: 'big:4999' });
    expect(last.recipients).to.equal('user:u4999');
    expect(last.refId).to.equal('4999');
  });

  it('rolls back with the caller transaction', async () => {
    await inTransaction(ds, async (m) => {
      await enqueueMany(m, [msg('alice', 'never', { dedupeKey: 'rb:1' }), msg('bob', 'never')]);
      throw new Error('rollback');
    }).catch(() => undefined);
    expect(await ds.getRepository(OutboxMessage).count()).to.equal(0);
  });

  it('a racing transaction that commits a key first: that row stands, the rest of the batch is written, the caller commits (MySQL/MariaDB)', async function () {
    if (!isMysqlRun()) this.skip();
    let inserted!: () => void;
    const firstInserted = new Promise<void>((r) => (inserted = r));
    const first = inTransaction(ds, async (m) => {
      const r = await enqueue(m, msg('alice', 'winner', { dedupeKey: 'race:1' }));
      inserted();
      await new Promise((res) => setTimeout(res, 300));
      return r;
    });
    await firstInserted;
    // The SELECT of stored keys does not see the uncommitted row; the INSERT waits for it, then collides.
    const second = inTransaction(ds2, async (m: EntityManager) => {
      const res = await enqueueMany(m, [msg('bob', 'before', { dedupeKey: 'race:0' }), msg('alice', 'loser', { dedupeKey: 'race:1' }), msg('carol', 'after', { dedupeKey: 'race:2' })]);
      const other = await enqueue(m, msg('dave', 'after the race'));
      return { res, other };
    });
    const [, { res }] = await Promise.all([first, second]);
    expect(res).to.deep.equal({ inserted: 2, existing: ['race:1'] });
    const all = await rows();
    expect(all.map((r) => JSON.parse(r.payload).text.content).sort()).to.deep.equal(['after', 'after the race', 'before', 'winner']);
  });
});
