/**
 * Group commit of the inbox: callbacks answered together are stored by one multi-row
 * INSERT, and each 200 waits for its batch's commit. Dedupe and failure answers are those
 * of one row at a time.
 */
import http from 'http';
import { AddressInfo } from 'net';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { WeComEmulator } from '../../src/sandbox';
import { createApp } from '../../src/http/app';
import { callbackRouter } from '../../src/http/callback-router';
import { CallbackDispatcher, TextMessage } from '../../src/wecom/dispatcher';
import { Inbox } from '../../src/wecom/inbox';
import { dedupeKeyOf, OpenedCallback } from '../../src/wecom/callback';
import { isSqlite } from '../../src/db/tx';
import { Metrics } from '../../src/metrics';
import { silentLogger } from '../../src/logger';
import { InboxEvent } from '../../entities';
import { clearTables, testDataSource } from '../helpers/db';
import { freshWeComKeys } from '../helpers/keys';

describe('wecom: group commit of callbacks', () => {
  let ds: DataSource;
  let server: http.Server;
  let emu: WeComEmulator;
  let inbox: Inbox;
  let url = '';
  const keys = freshWeComKeys();
  const texts: string[] = [];
  let seq = 0;

  before(async () => {
    ds = await testDataSource();
    const dispatcher = new CallbackDispatcher();
    dispatcher.onText(async (m: TextMessage) => {
      texts.push(m.content);
      return 'handled';
    });
    inbox = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 'gc-test' });
    emu = new WeComEmulator({ corpId: keys.corpId, agentId: keys.agentId, secret: keys.secret, token: keys.token, encodingAESKey: keys.aesKey });
    await emu.listen(0);
    const metrics = new Metrics();
    // No spool: a callback the inbox cannot keep is answered 5xx, so WeCom sends it again.
    const app = createApp({
      dataSource: ds,
      log: silentLogger,
      metrics,
      publicRouters: [callbackRouter({ keys: () => ({ token: keys.token, aesKey: keys.aesKey, corpId: keys.corpId, agentId: keys.agentId }), inbox, metrics, log: silentLogger, accepting: () => true })],
      apiRouters: [],
      ready: async () => undefined,
    });
    server = http.createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
  });
  after(async () => {
    await inbox.stop();
    await emu.close();
    await new Promise((r) => server.close(r));
  });
  beforeEach(async () => {
    await inbox.drain();
    await clearTables(ds);
    texts.length = 0;
  });

  /** A signed, encrypted text callback as WeCom sends it; its MsgId is unique in the run. */
  const textCallback = (from: string, content: string) => {
    const msgId = String(8_100_000_000_000_000_000n + BigInt(Date.now()) * 1000n + BigInt(seq++));
    const xml = `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>${keys.agentId}</AgentID></xml>`;
    return { ...emu.buildCallback(xml), key: dedupeKeyOf({ MsgId: msgId }) };
  };
  const post = async (cb: { query: Record<string, string>; body: string }) => {
    const u = new URL(url);
    for (const [k, v] of Object.entries(cb.query)) u.searchParams.set(k, v);
    const r = await fetch(u, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: cb.body });
    return r.status;
  };
  const storedWith = async (key: string) => ds.getRepository(InboxEvent).countBy({ dedupeKey: key });
  const opened = (n: number, content = `m${n}`): OpenedCallback => ({
    fields: { MsgType: 'text', FromUserName: `u${n % 3}`, Content: content, MsgId: String(7000 + n), CreateTime: String(Math.floor(Date.now() / 1000)) },
    kind: 'text',
    dedupeKey: `gc-${n}`,
  });

  it('60 concurrent callbacks, 10 of them sent twice: every 200 finds its row already stored, each once, each processed once', async () => {
    const cbs = Array.from({ length: 50 }, (_, i) => textCallback(`member${i % 7}`, `第${i}条`));
    const sends = [...cbs, ...cbs.slice(0, 10)];
    // Each answer is checked at once: a 200 is only sent after the batch committed.
    const checked = await Promise.all(sends.map(async (cb) => ({ status: await post(cb), stored: await storedWith(cb.key) })));
    expect(checked.map((c) => c.status)).to.deep.equal(sends.map(() => 200));
    expect(checked.map((c) => c.stored)).to.deep.equal(sends.map(() => 1));
    expect(await ds.getRepository(InboxEvent).count()).to.equal(50);
    await inbox.drain();
    // A row whose processing hit a transient error (a lock wait on a loaded machine) stays
    // 'received' for the recovery pass, as designed: run it now rather than in 5 s.
    await inbox.recoverAll(0);
    expect([...texts].sort()).to.deep.equal(cbs.map((_, i) => `第${i}条`).sort());
    expect((await ds.getRepository(InboxEvent).find()).map((r) => r.status)).to.deep.equal(cbs.map(() => 'done'));
  });

  it('callbacks submitted together share one INSERT; copies within the batch and rows stored before are duplicates', async () => {
    const before = await inbox.accept(opened(1));
    const batches = inbox.writes.stats.batches;
    const all = [opened(1), opened(2), opened(3), opened(2), opened(4), opened(3), opened(5)];
    const out = await Promise.all(all.map((cb) => inbox.accept(cb)));
    expect(inbox.writes.stats.batches - batches).to.equal(1);
    expect(out.map((o) => o.duplicate)).to.deep.equal([true, false, false, true, false, true, false]);
    expect(out[0].id).to.equal(before.id);
    expect(out[3].id).to.equal(out[1].id);
    expect(out[5].id).to.equal(out[2].id);
    const rows = await ds.getRepository(InboxEvent).find({ order: { id: 'ASC' } });
    expect(rows.map((r) => r.dedupeKey)).to.deep.equal(['gc-1', 'gc-2', 'gc-3', 'gc-4', 'gc-5']);
    expect(rows.map((r) => r.id)).to.deep.equal([before.id, out[1].id, out[2].id, out[4].id, out[6].id]);
  });

  it('a batch the database refuses gets no 200; sent again, every callback is stored once and processed once', async () => {
    const rename = (from: string, to: string) => ds.query(`ALTER TABLE ${ds.driver.escape(from)} RENAME TO ${ds.driver.escape(to)}`);
    const cbs = Array.from({ length: 12 }, (_, i) => textCallback(`member${i % 4}`, `重试${i}`));
    await rename('wecom_inbox', 'wecom_inbox_away');
    let statuses: number[];
    try {
      statuses = await Promise.all(cbs.map(post));
    } finally {
      await rename('wecom_inbox_away', 'wecom_inbox');
    }
    expect(statuses.filter((s) => s === 200)).to.deep.equal([]);
    expect(await ds.getRepository(InboxEvent).count()).to.equal(0);
    // WeCom's retry of the same bodies.
    expect(await Promise.all(cbs.map(post))).to.deep.equal(cbs.map(() => 200));
    expect(await Promise.all(cbs.map((c) => storedWith(c.key)))).to.deep.equal(cbs.map(() => 1));
    await inbox.drain();
    expect([...texts].sort()).to.deep.equal(cbs.map((_, i) => `重试${i}`).sort());
  });

  it('one row the database refuses (a payload too long for its column) fails alone; the rest of its batch is stored', async function () {
    if (isSqlite(ds)) this.skip(); // SQLite stores any length of TEXT
    const batches = inbox.writes.stats.batches + inbox.writes.stats.failedBatches;
    const all = [opened(1), opened(2), opened(3, 'x'.repeat(70_000)), opened(4)];
    const out = await Promise.allSettled(all.map((cb) => inbox.accept(cb)));
    expect(inbox.writes.stats.batches + inbox.writes.stats.failedBatches - batches).to.equal(1);
    expect(out.map((o) => o.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const rows = await ds.getRepository(InboxEvent).find({ order: { id: 'ASC' } });
    expect(rows.map((r) => r.dedupeKey)).to.deep.equal(['gc-1', 'gc-2', 'gc-4']);
  });
});
