import { expect } from 'chai';
import { startHarness, Harness } from '../helpers/system';
import { InboxEvent, OutboxMessage } from '../../entities';
import { ASSISTANT } from '../../src/assistant/messages';

describe('the whole server over the WeCom emulator', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ members: [{ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: '李四' }] });
  });
  after(async () => h.close());
  beforeEach(async () => h.reset());

  it('answers /healthz, /readyz (migrations applied) and /metrics', async () => {
    expect((await fetch(`${h.sys.url}/healthz`)).status).to.equal(200);
    const ready = await fetch(`${h.sys.url}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: 'ready' });
    await h.emu.sendText('zhangsan', '你好');
    await h.sys.settle();
    const text = await (await fetch(`${h.sys.url}/metrics`)).text();
    expect(text).to.match(/nocert_callbacks_total\{type="text",outcome="accepted"\} 1/);
    expect(text).to.match(/nocert_callbacks_total\{type="text",outcome="handled"\} 1/);
    expect(text).to.match(/nocert_outbox_depth 0/);
    expect(text).to.match(/nocert_http_request_duration_seconds_bucket\{.*route="\/wecom\/callback"/);
  });

  it('replies to a member through the outbox and WeCom: callback -> inbox -> handler -> outbox -> message/send', async () => {
    const res = await h.emu.sendText('zhangsan', '怎么用？');
    expect(res.status).to.equal(200);
    await h.sys.settle();
    const got = h.emu.delivered({ touser: 'zhangsan' }).filter((d) => d.msgtype === 'text');
    expect(got.map((d) => d.payload.content)).to.include(ASSISTANT.help);
    const row = await h.sys.dataSource.getRepository(OutboxMessage).findOneByOrFail({ refType: 'assistant' });
    expect(row.status).to.equal('sent');
    expect(row.msgid).to.be.a('string').and.not.equal('');
  });

  it('counts WeCom errors by errcode in /metrics and still delivers after the backoff', async () => {
    h.emu.injectError('/cgi-bin/message/send', 45009, 1);
    await h.emu.sendText('zhangsan', '限流时的消息');
    await h.sys.settle();
    h.clock.advance(5 * 60_000);
    await h.sys.settle();
    const text = await (await fetch(`${h.sys.url}/metrics`)).text();
    expect(text).to.match(/nocert_wecom_errors_total\{errcode="45009"\} [1-9]/);
    expect(h.emu.delivered({ touser: 'zhangsan' }).some((d) => d.payload.content === ASSISTANT.help)).to.equal(true);
  });

  it('answers an unknown key and an unknown route with the JSON error shape', async () => {
    const a = await fetch(`${h.sys.url}/api/v1/verifications/1`, { headers: { authorization: 'Bearer nope' } });
    expect(a.status).to.equal(401);
    expect(((await a.json()) as { error: { code: string } }).error.code).to.equal('unauthorized');
    const b = await fetch(`${h.sys.url}/no/such/page`);
    expect(b.status).to.equal(404);
    expect(((await b.json()) as { error: { code: string } }).error.code).to.equal('not_found');
  });

  it('loses nothing answered 200 during a WeCom outage: replies wait and go out once WeCom is back', async () => {
    h.emu.setOutage(true);
    for (const t of ['一', '二', '三']) expect((await h.emu.sendText('lisi', `消息${t}`)).status).to.equal(200);
    await h.sys.settle();
    const waiting = await h.sys.dataSource.getRepository(OutboxMessage).find({ where: { refType: 'assistant' } });
    expect(waiting).to.have.length(3);
    expect(waiting.every((r) => r.status === 'pending' && r.lastError)).to.equal(true);
    expect(h.emu.delivered({ touser: 'lisi' })).to.have.length(0);
    h.emu.setOutage(false);
    h.clock.advance(10 * 60_000);
    await h.sys.settle();
    const sent = await h.sys.dataSource.getRepository(OutboxMessage).find({ where: { refType: 'assistant' } });
    expect(sent.map((r) => r.status)).to.deep.equal(['sent', 'sent', 'sent']);
    expect((await h.sys.dataSource.getRepository(InboxEvent).find()).map((r) => r.status)).to.deep.equal(['done', 'done', 'done']);
  });

  it('processes a callback stored just before a crash when the next instance recovers it', async () => {
    // Simulate: the row was stored and answered 200, the process died before processing.
    const built = h.emu.buildCallback(
      `<xml><ToUserName>${h.keys.corpId}</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>${Math.floor(h.clock.now.getTime() / 1000)}</CreateTime><MsgType>text</MsgType><Content>崩溃前</Content><MsgId>7281934000000099999</MsgId><AgentID>${h.keys.agentId}</AgentID></xml>`,
    );
    const { openCallback } = await import('../../src/wecom/callback');
    const opened = openCallback({ token: h.keys.token, aesKey: h.keys.aesKey, corpId: h.keys.corpId, agentId: h.keys.agentId }, built.query, built.body, h.clock.now);
    await h.sys.inbox.accept(opened);
    expect(await h.sys.inbox.recover(0)).to.equal(1);
    await h.sys.settle();
    expect(h.emu.delivered({ touser: 'zhangsan' }).some((d) => d.payload.content === ASSISTANT.help)).to.equal(true);
    // WeCom's retry of that same callback now lands as a duplicate: nothing twice.
    const retry = await fetch(`${h.sys.url}/wecom/callback?${new URLSearchParams(built.query)}`, { method: 'POST', body: built.body });
    expect(retry.status).to.equal(200);
    await h.sys.settle();
    expect(await h.sys.dataSource.getRepository(InboxEvent).count()).to.equal(1);
  });
});
