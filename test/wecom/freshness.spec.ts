import { expect } from 'chai';
import { startHarness, Harness } from '../helpers/system';
import { InboxEvent } from '../../entities';
import { errorCode } from '../helpers/http';

describe('callback freshness', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ members: [{ userid: 'zhangsan', name: '张三' }] });
  });
  after(async () => h.close());
  beforeEach(async () => h.reset());

  const sec = () => Math.floor(h.clock.now.getTime() / 1000);
  let n = 0;
  const text = (content: string, createTime = sec(), from = 'zhangsan') =>
    `<xml><ToUserName>${h.keys.corpId}</ToUserName><FromUserName>${from}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>text</MsgType><Content>${content}</Content><MsgId>72819340000005${String(++n).padStart(5, '0')}</MsgId><AgentID>${h.keys.agentId}</AgentID></xml>`;
  const post = (b: { query: Record<string, string>; body: string }) =>
    fetch(`${h.sys.url}/wecom/callback?${new URLSearchParams(b.query)}`, { method: 'POST', body: b.body, headers: { 'content-type': 'text/xml' } });
  const rows = () => h.sys.dataSource.getRepository(InboxEvent).find({ order: { id: 'ASC' } });
  const outcome = async (type: string, o: string) =>
    Number((await h.sys.metrics.registry.getSingleMetricAsString('nocert_callbacks_total')).match(new RegExp(`type="${type}",outcome="${o}"} (\\d+)`))?.[1] ?? 0);
  const replies = () => h.emu.delivered({ touser: 'zhangsan' }).length;

  for (const [label, offset] of [['301 s old', -301], ['301 s ahead', 301], ['a day old', -86_400]] as const) {
    it(`refuses a correctly signed POST whose timestamp is ${label}, storing nothing`, async () => {
      const res = await post(h.emu.buildCallback(text('帮助'), { timestamp: String(sec() + offset) }));
      expect(res.status).to.equal(400);
      expect(await errorCode(res)).to.equal('wecom_timestamp_stale');
      expect(await rows()).to.have.length(0);
    });
  }

  it('accepts a timestamp 299 s old, and WeCom retries of the same body inside the window count once', async () => {
    const before = replies();
    const built = h.emu.buildCallback(text('帮助'), { timestamp: String(sec() - 299) });
    expect((await post(built)).status).to.equal(200);
    const retry = await post(built);
    expect(retry.status).to.equal(200);
    await h.sys.settle();
    expect(await rows()).to.have.length(1);
    expect(replies()).to.equal(before + 1);
    // The reply asks WeCom's duplicate check over its longest window, 4 h, so a resend after
    // a long outage is still caught.
    const send = h.emu.apiCalls().filter((c) => c.path.endsWith('/message/send')).pop();
    expect(send?.body).to.include({ enable_duplicate_check: 1, duplicate_check_interval: 14400 });
  });

  it('stores a text whose CreateTime is over an hour old but gives it no effect', async () => {
    const before = replies();
    const stale = await outcome('text', 'stale');
    const res = await post(h.emu.buildCallback(text('帮助', sec() - 3601)));
    expect(res.status).to.equal(200);
    await h.sys.settle();
    const [row] = await rows();
    expect(row.status).to.equal('done');
    expect(replies()).to.equal(before);
    expect(await outcome('text', 'stale')).to.equal(stale + 1);
    // The same text within the hour is acted on.
    const handled = await outcome('text', 'handled');
    expect((await post(h.emu.buildCallback(text('帮助', sec() - 3500)))).status).to.equal(200);
    await h.sys.settle();
    expect(await outcome('text', 'handled')).to.equal(handled + 1);
  });

  it('gives a day-old card click no effect', async () => {
    const before = await outcome('template_card_event', 'stale');
    const calls = h.emu.apiCalls().length;
    const xml = `<xml><ToUserName>${h.keys.corpId}</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>${sec() - 86_400}</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><EventKey>no_such_action:1</EventKey><TaskId>t1</TaskId><CardType>button_interaction</CardType><ResponseCode>rc1</ResponseCode><AgentID>${h.keys.agentId}</AgentID></xml>`;
    expect((await post(h.emu.buildCallback(xml))).status).to.equal(200);
    await h.sys.settle();
    expect((await rows())[0].status).to.equal('done');
    expect(await outcome('template_card_event', 'stale')).to.equal(before + 1);
    expect(h.emu.apiCalls().length).to.equal(calls);
  });

  it('marks an event without FromUserName done at once instead of retrying it', async () => {
    const xml = `<xml><ToUserName>${h.keys.corpId}</ToUserName><CreateTime>${sec()}</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event><EventKey></EventKey><AgentID>${h.keys.agentId}</AgentID></xml>`;
    expect((await post(h.emu.buildCallback(xml))).status).to.equal(200);
    await h.sys.settle();
    const [row] = await rows();
    expect(row.status).to.equal('done');
    expect(row.attempts).to.equal(1);
    expect(row.lastError).to.equal(null);
  });
});
