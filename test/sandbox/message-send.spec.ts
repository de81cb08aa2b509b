import { expect } from 'chai';
import { AGENT_ID, api, appToken, startEmulator, text, type EmulatorHarness } from './harness';

const SEND = '/cgi-bin/message/send';

describe('sandbox: message/send', () => {
  let h: EmulatorHarness;
  let token: string;
  beforeEach(async () => {
    h = await startEmulator();
    token = await appToken(h.base);
  });
  afterEach(() => h.close());

  it('delivers to known members and reports unknown ones in invaliduser, lower-cased', async () => {
    const r = await api(h.base, token, SEND, text('alice|Ghost|bob|nobody', 'hello'));
    expect(r.json.errcode).to.equal(0);
    expect(r.json.invaliduser).to.equal('ghost|nobody');
    expect(r.json.msgid).to.be.a('string').and.not.empty;
    expect(h.emu.delivered().map((d) => d.touser)).to.deep.equal(['alice', 'bob']);
    expect(h.emu.delivered({ touser: 'alice' })[0].payload).to.deep.equal({ content: 'hello' });
    expect(h.emu.delivered({ touser: 'alice' })[0].msgid).to.equal(r.json.msgid);
  });

  it('deliveredSince reads the log from a position on, and says where to read next', async () => {
    await api(h.base, token, SEND, text('alice', 'one'));
    const first = h.emu.deliveredSince(0);
    expect(first.items.map((d) => d.payload)).to.deep.equal([{ content: 'one' }]);
    await api(h.base, token, SEND, text('alice|bob', 'two'));
    const next = h.emu.deliveredSince(first.next);
    expect(next.items.map((d) => [d.touser, d.payload])).to.deep.equal([['alice', { content: 'two' }], ['bob', { content: 'two' }]]);
    expect(h.emu.deliveredSince(next.next).items).to.deep.equal([]);
    // A copy: changing what was read changes nothing in the emulator.
    next.items[0].touser = 'mallory';
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(2);
  });

  it('omits invaliduser when every recipient is valid, and matches userids case-insensitively', async () => {
    const r = await api(h.base, token, SEND, text('ALICE', 'hi'));
    expect(r.json.errcode).to.equal(0);
    expect(r.json).not.to.have.property('invaliduser');
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
  });

  it('answers 81013 when every recipient is invalid, and delivers nothing', async () => {
    const r = await api(h.base, token, SEND, text('ghost|nobody', 'hello'));
    expect(r.json.errcode).to.equal(81013);
    expect(r.json.invaliduser).to.equal('ghost|nobody');
    expect(r.json).not.to.have.property('msgid');
    expect(h.emu.delivered()).to.be.empty;
  });

  it('answers 82001 with no recipient at all and 40032 beyond 1000 users', async () => {
    expect((await api(h.base, token, SEND, text('', 'x'))).json.errcode).to.equal(82001);
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}`).join('|');
    expect((await api(h.base, token, SEND, text(many, 'x'))).json.errcode).to.equal(40032);
  });

  it('checks agentid: 41011 missing, 40056 not an integer, 301002 another app', async () => {
    expect((await api(h.base, token, SEND, { ...text('alice', 'x'), agentid: undefined })).json.errcode).to.equal(41011);
    expect((await api(h.base, token, SEND, { ...text('alice', 'x'), agentid: 'abc' })).json.errcode).to.equal(40056);
    expect((await api(h.base, token, SEND, { ...text('alice', 'x'), agentid: AGENT_ID + 1 })).json.errcode).to.equal(
      301002,
    );
  });

  it('checks msgtype (40008) and empty text (44004)', async () => {
    expect((await api(h.base, token, SEND, { touser: 'alice', agentid: AGENT_ID, msgtype: 'fax' })).json.errcode).to.equal(
      40008,
    );
    expect((await api(h.base, token, SEND, text('alice', ''))).json.errcode).to.equal(44004);
  });

  it('cuts text beyond 2048 bytes (DOC 90236) at a character boundary', async () => {
    const content = '证'.repeat(700); // 2100 bytes
    const r = await api(h.base, token, SEND, text('alice', content));
    expect(r.json.errcode).to.equal(0);
    const d = h.emu.delivered({ touser: 'alice' })[0];
    expect(d.truncated).to.equal(true);
    expect(Buffer.byteLength(d.payload.content)).to.equal(2046);
  });

  it('refuses markdown beyond 2048 bytes with 45002', async () => {
    const r = await api(h.base, token, SEND, {
      touser: 'alice',
      agentid: AGENT_ID,
      msgtype: 'markdown',
      markdown: { content: 'x'.repeat(2049) },
    });
    expect(r.json.errcode).to.equal(45002);
  });

  it('drops the 31st message in a minute to one member silently, and resumes after the minute', async () => {
    for (let i = 1; i <= 30; i++) {
      h.clock.advance(1_000);
      expect((await api(h.base, token, SEND, text('alice', `m${i}`))).json.errcode).to.equal(0);
    }
    const r31 = await api(h.base, token, SEND, text('alice|bob', 'm31'));
    expect(r31.json.errcode).to.equal(0);
    expect(r31.json.msgid).to.be.a('string');
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(30);
    expect(h.emu.delivered({ touser: 'bob' })).to.have.length(1);
    const dropped = h.emu.dropped();
    expect(dropped).to.have.length(1);
    expect(dropped[0]).to.include({ touser: 'alice', dropReason: 'member_minute_limit' });
    expect(dropped[0].payload.content).to.equal('m31');

    h.clock.advance(31_000); // now +61 s: the first message (at +1 s) has left the minute
    expect((await api(h.base, token, SEND, text('alice', 'm32'))).json.errcode).to.equal(0);
    expect(h.emu.delivered({ touser: 'alice' }).map((d) => d.payload.content)).to.include('m32');
    expect(h.emu.dropped()).to.have.length(1);
  });

  it('drops beyond 1000 messages an hour to one member', async () => {
    for (let i = 0; i < 1000; i++) {
      if (i % 30 === 0) h.clock.advance(60_000);
      await api(h.base, token, SEND, text('alice', `m${i}`));
    }
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1000);
    h.clock.advance(60_000);
    expect((await api(h.base, token, SEND, text('alice', 'one more'))).json.errcode).to.equal(0);
    expect(h.emu.dropped()).to.have.length(1);
    expect(h.emu.dropped()[0].dropReason).to.equal('member_hour_limit');
  });

  it('duplicate check: an identical message within the interval answers the first msgid and is not delivered', async () => {
    const body = text('alice', 'same', { enable_duplicate_check: 1, duplicate_check_interval: 600 });
    const first = await api(h.base, token, SEND, body);
    h.clock.advance(599_000);
    const second = await api(h.base, token, SEND, { ...body, duplicate_check_interval: 600 });
    expect(second.json.errcode).to.equal(0);
    expect(second.json.msgid).to.equal(first.json.msgid);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);

    const other = await api(h.base, token, SEND, text('alice', 'different', { enable_duplicate_check: 1 }));
    expect(other.json.msgid).not.to.equal(first.json.msgid);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(2);

    h.clock.advance(1_000);
    const third = await api(h.base, token, SEND, body);
    expect(third.json.msgid).not.to.equal(first.json.msgid);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(3);
  });

  it('duplicate check is off unless asked for, and its default interval is 1800 s', async () => {
    await api(h.base, token, SEND, text('alice', 'again'));
    await api(h.base, token, SEND, text('alice', 'again'));
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(2);
    const body = text('alice', 'again', { enable_duplicate_check: 1 });
    h.clock.advance(1799_000);
    const dup = await api(h.base, token, SEND, body);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(2);
    expect(dup.json.errcode).to.equal(0);
    h.clock.advance(1_000);
    await api(h.base, token, SEND, body);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(3);
  });

  it('records every call with its errcode', async () => {
    await api(h.base, token, SEND, text('alice', 'a'));
    await api(h.base, token, SEND, text('ghost', 'b'));
    const calls = h.emu.apiCalls().filter((c) => c.path === SEND);
    expect(calls.map((c) => c.errcode)).to.deep.equal([0, 81013]);
    expect(calls[1].body.touser).to.equal('ghost');
  });
});
