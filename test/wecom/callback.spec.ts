import http from 'http';
import { AddressInfo } from 'net';
import { expect } from 'chai';
import { encrypt, getSignature } from '@wecom/crypto';
import { DataSource } from 'typeorm';
import { WeComEmulator } from '../../src/sandbox';
import { createApp } from '../../src/http/app';
import { callbackRouter } from '../../src/http/callback-router';
import { CallbackDispatcher, TextMessage } from '../../src/wecom/dispatcher';
import { Inbox } from '../../src/wecom/inbox';
import { Metrics } from '../../src/metrics';
import { silentLogger } from '../../src/logger';
import { InboxEvent } from '../../entities';
import { clearTables, testDataSource } from '../helpers/db';
import { freshWeComKeys } from '../helpers/keys';
import { errorCode } from '../helpers/http';

describe('WeCom callback receiver', () => {
  let ds: DataSource;
  let server: http.Server;
  let url: string;
  let emu: WeComEmulator;
  let inbox: Inbox;
  let metrics: Metrics;
  const keys = freshWeComKeys();
  const seen: TextMessage[] = [];
  let failNext = 0;

  before(async () => {
    ds = await testDataSource();
    const dispatcher = new CallbackDispatcher();
    dispatcher.onText(async (m) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('handler failure');
      }
      seen.push(m);
      return 'handled';
    });
    metrics = new Metrics();
    inbox = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, metrics, instanceId: 't1' });
    const cbKeys = { token: keys.token, aesKey: keys.aesKey, corpId: keys.corpId, agentId: keys.agentId };
    const app = createApp({
      dataSource: ds,
      log: silentLogger,
      metrics,
      publicRouters: [callbackRouter({ keys: () => cbKeys, inbox, metrics, log: silentLogger, accepting: () => true })],
      apiRouters: [],
      ready: async () => undefined,
    });
    server = http.createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emu = new WeComEmulator({ corpId: keys.corpId, agentId: keys.agentId, secret: keys.secret, token: keys.token, encodingAESKey: keys.aesKey, callbackUrl: `${url}/wecom/callback` });
    await emu.listen(0);
  });
  after(async () => {
    await emu.close();
    await new Promise((r) => server.close(r));
  });
  beforeEach(async () => {
    await inbox.drain();
    await clearTables(ds);
    seen.length = 0;
    failNext = 0;
  });

  const nowTs = () => String(Math.floor(Date.now() / 1000));
  const inboxCount = () => ds.getRepository(InboxEvent).count();
  const post = (query: Record<string, string>, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${url}/wecom/callback?${new URLSearchParams(query)}`, { method: 'POST', body, headers: { 'content-type': 'text/xml', ...headers } });
  const textXml = (content: string, msgId = String(Date.now()) + '123') =>
    `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${nowTs()}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>${keys.agentId}</AgentID></xml>`;

  it('answers URL verification with the bare decrypted echostr', async () => {
    const res = await emu.verifyUrl('echo-12345');
    expect(res.status).to.equal(200);
    expect(res.body).to.equal('echo-12345');
  });

  it('refuses URL verification with a forged signature', async () => {
    const echostr = encrypt(keys.aesKey, 'hello', keys.corpId);
    const res = await fetch(`${url}/wecom/callback?${new URLSearchParams({ msg_signature: 'f'.repeat(40), timestamp: '1', nonce: 'n', echostr })}`);
    expect(res.status).to.equal(401);
    expect(await errorCode(res)).to.equal('wecom_signature_invalid');
  });

  it('stores a valid text callback, answers 200 with an empty body, then processes it once', async () => {
    const res = await emu.sendText('zhangsan', '你好');
    expect(res.status).to.equal(200);
    expect(res.body).to.equal('');
    await inbox.drain();
    expect(seen.map((m) => m.content)).to.deep.equal(['你好']);
    const row = await ds.getRepository(InboxEvent).findOneByOrFail({ kind: 'text' });
    expect(row.status).to.equal('done');
  });

  it('treats a replayed callback (same bytes) as a duplicate: 200, processed once', async () => {
    const built = emu.buildCallback(textXml('一次', '7281934000000000001'));
    const a = await post(built.query, built.body);
    const b = await post(built.query, built.body);
    expect([a.status, b.status]).to.deep.equal([200, 200]);
    await inbox.drain();
    expect(seen).to.have.length(1);
    expect(await inboxCount()).to.equal(1);
    // 64-bit MsgId kept exact as a string
    expect(seen[0].msgId).to.equal('7281934000000000001');
  });

  const refusals: Array<[string, () => { query: Record<string, string>; body: string | Buffer }, number, string]> = [
    ['a forged signature', () => { const b = emu.buildCallback(textXml('x')); return { query: { ...b.query, msg_signature: 'a'.repeat(40) }, body: b.body }; }, 401, 'wecom_signature_invalid'],
    ['a missing signature', () => { const b = emu.buildCallback(textXml('x')); return { query: { timestamp: b.query.timestamp, nonce: b.query.nonce }, body: b.body }; }, 401, 'wecom_signature_invalid'],
    ['a wrong CorpID inside a valid ciphertext', () => emu.buildCallback(textXml('x'), { receiveId: 'wwSomeoneElse' }), 403, 'wecom_corp_mismatch'],
    ['a callback for another AgentID', () => emu.buildCallback(textXml('x').replace(`<AgentID>${keys.agentId}</AgentID>`, '<AgentID>999</AgentID>')), 403, 'wecom_agent_mismatch'],
    ['a truncated Encrypt', () => {
      const enc = encrypt(keys.aesKey, textXml('x'), keys.corpId).slice(0, 40);
      const q = { msg_signature: getSignature(keys.token, nowTs(), 'n', enc), timestamp: nowTs(), nonce: 'n' };
      return { query: q, body: `<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>` };
    }, 400, 'wecom_decrypt_failed'],
    ['a non-base64 Encrypt', () => {
      const enc = '!!!not-base64***';
      const q = { msg_signature: getSignature(keys.token, nowTs(), 'n', enc), timestamp: nowTs(), nonce: 'n' };
      return { query: q, body: `<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>` };
    }, 400, 'wecom_decrypt_failed'],
    ['malformed outer XML', () => ({ query: { msg_signature: 'x', timestamp: '1', nonce: 'n' }, body: '<xml><Encrypt>abc</Encrypt' }), 400, 'wecom_xml_invalid'],
    ['malformed inner XML', () => emu.buildCallback('<xml><MsgType>text</MsgType><Content>oops</xml>'), 400, 'wecom_xml_invalid'],
    ['an outer DOCTYPE with entities', () => ({ query: { msg_signature: 'x', timestamp: '1', nonce: 'n' }, body: '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>' }), 400, 'wecom_xml_invalid'],
    ['an inner DOCTYPE (XXE) inside a valid ciphertext', () => emu.buildCallback('<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><MsgType>text</MsgType><Content>&xxe;</Content></xml>'), 400, 'wecom_xml_invalid'],
    ['an empty body', () => ({ query: { msg_signature: 'x', timestamp: '1', nonce: 'n' }, body: '' }), 400, 'wecom_body_empty'],
    ['an oversized body', () => ({ query: { msg_signature: 'x', timestamp: '1', nonce: 'n' }, body: `<xml><Encrypt>${'A'.repeat(300 * 1024)}</Encrypt></xml>` }), 413, 'wecom_body_too_large'],
  ];
  for (const [name, make, status, code] of refusals) {
    it(`refuses ${name} with ${status} ${code}, stores nothing, keeps serving`, async () => {
      const { query, body } = make();
      const res = await post(query, body);
      expect(res.status).to.equal(status);
      expect(await errorCode(res)).to.equal(code);
      expect(await inboxCount()).to.equal(0);
      const ok = await emu.sendText('lisi', '仍在服务');
      expect(ok.status).to.equal(200);
      await inbox.drain();
      expect(seen.map((m) => m.content)).to.deep.equal(['仍在服务']);
    });
  }

  it('keeps a callback whose handler failed and processes it on recovery (nothing answered is lost)', async () => {
    failNext = 1;
    const res = await emu.sendText('wangwu', '重要消息');
    expect(res.status).to.equal(200);
    await inbox.drain();
    expect(seen).to.have.length(0);
    const row = await ds.getRepository(InboxEvent).findOneByOrFail({ kind: 'text' });
    expect(row.status).to.equal('received');
    expect(row.lastError).to.match(/handler failure/);
    expect(await inbox.recover(0)).to.equal(1);
    expect(seen.map((m) => m.content)).to.deep.equal(['重要消息']);
  });

  it('answers 5xx (so WeCom retries) when the database is down, and accepts the retry once it is back', async () => {
    const built = emu.buildCallback(textXml('数据库重启期间', '7281934000000000077'));
    const original = inbox.accept.bind(inbox);
    (inbox as unknown as { accept: Inbox['accept'] }).accept = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    };
    try {
      const down = await post(built.query, built.body);
      expect(down.status).to.equal(500);
    } finally {
      (inbox as unknown as { accept: Inbox['accept'] }).accept = original;
    }
    const retry = await post(built.query, built.body);
    expect(retry.status).to.equal(200);
    await inbox.drain();
    expect(seen.map((m) => m.content)).to.deep.equal(['数据库重启期间']);
  });

  it('ignores an unknown card key without failing the callback', async () => {
    const xml = `<xml><ToUserName>${keys.corpId}</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>${nowTs()}</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><EventKey>no_such_action:1</EventKey><TaskId>t1</TaskId><CardType>button_interaction</CardType><ResponseCode>rc1</ResponseCode><AgentID>${keys.agentId}</AgentID></xml>`;
    const b = emu.buildCallback(xml);
    const res = await post(b.query, b.body);
    expect(res.status).to.equal(200);
    await inbox.drain();
    const row = await ds.getRepository(InboxEvent).findOneByOrFail({ kind: 'template_card_event' });
    expect(row.status).to.equal('done');
    const m = await metrics.registry.getSingleMetricAsString('nocert_callbacks_total');
    expect(m).to.match(/type="template_card_event",outcome="ignored"} 1/);
  });
});
