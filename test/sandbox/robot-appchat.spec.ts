import { expect } from 'chai';
import { ROBOT, api, appToken, post, startEmulator, type EmulatorHarness } from './harness';

const HOOK = '/cgi-bin/webhook/send';

describe('sandbox: group robot webhook', () => {
  let h: EmulatorHarness;
  beforeEach(async () => {
    h = await startEmulator();
  });
  afterEach(() => h.close());

  const say = (content: string, key = ROBOT) => post(h.base, HOOK, { msgtype: 'text', text: { content } }, { key });

  it('accepts text and markdown without an access_token', async () => {
    expect((await say('逾期提醒')).json).to.deep.equal({ errcode: 0, errmsg: 'ok' });
    const md = await post(h.base, HOOK, { msgtype: 'markdown', markdown: { content: '**逾期** <@alice>' } }, { key: ROBOT });
    expect(md.json.errcode).to.equal(0);
    expect(h.emu.robotMessages(ROBOT).map((m) => m.msgtype)).to.deep.equal(['text', 'markdown']);
  });

  it('answers 45009 at the 21st message in a minute (not a silent drop), and accepts again a minute later', async () => {
    for (let i = 1; i <= 20; i++) expect((await say(`m${i}`)).json.errcode).to.equal(0);
    const r21 = await say('m21');
    expect(r21.json.errcode).to.equal(45009);
    expect(h.emu.robotMessages(ROBOT)).to.have.length(20);
    h.clock.advance(60_000);
    expect((await say('m22')).json.errcode).to.equal(0);
    expect(h.emu.robotMessages(ROBOT)).to.have.length(21);
  });

  it('answers 93000 for an unknown key', async () => {
    expect((await say('x', 'unknown-key')).json.errcode).to.equal(93000);
    expect((await post(h.base, HOOK, { msgtype: 'text', text: { content: 'x' } })).json.errcode).to.equal(93000);
  });

  it('answers 40058 for markdown beyond 4096 bytes and text beyond 2048 bytes', async () => {
    const md = await post(h.base, HOOK, { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } }, { key: ROBOT });
    expect(md.json.errcode).to.equal(40058);
    expect(md.json.errmsg).to.contain('markdown.content exceed max length 4096');
    expect((await say('y'.repeat(2049))).json.errcode).to.equal(40058);
    expect((await say('y'.repeat(2048))).json.errcode).to.equal(0);
  });
});

describe('sandbox: app group chat (appchat)', () => {
  let h: EmulatorHarness;
  let token: string;
  beforeEach(async () => {
    h = await startEmulator({ appchats: [{ chatid: 'foreignchat', userlist: ['alice', 'bob'], foreign: true }] });
    token = await appToken(h.base);
  });
  afterEach(() => h.close());

  it('creates a chat and delivers its messages to every member', async () => {
    const c = await api(h.base, token, '/cgi-bin/appchat/create', {
      name: '协查督办',
      owner: 'alice',
      userlist: ['alice', 'bob', 'carol'],
      chatid: 'office1',
    });
    expect(c.json).to.deep.equal({ errcode: 0, errmsg: 'ok', chatid: 'office1' });
    const s = await api(h.base, token, '/cgi-bin/appchat/send', { chatid: 'office1', msgtype: 'text', text: { content: '逾期' } });
    expect(s.json.errcode).to.equal(0);
    expect(h.emu.appchatMessages('office1')).to.have.length(1);
    expect(h.emu.delivered({ chatid: 'office1' }).map((d) => d.touser)).to.deep.equal(['alice', 'bob', 'carol']);
  });

  it('generates a chatid when none is given', async () => {
    const c = await api(h.base, token, '/cgi-bin/appchat/create', { name: 'x', userlist: ['alice', 'bob'] });
    expect(c.json.errcode).to.equal(0);
    expect(c.json.chatid).to.match(/^[0-9a-zA-Z]{1,32}$/);
  });

  it('answers 86003 for an unknown chatid and 86008 for a chat of another app', async () => {
    const send = (chatid: string) =>
      api(h.base, token, '/cgi-bin/appchat/send', { chatid, msgtype: 'text', text: { content: 'x' } });
    expect((await send('nochat')).json.errcode).to.equal(86003);
    expect((await send('foreignchat')).json.errcode).to.equal(86008);
  });

  it('answers 86006 for fewer than 2 members, 86007 for an unknown member, 86215 for a taken chatid', async () => {
    const create = (b: Record<string, unknown>) => api(h.base, token, '/cgi-bin/appchat/create', b);
    expect((await create({ userlist: ['alice'] })).json.errcode).to.equal(86006);
    expect((await create({ userlist: ['alice', 'ghost'] })).json.errcode).to.equal(86007);
    expect((await create({ userlist: ['alice', 'bob'], chatid: 'dup1' })).json.errcode).to.equal(0);
    expect((await create({ userlist: ['alice', 'bob'], chatid: 'dup1' })).json.errcode).to.equal(86215);
  });

  it('drops beyond 200 messages a minute to a member', async () => {
    await api(h.base, token, '/cgi-bin/appchat/create', { userlist: ['alice', 'bob'], chatid: 'busy' });
    for (let i = 0; i < 201; i++) {
      const r = await api(h.base, token, '/cgi-bin/appchat/send', { chatid: 'busy', msgtype: 'text', text: { content: `${i}` } });
      expect(r.json.errcode).to.equal(0);
    }
    expect(h.emu.delivered({ chatid: 'busy', touser: 'alice' })).to.have.length(200);
    expect(h.emu.dropped({ touser: 'alice' })).to.have.length(1);
  });
});
