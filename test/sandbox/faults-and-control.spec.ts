import { expect } from 'chai';
import { AGENT_ID, Receiver, SECRET, api, appToken, buttonCard, get, post, startEmulator, text, type EmulatorHarness } from './harness';

const SEND = '/cgi-bin/message/send';

describe('sandbox: fault injection, OAuth and misc routes', () => {
  let h: EmulatorHarness;
  let token: string;
  beforeEach(async () => {
    h = await startEmulator();
    token = await appToken(h.base);
  });
  afterEach(() => h.close());

  it('injectError answers the errcode for the next N calls of that path only', async () => {
    h.emu.injectError(SEND, -1, 2);
    h.emu.injectError('/cgi-bin/webhook/send', 45033);
    const a = await api(h.base, token, SEND, text('alice', '1'));
    const b = await api(h.base, token, SEND, text('alice', '2'));
    const c = await api(h.base, token, SEND, text('alice', '3'));
    expect([a.json.errcode, b.json.errcode, c.json.errcode]).to.deep.equal([-1, -1, 0]);
    expect(a.json.errmsg).to.contain('system busy');
    expect(h.emu.delivered().map((d) => d.payload.content)).to.deep.equal(['3']);
    expect((await post(h.base, '/cgi-bin/webhook/send', { msgtype: 'text', text: { content: 'x' } }, { key: 'robot-key-1' })).json.errcode).to.equal(45033);
    expect(h.emu.apiCalls().filter((x) => x.path === SEND).map((x) => x.errcode)).to.deep.equal([-1, -1, 0]);
  });

  it('injects token errors too (40014, 42001, 60020)', async () => {
    h.emu.injectError(SEND, 42001);
    h.emu.injectError(SEND, 60020);
    expect((await api(h.base, token, SEND, text('alice', 'x'))).json.errcode).to.equal(42001);
    expect((await api(h.base, token, SEND, text('alice', 'x'))).json.errcode).to.equal(60020);
    expect((await api(h.base, token, SEND, text('alice', 'x'))).json.errcode).to.equal(0);
  });

  it('an outage answers HTTP 503 on every API route until lifted', async () => {
    h.emu.setOutage(true);
    expect((await api(h.base, token, SEND, text('alice', 'x'))).status).to.equal(503);
    expect((await get(h.base, '/cgi-bin/gettoken', { corpid: 'x', corpsecret: 'y' })).status).to.equal(503);
    expect(h.emu.delivered()).to.be.empty;
    h.emu.setOutage(false);
    const r = await api(h.base, token, SEND, text('alice', 'x'));
    expect(r.status).to.equal(200);
    expect(r.json.errcode).to.equal(0);
  });

  it('answers HTTP 404 for an unknown API path', async () => {
    const r = await api(h.base, token, '/cgi-bin/message/sned', text('alice', 'x'));
    expect(r.status).to.equal(404);
    expect(r.json.errcode).to.not.equal(0);
  });

  it('answers 40058 for a body that is not JSON', async () => {
    const r = await post(h.base, SEND, '{not json', { access_token: token });
    expect(r.json.errcode).to.equal(40058);
  });

  it('OAuth: getuserinfo answers the userid once; a reused, expired or unknown code answers 40029', async () => {
    const code = h.emu.issueOAuthCode('bob');
    const first = await get(h.base, '/cgi-bin/auth/getuserinfo', { access_token: token, code });
    expect(first.json).to.deep.equal({ errcode: 0, errmsg: 'ok', userid: 'bob' });
    expect((await get(h.base, '/cgi-bin/auth/getuserinfo', { access_token: token, code })).json.errcode).to.equal(40029);
    const late = h.emu.issueOAuthCode('bob');
    h.clock.advance(5 * 60_000 + 1);
    expect((await get(h.base, '/cgi-bin/auth/getuserinfo', { access_token: token, code: late })).json.errcode).to.equal(40029);
    expect((await get(h.base, '/cgi-bin/auth/getuserinfo', { access_token: token, code: 'nope' })).json.errcode).to.equal(40029);
  });

  it('getcallbackip lists the sandbox address', async () => {
    const r = await get(h.base, '/cgi-bin/getcallbackip', { access_token: token });
    expect(r.json).to.deep.equal({ errcode: 0, errmsg: 'ok', ip_list: ['127.0.0.1'] });
  });
});

describe('sandbox: /sandbox control surface', () => {
  let h: EmulatorHarness;
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = new Receiver();
    h = await startEmulator({ callbackUrl: await receiver.start() });
  });
  afterEach(async () => {
    await h.close();
    await receiver.stop();
  });

  it('lists delivered messages and clicks a card over HTTP', async () => {
    const token = await appToken(h.base);
    await api(h.base, token, SEND, buttonCard('alice', 'VR-200'));
    const msgs = await get(h.base, '/sandbox/messages', { touser: 'alice' });
    expect(msgs.json).to.have.length(1);
    expect(msgs.json[0].payload.task_id).to.equal('VR-200');
    const click = await post(h.base, '/sandbox/click', { userid: 'alice', taskId: 'VR-200', key: 'accept:VR-200' });
    expect(click.status).to.equal(200);
    expect(click.json.status).to.equal(200);
    expect(click.json.responseCode).to.be.a('string');
    expect(receiver.received).to.have.length(1);
    const card = await get(h.base, '/sandbox/cards', { userid: 'alice', taskId: 'VR-200' });
    expect(card.json.card.card_type).to.equal('button_interaction');
  });

  it('sends text and kf messages, and reports bad requests as 400', async () => {
    expect((await post(h.base, '/sandbox/text', { userid: 'bob', content: '补充材料' })).json.status).to.equal(200);
    const kf = await post(h.base, '/sandbox/kf/say', { open_kfid: 'wkSandboxKf01', external_userid: 'wmX', content: '投诉' });
    expect(kf.json.token).to.be.a('string');
    expect(receiver.received).to.have.length(2);
    const bad = await post(h.base, '/sandbox/click', { userid: 'alice', taskId: 'none', key: 'k' });
    expect(bad.status).to.equal(400);
    expect(bad.json.error.code).to.equal('sandbox_bad_request');
  });

  it('controls faults over HTTP', async () => {
    const token = await appToken(h.base);
    await post(h.base, '/sandbox/fault', { path: SEND, errcode: 45009 });
    expect((await api(h.base, token, SEND, text('alice', 'x'))).json.errcode).to.equal(45009);
    await post(h.base, '/sandbox/outage', { down: true });
    expect((await api(h.base, token, SEND, text('alice', 'x'))).status).to.equal(503);
    await post(h.base, '/sandbox/outage', { down: false });
    await post(h.base, '/sandbox/invalidate-tokens', {});
    expect((await api(h.base, token, SEND, { ...text('alice', 'x'), agentid: AGENT_ID })).json.errcode).to.equal(40014);
  });

  it('lists API calls over HTTP without secrets or tokens', async () => {
    const token = await appToken(h.base);
    await api(h.base, token, SEND, text('alice', 'x'));
    const calls = await get(h.base, '/sandbox/calls', {});
    const raw = JSON.stringify(calls.json);
    expect(raw).to.include('/cgi-bin/gettoken').and.include(SEND);
    expect(raw).to.not.include(token);
    expect(raw).to.not.include(SECRET);
    expect(raw).to.include('[redacted]');
  });
});
