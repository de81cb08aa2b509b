/**
 * Callbacks kept through a database outage, under WeCom's newer retry rule (DOC 90930:
 * only connection failures and time-outs are retried, a 5xx is final, events may be
 * dropped). The emulator runs in that mode; the outage is the inbox insert failing.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import http from 'http';
import { AddressInfo } from 'net';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { WeComEmulator } from '../../src/sandbox';
import { createApp } from '../../src/http/app';
import { callbackRouter } from '../../src/http/callback-router';
import { CallbackDispatcher, CardEvent, TextMessage } from '../../src/wecom/dispatcher';
import { Inbox, senderKeyOf } from '../../src/wecom/inbox';
import { CallbackSpool } from '../../src/wecom/spool';
import { Metrics } from '../../src/metrics';
import { silentLogger } from '../../src/logger';
import { InboxEvent } from '../../entities';
import { clearTables, testDataSource } from '../helpers/db';
import { freshWeComKeys } from '../helpers/keys';

describe('wecom: the callback spool (a database outage loses nothing)', () => {
  let ds: DataSource;
  let server: http.Server;
  let emu: WeComEmulator;
  let inbox: Inbox;
  let spool: CallbackSpool;
  let dir: string;
  let metrics: Metrics;
  let failing = false;
  const keys = freshWeComKeys();
  const texts: string[] = [];
  const clicks: CardEvent[] = [];

  const down = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
  const newSpool = (over: { maxBytes?: number; dir?: string } = {}) =>
    new CallbackSpool({
      dir: over.dir ?? dir,
      instanceId: 'spool-test-1',
      maxBytes: over.maxBytes ?? 1024 * 1024,
      log: silentLogger,
      sink: {
        accept: (cb) => inbox.accept(cb),
        accepted: (id, cb) => inbox.schedule(id, senderKeyOf(cb.fields, id)),
        probe: async () => {
          if (failing) throw down();
        },
      },
    });

  async function serve(s: CallbackSpool | undefined): Promise<void> {
    if (server) await new Promise((r) => server.close(r));
    const app = createApp({
      dataSource: ds,
      log: silentLogger,
      metrics,
      publicRouters: [callbackRouter({ keys: () => ({ token: keys.token, aesKey: keys.aesKey, corpId: keys.corpId, agentId: keys.agentId }), inbox, metrics, log: silentLogger, accepting: () => true, spool: s })],
      apiRouters: [],
      ready: async () => undefined,
    });
    server = http.createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    emu.setCallbackUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`);
  }

  before(async () => {
    ds = await testDataSource();
    const dispatcher = new CallbackDispatcher();
    dispatcher.onText(async (m: TextMessage) => {
      texts.push(m.content);
      return 'handled';
    });
    dispatcher.onCardAction('verif_accept', async (e) => void clicks.push(e));
    metrics = new Metrics();
    const real = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, metrics, instanceId: 'spool-t' });
    const accept = real.accept.bind(real);
    // The outage: the inbox insert fails as it does while MariaDB restarts.
    real.accept = async (cb) => {
      if (failing) throw down();
      return accept(cb);
    };
    inbox = real;
    emu = new WeComEmulator({ corpId: keys.corpId, agentId: keys.agentId, secret: keys.secret, token: keys.token, encodingAESKey: keys.aesKey, callbackRetry: 'network_only' });
    base = await emu.listen(0);
  });
  after(async () => {
    await emu.close();
    await new Promise((r) => server.close(r));
  });
  beforeEach(async () => {
    await inbox.drain();
    await clearTables(ds);
    texts.length = 0;
    clicks.length = 0;
    failing = false;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-spool-test-'));
    spool = newSpool();
    await serve(spool);
  });
  afterEach(async () => {
    await spool.stop();
  });

  const sendCard = async (userid: string, taskId: string) => {
    const t = (await (await fetch(`${emuBase()}/cgi-bin/gettoken?corpid=${keys.corpId}&corpsecret=${keys.secret}`)).json()) as { access_token: string };
    const r = await fetch(`${emuBase()}/cgi-bin/message/send?access_token=${t.access_token}`, {
      method: 'POST',
      body: JSON.stringify({
        touser: userid,
        msgtype: 'template_card',
        agentid: keys.agentId,
        template_card: { card_type: 'button_interaction', main_title: { title: '协查' }, task_id: taskId, button_list: [{ text: '受理', key: `verif_accept:${taskId}` }] },
      }),
    });
    expect(((await r.json()) as { errcode: number }).errcode).to.equal(0);
  };
  let base = '';
  const emuBase = () => base;

  it('40 card clicks during an outage are all answered 200 once, kept, and processed when the database is back (DOC 90930)', async () => {
    for (let i = 0; i < 40; i++) await sendCard(`user${i}`, `task_${i}`);
    failing = true;
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await emu.clickButton(`user${i}`, `task_${i}`, `verif_accept:task_${i}`));
    // The newer rule: one try each, never a 5xx.
    expect(answers.map((a) => [a.status, a.attempts])).to.deep.equal(answers.map(() => [200, 1]));
    expect(await ds.getRepository(InboxEvent).count()).to.equal(0);
    expect(spool.pendingBytes).to.be.greaterThan(0);
    failing = false;
    // The next callback drains the spool first, so the backlog keeps its place in line.
    expect((await emu.sendText('user0', '恢复之后')).status).to.equal(200);
    await inbox.drain();
    expect(clicks.map((c) => c.taskId).sort()).to.deep.equal(Array.from({ length: 40 }, (_, i) => `task_${i}`).sort());
    expect(texts).to.deep.equal(['恢复之后']);
    expect(await ds.getRepository(InboxEvent).count()).to.equal(41);
    const ids = (await ds.getRepository(InboxEvent).find({ order: { id: 'ASC' } })).map((r) => r.kind);
    expect(ids[40]).to.equal('text');
    expect(spool.hasPending()).to.equal(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.spool') || f.endsWith('.replay'))).to.deep.equal([]);
  });

  it('replays exactly once: a line replayed twice (a crash mid-replay) lands once by its dedupe key', async () => {
    failing = true;
    await emu.sendText('zhangsan', '只处理一次');
    failing = false;
    // A second copy of the same file, as a crash between accept and delete would leave it.
    const [file] = fs.readdirSync(dir).filter((f) => f.endsWith('.spool'));
    fs.copyFileSync(path.join(dir, file), path.join(dir, 'spool-test-1.0000-copy.replay'));
    await spool.stop();
    spool = newSpool();
    expect(await spool.drain()).to.equal(true);
    await inbox.drain();
    expect(texts).to.deep.equal(['只处理一次']);
    expect(await ds.getRepository(InboxEvent).count()).to.equal(1);
  });

  it('survives a restart: a new process replays what the old one kept, skipping a torn last line', async () => {
    failing = true;
    await emu.sendText('lisi', '重启前');
    await spool.stop();
    const [file] = fs.readdirSync(dir).filter((f) => f.endsWith('.spool'));
    fs.appendFileSync(path.join(dir, file), '{"dedupeKey":"x","kind":"te'); // a write cut short by the crash
    failing = false;
    spool = newSpool();
    await serve(spool);
    spool.start(10);
    await emu.waitFor(() => !spool.hasPending() && texts.length === 1);
    await inbox.drain();
    expect(texts).to.deep.equal(['重启前']);
  });

  it('answers 5xx only when the spool cannot keep the callback: full, or unwritable', async () => {
    failing = true;
    await spool.stop();
    spool = newSpool({ maxBytes: 600 });
    await serve(spool);
    const first = await emu.sendText('wangwu', 'a'.repeat(10));
    expect(first.status).to.equal(200);
    const full = await emu.sendText('wangwu', 'b'.repeat(400));
    expect(full.status).to.equal(503);
    expect(full.attempts).to.equal(1);

    await spool.stop();
    const notADir = path.join(dir, 'plain-file');
    fs.writeFileSync(notADir, 'x');
    spool = newSpool({ dir: notADir });
    await serve(spool);
    expect((await emu.sendText('wangwu', '写不进')).status).to.equal(503);
    failing = false;
  });

  it('without a spool, an outage answers 5xx: under the newer rule that callback would be lost', async () => {
    await serve(undefined);
    failing = true;
    const r = await emu.sendText('zhaoliu', '丢失');
    failing = false;
    expect([r.status, r.attempts]).to.deep.equal([500, 1]);
    expect(await ds.getRepository(InboxEvent).count()).to.equal(0);
  });

  it('the emulator retries a callback on a network error only, three tries in all (DOC 90930)', async () => {
    await serve(spool);
    const url = emu.callbacks().length;
    emu.setCallbackUrl('http://127.0.0.1:1/wecom/callback');
    const r = await emu.sendText('zhangsan', 'x');
    expect([r.status, r.attempts]).to.deep.equal([0, 3]);
    expect(emu.callbacks().slice(url).map((c) => c.attempt)).to.deep.equal([1, 2, 3]);
    emu.dropCallbacks(1);
    await serve(spool);
    const dropped = await emu.sendText('zhangsan', 'y');
    expect(dropped.dropped).to.equal(true);
    await inbox.drain();
    expect(texts).to.deep.equal([]);
  });
});
