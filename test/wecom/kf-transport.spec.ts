/**
 * kf transport end to end (WECOM.md section 6): since 2023-12-01 WeCom refuses the kf
 * system secret for new corps, so the server runs kf on the self-built app's token (the
 * emulator here refuses the kf secret, as such a corp's WeCom would); welcome codes,
 * session states, servicer messages and send failures as WeCom reports them.
 */
import { expect } from 'chai';
import { startKfHarness, KfHarness } from '../helpers/kf';
import { KfInboundMessage, OutboxMessage } from '../../entities';

describe('wecom: kf as WeCom runs it', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  it('a citizen conversation syncs and replies with the app token only; the kf secret is never asked for', async () => {
    kh.kf = kh.newAccount();
    const replies = await kh.say('wmCredCitizen', '你好');
    expect(replies.length).to.be.greaterThan(0);
    const calls = kh.h.emu.apiCalls();
    const gettoken = calls.filter((c) => c.path === '/cgi-bin/gettoken');
    expect(gettoken.length).to.be.greaterThan(0);
    for (const g of gettoken) expect(g.query.corpsecret).to.equal(kh.h.keys.secret);
    const kfCalls = calls.filter((c) => c.path.startsWith('/cgi-bin/kf/'));
    expect(kfCalls.map((c) => c.path)).to.include.members(['/cgi-bin/kf/sync_msg', '/cgi-bin/kf/send_msg']);
    for (const c of kfCalls) expect(c.errcode).to.equal(0);
  });

  it('a kf callback WeCom dropped is caught up by the periodic pull within a minute (DOC 90930)', async () => {
    kh.h.emu.setCallbackRetry('network_only');
    await kh.say('wmDropped', '你好');
    const before = kh.sent('wmDropped').length;
    kh.h.emu.dropCallbacks(1);
    const said = await kh.h.emu.kfCustomerSays(kh.kf, 'wmDropped', '投诉');
    expect(said.dropped).to.equal(true);
    await kh.settle();
    expect(kh.sent('wmDropped')).to.have.length(before);
    kh.h.clock.advance(30_000);
    await kh.settle();
    expect(kh.sent('wmDropped')).to.have.length(before);
    const callbacks = kh.h.emu.callbacks().length;
    kh.h.clock.advance(31_000);
    await kh.settle();
    expect(kh.sent('wmDropped').length).to.be.greaterThan(before);
    expect(kh.h.emu.callbacks()).to.have.length(callbacks);
  });

  it('greets with the welcome_code a customer silent for 48 h gets, even an hour after our last message (DOC 94670, DOC 95122)', async () => {
    await kh.say('wmWelcome', '你好');
    kh.h.clock.advance(47 * 3600_000);
    await kh.h.sys.client.kfSendMsg({ touser: 'wmWelcome', open_kfid: kh.kf, msgtype: 'text', text: { content: '您的投诉已办结' } });
    kh.h.clock.advance(2 * 3600_000);
    const before = kh.kfSent('wmWelcome').length;
    const ev = await kh.h.emu.kfEvent(kh.kf, 'wmWelcome', { event_type: 'enter_session' });
    expect(ev.welcomeCode).to.be.a('string');
    await kh.settle();
    const greeting = kh.kfSent('wmWelcome').slice(before);
    expect(greeting).to.have.length(1);
    expect(greeting[0].onEvent).to.equal(true);
  });

  it('greets by send_msg, not send_msg_on_event, when the customer wrote within 48 h (no welcome_code)', async () => {
    await kh.say('wmBack', '你好');
    kh.h.clock.advance(3600_000);
    const before = kh.kfSent('wmBack').length;
    const ev = await kh.h.emu.kfEvent(kh.kf, 'wmBack', { event_type: 'enter_session' });
    expect(ev.welcomeCode).to.equal(undefined);
    await kh.settle();
    const greeting = kh.kfSent('wmBack').slice(before);
    expect(greeting.length).to.be.greaterThan(0);
    expect(greeting.every((m) => !m.onEvent)).to.equal(true);
  });

  it('a human servicer took the session: our reply answers 95018 and fails at once, never retried; the servicer\'s own message (origin 5) is stored, not answered (DOC 94669)', async () => {
    await kh.say('wmHuman', '你好');
    await kh.h.emu.kfSetSessionState(kh.kf, 'wmHuman', 3, { servicer: 'kefu01' });
    await kh.h.emu.kfServicerSays(kh.kf, 'wmHuman', '您好，我是人工客服');
    await kh.settle();
    const rows = await kh.h.sys.dataSource.getRepository(KfInboundMessage).find({ where: { externalUserId: 'wmHuman' }, order: { id: 'ASC' } });
    const servicer = rows.find((r) => r.origin === 5);
    expect(servicer?.status).to.equal('ignored');
    const before = kh.kfSent('wmHuman').length;
    await kh.h.emu.kfCustomerSays(kh.kf, 'wmHuman', '查询进度');
    await kh.settle();
    expect(kh.kfSent('wmHuman')).to.have.length(before);
    const refused = await kh.h.sys.dataSource.getRepository(OutboxMessage).find({ where: { channel: 'kf', errcode: 95018 } });
    expect(refused.length).to.be.greaterThan(0);
    for (const r of refused) expect(r).to.include({ status: 'failed', attempts: 1 });
    expect(kh.h.emu.apiCalls().filter((c) => c.path === '/cgi-bin/kf/send_msg' && c.errcode === 95018)).to.have.length(refused.length);
  });

  it('a msg_send_fail event is stored and changes nothing (no reply, no retry)', async () => {
    await kh.say('wmFail', '你好');
    const sent = kh.kfSent('wmFail');
    const before = sent.length;
    await kh.h.emu.kfMsgSendFail(kh.kf, 'wmFail', sent[sent.length - 1].msgid, { failType: 10 });
    await kh.settle();
    expect(kh.kfSent('wmFail')).to.have.length(before);
    const row = await kh.h.sys.dataSource.getRepository(KfInboundMessage).findOneByOrFail({ externalUserId: 'wmFail', msgtype: 'event' });
    expect(row.status).to.equal('ignored');
  });
});
