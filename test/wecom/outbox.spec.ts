import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { inTransaction } from '../../src/db/tx';
import { clearTables, extraDataSource, isMysqlRun, testDataSource } from '../helpers/db';
import { QueryCounter } from '../helpers/query-count';
import { slowProxy } from '../helpers/slow-proxy';
import { AGENT_ID, CORP_ID, KF, ROBOT, Receiver, SECRET, startEmulator, type EmulatorHarness } from '../sandbox/harness';
import { DbTokenProvider } from '../../src/wecom/token-cache';
import { WeComClient } from '../../src/wecom/client';
import { Pacer } from '../../src/wecom/pacer';
import { OutboxDispatcher, enqueue, kfMsgId, type EnqueueMessage, type OutboxDispatcherOptions } from '../../src/wecom/outbox';

const CITIZEN = 'wmCitizen0001';
const SEND = '/cgi-bin/message/send';

function text(touser: string, content: string) {
  return { touser, msgtype: 'text', text: { content } };
}

function card(touser: string, taskId: string) {
  return {
    touser,
    msgtype: 'template_card',
    template_card: {
      card_type: 'button_interaction',
      main_title: { title: '协查请求', desc: taskId },
      task_id: taskId,
      button_list: [
        { text: '受理', style: 1, key: `accept:${taskId}` },
        { text: '退回', style: 2, key: `return:${taskId}` },
      ],
    },
  };
}

describe('wecom outbox (enqueue + dispatcher against the emulator over HTTP)', () => {
  let ds: DataSource;
  let ds2: DataSource;
  let h: EmulatorHarness;
  let receiver: Receiver;
  let counts: { sent: string[]; failed: string[] };
  let warnings: string[];

  before(async () => {
    ds = await testDataSource();
    ds2 = await extraDataSource();
  });
  after(async () => {
    await ds2.destroy();
  });
  beforeEach(async () => {
    await clearTables(ds);
    receiver = new Receiver();
    // members undefined: an open directory, so any well-formed userid is a member...
    h = await startEmulator({ callbackUrl: await receiver.start(), members: undefined, refuseKfSecret: true });
    counts = { sent: [], failed: [] };
    warnings = [];
  });
  afterEach(async () => {
    await h.close();
    await receiver.stop();
  });

  const now = () => new Date(h.clock.t);

  function dispatcher(dataSource: DataSource = ds, over: Partial<OutboxDispatcherOptions> = {}, instanceId = 'test-1'): OutboxDispatcher {
    const tokens = new DbTokenProvider({ dataSource, apiBase: h.base, corpId: CORP_ID, secrets: { app: SECRET }, now, pollMs: 10, instanceId });
    const client = new WeComClient({ apiBase: h.base, corpId: CORP_ID, agentId: AGENT_ID, tokens, sleep: async () => undefined, random: () => 0.5 });
    return new OutboxDispatcher({
      dataSource,
      client,
      pacer: new Pacer({ dataSource, now }),
      instanceId,
      now,
      random: () => 0,
      metrics: { outboxSent: (c) => counts.sent.push(c), outboxFailed: (c) => counts.failed.push(c) },
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (_o: object, msg?: string) => warnings.push(msg ?? ''),
        error: (_o: object, msg?: string) => warnings.push(msg ?? ''),
      },
      ...over,
    });
  }

  const add = (msg: Omit<EnqueueMessage, 'now'>, dataSource: DataSource = ds) => inTransaction(dataSource, (m) => enqueue(m, { ...msg, now: now() }));
  const row = (id: number) => ds.getRepository(OutboxMessage).findOneByOrFail({ id });
  const sends = () => h.emu.apiCalls().filter((c) => c.path === SEND);

  /** A crash after WeCom answered and before we recorded it: the row is back in 'sending' with an expired claim. */
  async function crashAfterSend(id: number): Promise<void> {
    const r = await row(id);
    await ds.getRepository(OutboxMessage).update(
      { id },
      { status: 'sending', claimedBy: 'crashed', claimedUntil: new Date(h.clock.t - 1), msgid: null, responseCode: null, response: null, sentAt: null, errcode: null, lastError: null, attempts: r.attempts },
    );
  }

  it('sends nothing when the enqueueing transaction rolls back', async () => {
    let err: unknown;
    try {
      await inTransaction(ds, async (m) => {
        await enqueue(m, { channel: 'message', payload: text('alice', 'never'), now: now() });
        throw new Error('domain rollback');
      });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.equal('domain rollback');
    expect(await dispatcher().runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
    expect(sends()).to.have.length(0);
  });

  it('sends a committed card once and records msgid, response_code and the answer', async () => {
    const r = await add({ channel: 'message', payload: card('alice', 'task_a1'), refType: 'verification', refId: '42' });
    expect(r.status).to.equal('pending');
    expect(r.recipients).to.equal('user:alice');
    const d = dispatcher();
    expect(await d.runOnce()).to.deep.equal({ sent: 1, failed: 0, deferred: 0 });
    expect(await d.runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
    const done = await row(r.id);
    const delivered = h.emu.delivered({ touser: 'alice' });
    expect(delivered).to.have.length(1);
    expect(done.status).to.equal('sent');
    expect(done.msgid).to.equal(delivered[0].msgid);
    expect(done.responseCode).to.be.a('string').with.length.above(10);
    expect(JSON.parse(done.response!)).to.include({ errcode: 0, response_code: done.responseCode });
    expect(done.sentAt!.getTime()).to.equal(h.clock.t);
    expect(done.attempts).to.equal(1);
    expect(done.claimedBy).to.equal(null);
    expect(sends()[0].body).to.include({ enable_duplicate_check: 1, duplicate_check_interval: 14400, agentid: AGENT_ID });
    expect(counts.sent).to.deep.equal(['message']);
  });

  it('enqueue with a dedupeKey is idempotent and keeps the caller transaction usable', async () => {
    const a = await add({ channel: 'message', payload: text('alice', 'once'), dedupeKey: 'reminder:1' });
    const [b, c] = await inTransaction(ds, async (m) => [
      await enqueue(m, { channel: 'message', payload: text('alice', 'twice'), dedupeKey: 'reminder:1', now: now() }),
      await enqueue(m, { channel: 'message', payload: text('bob', 'other'), dedupeKey: 'reminder:2', now: now() }),
    ]);
    expect(b.id).to.equal(a.id);
    expect(c.id).not.to.equal(a.id);
    expect(await ds.getRepository(OutboxMessage).count()).to.equal(2);
  });

  it('enqueue of a new dedupeKey is one INSERT, no read before it', async () => {
    const qc = new QueryCounter(ds);
    try {
      const row = await inTransaction(ds, async (m) => {
        qc.start();
        const r = await enqueue(m, { channel: 'message', payload: text('alice', 'new key'), dedupeKey: 'fresh:1', now: now() });
        expect(qc.stop().map((x) => x.split(' ')[0])).to.deep.equal(['INSERT']);
        return r;
      });
      expect((await ds.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: 'fresh:1' })).id).to.equal(row.id);
    } finally {
      qc.detach();
    }
  });

  it('a racing duplicate enqueue returns the committed row and its transaction still commits (MySQL/MariaDB)', async function () {
    if (!isMysqlRun()) this.skip();
    let inserted!: () => void;
    const firstInserted = new Promise<void>((r) => (inserted = r));
    const first = inTransaction(ds, async (m) => {
      const r = await enqueue(m, { channel: 'message', payload: text('alice', 'race'), dedupeKey: 'race:1', now: now() });
      inserted();
      await new Promise((res) => setTimeout(res, 300));
      return r;
    });
    await firstInserted;
    const second = inTransaction(ds2, async (m: EntityManager) => {
      const r = await enqueue(m, { channel: 'message', payload: text('alice', 'race'), dedupeKey: 'race:1', now: now() });
      const other = await enqueue(m, { channel: 'message', payload: text('bob', 'after the race'), now: now() });
      return [r, other] as const;
    });
    const [a, [b, other]] = await Promise.all([first, second]);
    expect(b.id).to.equal(a.id);
    expect(await ds.getRepository(OutboxMessage).countBy({ dedupeKey: 'race:1' })).to.equal(1);
    expect(await ds.getRepository(OutboxMessage).findOneBy({ id: other.id })).not.to.equal(null);
  });

  it('after a crash between WeCom and our record, a text message is not delivered twice (duplicate check)', async () => {
    const r = await add({ channel: 'message', payload: text('alice', '您有一件待办') });
    await dispatcher().runOnce();
    await crashAfterSend(r.id);
    h.clock.advance(60_000);
    expect(await dispatcher(ds2, {}, 'test-2').runOnce()).to.deep.equal({ sent: 1, failed: 0, deferred: 0 });
    expect(sends()).to.have.length(2);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
    const done = await row(r.id);
    expect(done.status).to.equal('sent');
    expect(done.attempts).to.equal(2);
  });

  it('delivers two different rows with the same text (a re-asked question) while still deduping a crash resend', async () => {
    const a = await add({ channel: 'message', payload: text('alice', '请回复退回原因') });
    const b = await add({ channel: 'message', payload: text('alice', '请回复退回原因') });
    await dispatcher().runOnce();
    const got = h.emu.delivered({ touser: 'alice' });
    expect(got.map((d) => d.payload.content)).to.deep.equal(['请回复退回原因', '请回复退回原因']);
    // The raw request bodies differ only by an invisible per-row tag.
    expect(got[0].body.text.content).to.not.equal(got[1].body.text.content);
    expect(got[0].body.text.content.startsWith('请回复退回原因')).to.equal(true);
    await crashAfterSend(b.id);
    h.clock.advance(60_000);
    await dispatcher(ds2, {}, 'test-2').runOnce();
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(2);
    expect((await row(a.id)).status).to.equal('sent');
  });

  it('after a crash, a card resent past the duplicate window answers 42014 and counts as delivered', async () => {
    const r = await add({ channel: 'message', payload: card('alice', 'task_crash') });
    await dispatcher().runOnce();
    await crashAfterSend(r.id);
    h.clock.advance(5 * 3_600_000);
    expect((await dispatcher().runOnce()).sent).to.equal(1);
    expect(sends().map((c) => c.errcode)).to.deep.equal([0, 42014]);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
    const done = await row(r.id);
    expect(done.status).to.equal('sent');
    expect(done.errcode).to.equal(42014);
    expect(done.lastError).to.match(/earlier try/);
  });

  it('a 42014 on a first try is a task_id collision: failed, not sent', async () => {
    await add({ channel: 'message', payload: card('alice', 'task_dup') });
    await dispatcher().runOnce();
    const r = await add({ channel: 'message', payload: { ...card('bob', 'task_dup') } });
    expect((await dispatcher().runOnce()).failed).to.equal(1);
    expect((await row(r.id)).errcode).to.equal(42014);
    expect(h.emu.delivered({ touser: 'bob' })).to.have.length(0);
  });

  it('after a crash, a kf reply is recognised by its msgid (95033) and counts as delivered, not sent twice', async () => {
    await h.emu.kfCustomerSays(KF, CITIZEN, '我要投诉');
    const r = await add({ channel: 'kf', payload: { touser: CITIZEN, open_kfid: KF, msgtype: 'text', text: { content: '已收到' } } });
    expect(r.recipients).to.equal(`kf:${CITIZEN}`);
    await dispatcher().runOnce();
    await crashAfterSend(r.id);
    expect(await dispatcher().runOnce()).to.deep.equal({ sent: 1, failed: 0, deferred: 0 });
    const sent = h.emu.kfSent(CITIZEN);
    expect(sent).to.have.length(1);
    expect(sent[0].msgid).to.equal(kfMsgId(r));
    expect(h.emu.apiCalls().filter((c) => c.path === '/cgi-bin/kf/send_msg').map((c) => c.errcode)).to.deep.equal([0, 95033]);
    expect(await row(r.id)).to.include({ status: 'sent', errcode: 95033 });
    expect((await row(r.id)).lastError).to.match(/earlier try/);
  });

  it('a 95033 on a first kf try is a msgid collision: failed, not counted as sent', async () => {
    await h.emu.kfCustomerSays(KF, CITIZEN, '我要投诉');
    await add({ channel: 'kf', payload: { touser: CITIZEN, open_kfid: KF, msgid: 'fixedid1', msgtype: 'text', text: { content: '一' } } });
    await dispatcher().runOnce();
    const r = await add({ channel: 'kf', payload: { touser: CITIZEN, open_kfid: KF, msgid: 'fixedid1', msgtype: 'text', text: { content: '二' } } });
    expect((await dispatcher().runOnce()).failed).to.equal(1);
    expect(await row(r.id)).to.include({ status: 'failed', errcode: 95033 });
  });

  it('after a crash, an update_template_card retry answering 60140 counts as done; on a first try 60140 fails', async () => {
    const c = await add({ channel: 'message', payload: card('alice', 'task_upd') });
    await dispatcher().runOnce();
    const code = (await row(c.id)).responseCode!;
    const u = await add({ channel: 'update_card', payload: { userids: ['alice'], response_code: code, button: { replace_name: '已受理' } } });
    expect(u.recipients).to.equal('');
    await dispatcher().runOnce();
    await crashAfterSend(u.id);
    expect((await dispatcher().runOnce()).sent).to.equal(1);
    expect(h.emu.cardUpdates()).to.have.length(1);
    expect((await row(u.id)).errcode).to.equal(60140);

    const again = await add({ channel: 'update_card', payload: { userids: ['alice'], response_code: code, button: { replace_name: 'x' } } });
    expect((await dispatcher().runOnce()).failed).to.equal(1);
    expect(await row(again.id)).to.include({ status: 'failed', errcode: 60140 });
  });

  it('two dispatchers on two DataSources send each of 50 rows exactly once', async () => {
    for (let i = 0; i < 50; i++) await add({ channel: 'message', payload: text(`user${i % 7}`, `row ${i}`) });
    const a = dispatcher(ds, { batchSize: 7 }, 'inst-a');
    const b = dispatcher(ds2, { batchSize: 7 }, 'inst-b');
    const drain = async (d: OutboxDispatcher) => {
      let n = 0;
      for (;;) {
        const r = await d.runOnce();
        n += r.sent;
        if (!r.sent && !r.failed && !r.deferred) return n;
      }
    };
    const [na, nb] = await Promise.all([drain(a), drain(b)]);
    // Which instance sends which row is up to scheduling; together they send each once.
    expect(na + nb).to.equal(50);
    expect(warnings).to.deep.equal([]);
    expect(sends()).to.have.length(50);
    const contents = h.emu.delivered().map((d) => d.payload.content);
    expect(new Set(contents).size).to.equal(50);
    expect(contents).to.have.length(50);
    expect(await ds.getRepository(OutboxMessage).countBy({ status: 'sent' })).to.equal(50);
  });

  it('45009 three times: backs off, then goes out', async () => {
    const r = await add({ channel: 'message', payload: text('alice', 'rate limited') });
    h.emu.injectError(SEND, 45009, 3);
    const d = dispatcher(ds, { backoffBaseMs: 10_000 });
    expect(await d.runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
    const waiting = await row(r.id);
    expect(waiting).to.include({ status: 'pending', errcode: 45009, attempts: 1 });
    expect(waiting.nextAttemptAt.getTime()).to.equal(h.clock.t + 20_000);
    h.clock.advance(19_000);
    expect((await d.runOnce()).sent).to.equal(0);
    h.clock.advance(1_000);
    expect((await d.runOnce()).sent).to.equal(1);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
    expect(await row(r.id)).to.include({ status: 'sent', attempts: 2 });
  });

  it('an outage keeps rows pending with their error, without counting tries, and they go out after recovery', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await add({ channel: 'message', payload: text('alice', `during outage ${i}`) })).id);
    h.emu.setOutage(true);
    const d = dispatcher();
    expect(await d.runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
    for (const id of ids) {
      const r = await row(id);
      expect(r).to.include({ status: 'pending', attempts: 0, errcode: null });
      expect(r.lastError).to.match(/unavailable/);
    }
    // Only one call reached the dead WeCom (the gettoken); the rest of the batch waited.
    expect(h.emu.apiCalls()).to.have.length(1);
    h.clock.advance(10_000);
    expect((await d.runOnce()).sent).to.equal(0);
    h.emu.setOutage(false);
    h.clock.advance(21_000);
    expect((await d.runOnce()).sent).to.equal(3);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(3);
  });

  it('60020 (IP not trusted) makes rows wait, like an outage, and never fails them', async () => {
    const r = await add({ channel: 'message', payload: text('alice', 'untrusted ip') });
    h.emu.injectError(SEND, 60020);
    const d = dispatcher();
    expect(await d.runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
    expect(await row(r.id)).to.include({ status: 'pending', errcode: 60020, attempts: 0 });
    h.clock.advance(30_000);
    expect((await d.runOnce()).sent).to.equal(1);
  });

  it('a wrong secret stops sending without failing rows or calling gettoken again', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await add({ channel: 'message', payload: text('alice', `fatal ${i}`) })).id);
    const tokens = new DbTokenProvider({ dataSource: ds, apiBase: h.base, corpId: CORP_ID, secrets: { app: 'wrong-secret-value' }, now });
    const client = new WeComClient({ apiBase: h.base, corpId: CORP_ID, agentId: AGENT_ID, tokens });
    const d = dispatcher(ds, { client });
    for (let i = 0; i < 3; i++) {
      expect(await d.runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
      h.clock.advance(6 * 60_000);
    }
    for (const id of ids) expect(await row(id)).to.include({ status: 'pending', errcode: 40001, attempts: 0 });
    expect(h.emu.apiCalls().filter((c) => c.path === '/cgi-bin/gettoken')).to.have.length(1);
    expect(sends()).to.have.length(0);
    expect(counts.failed).to.deep.equal([]);
  });

  it('refuses a payload the dispatcher could never send, inside the domain transaction', async () => {
    for (const [channel, payload] of [
      ['message', { msgtype: 'text', text: { content: 'to nobody' } }],
      ['update_card', { userids: ['alice'] }],
      ['robot', { message: { msgtype: 'text', text: { content: 'x' } } }],
      ['kf', { touser: CITIZEN, msgtype: 'text' }],
    ] as const) {
      let err: unknown;
      try {
        await add({ channel, payload });
      } catch (e) {
        err = e;
      }
      expect((err as { code?: string }).code, channel).to.equal('validation_failed');
    }
    expect(await ds.getRepository(OutboxMessage).count()).to.equal(0);
  });

  it('81013 (no valid recipient) fails the row at once with its errcode', async () => {
    await h.close();
    h = await startEmulator({ callbackUrl: receiver.url }); // a closed directory: alice, bob, carol
    const r = await add({ channel: 'message', payload: text('ghost', 'nobody') });
    expect(await dispatcher().runOnce()).to.deep.equal({ sent: 0, failed: 1, deferred: 0 });
    const failed = await row(r.id);
    expect(failed).to.include({ status: 'failed', errcode: 81013 });
    expect(failed.lastError).to.match(/81013/);
    expect(counts.failed).to.deep.equal(['message']);
    expect((await dispatcher().runOnce()).failed).to.equal(0);
  });

  it('paces 40 messages to one member: 30 now, 10 deferred (never dropped) and sent after the minute', async () => {
    for (let i = 0; i < 40; i++) await add({ channel: 'message', payload: text('alice', `notice ${i}`) });
    const d = dispatcher(ds, { batchSize: 50 });
    expect(await d.runOnce()).to.deep.equal({ sent: 30, failed: 0, deferred: 10 });
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(30);
    expect(h.emu.dropped()).to.have.length(0);
    h.clock.advance(30_000);
    expect(await d.runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
    h.clock.advance(32_000);
    expect(await d.runOnce()).to.deep.equal({ sent: 10, failed: 0, deferred: 0 });
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(40);
    expect(h.emu.dropped()).to.have.length(0);
    const rows = await ds.getRepository(OutboxMessage).find();
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).to.equal(true);
  });

  it('sends to an app group chat and to a robot named in the configuration', async () => {
    await h.close();
    h = await startEmulator({ callbackUrl: receiver.url, members: undefined, appchats: [{ chatid: 'office01', userlist: ['alice', 'bob'] }] });
    await add({ channel: 'appchat', payload: { chatid: 'office01', msgtype: 'markdown', markdown: { content: '**逾期** 1 件' } } });
    await add({ channel: 'robot', payload: { webhook: 'office', message: { msgtype: 'text', text: { content: '逾期提醒' } } } });
    const d = dispatcher(ds, { robots: { office: `${h.base}/cgi-bin/webhook/send?key=${ROBOT}` } });
    expect((await d.runOnce()).sent).to.equal(2);
    expect(h.emu.appchatMessages('office01')).to.have.length(1);
    expect(h.emu.robotMessages(ROBOT)).to.have.length(1);
    const rows = await ds.getRepository(OutboxMessage).find();
    expect(JSON.stringify(rows)).not.to.contain(ROBOT);
  });

  it('calls onSent once, in the transaction that marks the row sent; a failing hook does not cause a resend', async () => {
    const seen: Array<{ id: number; code: unknown; active: boolean }> = [];
    const r = await add({ channel: 'message', payload: card('alice', 'task_hook') });
    const d = dispatcher(ds, {
      onSent: async (sent, result, m) => {
        seen.push({ id: sent.id, code: result.response_code, active: m.queryRunner?.isTransactionActive ?? false });
        await enqueue(m, { channel: 'message', payload: text('bob', 'follow-up'), dedupeKey: `follow:${sent.id}`, now: now() });
      },
    });
    await d.runOnce();
    expect(seen).to.deep.equal([{ id: r.id, code: (await row(r.id)).responseCode, active: true }]);
    expect(await ds.getRepository(OutboxMessage).countBy({ dedupeKey: `follow:${r.id}` })).to.equal(1);

    const bad = await add({ channel: 'message', payload: text('carol', 'hook fails') });
    const d2 = dispatcher(ds, {
      onSent: async (_sent, _result, m) => {
        await enqueue(m, { channel: 'message', payload: text('bob', 'rolled back'), dedupeKey: 'rolled-back', now: now() });
        throw new Error('domain bug');
      },
    });
    expect((await d2.runOnce()).sent).to.be.at.least(1);
    const done = await row(bad.id);
    expect(done.status).to.equal('sent');
    expect(done.lastError).to.match(/onSent failed: domain bug/);
    expect(await ds.getRepository(OutboxMessage).countBy({ dedupeKey: 'rolled-back' })).to.equal(0);
    await d2.runOnce();
    expect(h.emu.delivered({ touser: 'carol' })).to.have.length(1);
  });

  it('notBefore delays a row; stop() finishes the send in flight and releases the rest of the batch', async () => {
    await add({ channel: 'message', payload: text('alice', 'later'), notBefore: new Date(h.clock.t + 60_000) });
    for (let i = 0; i < 6; i++) await add({ channel: 'message', payload: text('bob', `batch ${i}`) });
    let started!: () => void;
    const firstSend = new Promise<void>((r) => (started = r));
    // Sends reach WeCom 50 ms after they leave: stop() comes while the first is on its way.
    const slow = await slowProxy(h.base, 50, () => started());
    const tokens = new DbTokenProvider({ dataSource: ds, apiBase: h.base, corpId: CORP_ID, secrets: { app: SECRET }, now });
    await tokens.getToken('app');
    const client = new WeComClient({ apiBase: slow.url, corpId: CORP_ID, agentId: AGENT_ID, tokens });
    const d = new OutboxDispatcher({ dataSource: ds, client, pacer: new Pacer({ dataSource: ds, now }), instanceId: 'stopper', now, batchSize: 10 });
    d.start(10);
    await firstSend;
    await d.stop();
    await slow.close();
    const rows = await ds.getRepository(OutboxMessage).find();
    expect(rows.filter((r) => r.status === 'sending')).to.have.length(0);
    const sent = rows.filter((r) => r.status === 'sent');
    expect(sent).to.have.length(1);
    expect(rows.filter((r) => r.status === 'pending' && r.claimedUntil === null && r.attempts === 0)).to.have.length(6);
    expect(h.emu.delivered()).to.have.length(1);

    const rest = dispatcher();
    expect((await rest.runOnce()).sent).to.equal(5);
    h.clock.advance(60_000);
    expect((await rest.runOnce()).sent).to.equal(1);
    expect(h.emu.delivered()).to.have.length(7);
  });

  describe('answers WeCom does not document (WECOM.md sections 3 and 4): each one is handled', () => {
    for (const mode of ['replay', 'no_response_code', '42014'] as const) {
      it(`a card resent after a crash inside the duplicate window is delivered once when the duplicate answer is ${mode}`, async () => {
        h.emu.duplicateAnswer = mode;
        const r = await add({ channel: 'message', payload: card('alice', `task_dup_${mode}`) });
        await dispatcher().runOnce();
        const first = await row(r.id);
        await crashAfterSend(r.id);
        h.clock.advance(60_000);
        expect(await dispatcher().runOnce()).to.deep.equal({ sent: 1, failed: 0, deferred: 0 });
        expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
        const done = await row(r.id);
        expect(done.status).to.equal('sent');
        if (mode === 'replay') expect(done.responseCode).to.equal(first.responseCode);
        if (mode === 'no_response_code') expect(done).to.include({ responseCode: null, errcode: null });
        if (mode === '42014') expect(done).to.include({ errcode: 42014, responseCode: null });
      });
    }

    it('an update retried after a crash is done on 60140, and fails visibly at once (no ten retries) if a used code answers something else', async () => {
      const send = async (taskId: string) => {
        const c = await add({ channel: 'message', payload: card('alice', taskId) });
        await dispatcher().runOnce();
        return (await row(c.id)).responseCode!;
      };
      const update = async (code: string) => {
        const u = await add({ channel: 'update_card', payload: { userids: ['alice'], response_code: code, button: { replace_name: '已受理' } } });
        await dispatcher().runOnce();
        await crashAfterSend(u.id);
        await dispatcher().runOnce();
        return row(u.id);
      };
      expect(await update(await send('task_rc_a'))).to.include({ status: 'sent', errcode: 60140 });
      h.emu.usedResponseCodeErrcode = 40058;
      const other = await update(await send('task_rc_b'));
      expect(other).to.include({ status: 'failed', errcode: 40058, attempts: 2 });
      // the card was greyed by the first try all the same
      expect(h.emu.cardState('alice', 'task_rc_b')!.replace_name).to.equal('已受理');
    });

    it('a send to a member without a licence records unlicenseduser from the answer (DOC 90236)', async () => {
      h.emu.addMember('nolicence', 'No Licence', false);
      const r = await add({ channel: 'message', payload: text('alice|nolicence', '通知') });
      await dispatcher().runOnce();
      const done = await row(r.id);
      expect(done.status).to.equal('sent');
      expect(JSON.parse(done.response!)).to.include({ unlicenseduser: 'nolicence' });
      expect(h.emu.delivered({ touser: 'nolicence' })).to.have.length(0);
    });

    it('a kf reply to a session a human servicer holds answers 95018 and fails at once (DOC 94669)', async () => {
      await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
      await h.emu.kfSetSessionState(KF, CITIZEN, 3, { servicer: 'kefu' });
      const r = await add({ channel: 'kf', payload: { touser: CITIZEN, open_kfid: KF, msgtype: 'text', text: { content: '已收到' } } });
      expect((await dispatcher().runOnce()).failed).to.equal(1);
      expect(await row(r.id)).to.include({ status: 'failed', errcode: 95018, attempts: 1 });
    });
  });
});
