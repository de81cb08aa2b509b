import { expect } from 'chai';
import { AGENT_ID, CORP_ID, SECRET, api, appToken, get, kfToken, startEmulator, text, type EmulatorHarness } from './harness';

describe('sandbox: gettoken and access_token checks', () => {
  let h: EmulatorHarness;
  beforeEach(async () => {
    h = await startEmulator();
  });
  afterEach(() => h.close());

  it('issues a token for the app secret and answers the same one while it is valid', async () => {
    const r = await get(h.base, '/cgi-bin/gettoken', { corpid: CORP_ID, corpsecret: SECRET });
    expect(r.status).to.equal(200);
    expect(r.json.errcode).to.equal(0);
    expect(r.json.errmsg).to.equal('ok');
    expect(r.json.access_token).to.be.a('string').with.length.above(20);
    expect(r.json.expires_in).to.equal(7200);
    h.clock.advance(60_000);
    const again = await get(h.base, '/cgi-bin/gettoken', { corpid: CORP_ID, corpsecret: SECRET });
    expect(again.json.access_token).to.equal(r.json.access_token);
    expect(again.json.expires_in).to.equal(7140);
  });

  it('answers 40001 for a wrong secret and 40013 for a wrong corpid', async () => {
    const bad = await get(h.base, '/cgi-bin/gettoken', { corpid: CORP_ID, corpsecret: 'nope' });
    expect(bad.json.errcode).to.equal(40001);
    expect(bad.json).not.to.have.property('access_token');
    const corp = await get(h.base, '/cgi-bin/gettoken', { corpid: 'wwother', corpsecret: SECRET });
    expect(corp.json.errcode).to.equal(40013);
  });

  it('answers 41001 without a token and 40014 for an unknown one', async () => {
    const none = await api(h.base, '', '/cgi-bin/message/send', text('alice', 'hi'));
    expect(none.json.errcode).to.equal(41001);
    const unknown = await api(h.base, 'not-a-token', '/cgi-bin/message/send', text('alice', 'hi'));
    expect(unknown.json.errcode).to.equal(40014);
  });

  it('answers 42001 once the token has expired by the injected clock, then issues a new one', async () => {
    const token = await appToken(h.base);
    h.clock.advance(7199_000);
    expect((await api(h.base, token, '/cgi-bin/message/send', text('alice', 'a'))).json.errcode).to.equal(0);
    h.clock.advance(1_000);
    expect((await api(h.base, token, '/cgi-bin/message/send', text('alice', 'b'))).json.errcode).to.equal(42001);
    const fresh = await appToken(h.base);
    expect(fresh).not.to.equal(token);
    expect((await api(h.base, fresh, '/cgi-bin/message/send', text('alice', 'c'))).json.errcode).to.equal(0);
  });

  it('answers 40014 after invalidateTokens(), and gettoken then issues a new token', async () => {
    const token = await appToken(h.base);
    h.emu.invalidateTokens();
    expect((await api(h.base, token, '/cgi-bin/message/send', text('alice', 'a'))).json.errcode).to.equal(40014);
    const fresh = await appToken(h.base);
    expect(fresh).not.to.equal(token);
    expect((await api(h.base, fresh, '/cgi-bin/message/send', text('alice', 'a'))).json.errcode).to.equal(0);
  });

  it('honours tokenTtlSeconds', async () => {
    await h.close();
    h = await startEmulator({ tokenTtlSeconds: 60 });
    const r = await get(h.base, '/cgi-bin/gettoken', { corpid: CORP_ID, corpsecret: SECRET });
    expect(r.json.expires_in).to.equal(60);
    h.clock.advance(60_000);
    const send = await api(h.base, r.json.access_token, '/cgi-bin/message/send', text('alice', 'x'));
    expect(send.json.errcode).to.equal(42001);
  });

  it('lets the kf secret token call kf routes but not message/send (48002)', async () => {
    const token = await kfToken(h.base);
    const sync = await api(h.base, token, '/cgi-bin/kf/sync_msg', { cursor: '', limit: 10 });
    expect(sync.json.errcode).to.equal(0);
    const send = await api(h.base, token, '/cgi-bin/message/send', { ...text('alice', 'x'), agentid: AGENT_ID });
    expect(send.json.errcode).to.equal(48002);
  });
});
