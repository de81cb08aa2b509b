import { expect } from 'chai';
import { decrypt } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { AES_KEY, KF, Receiver, api, kfToken, appToken, startEmulator, type EmulatorHarness } from './harness';

const SYNC = '/cgi-bin/kf/sync_msg';
const SEND = '/cgi-bin/kf/send_msg';
const ON_EVENT = '/cgi-bin/kf/send_msg_on_event';
const CITIZEN = 'wmCitizen0001';

const kfText = (content: string, extra: Record<string, unknown> = {}) => ({
  touser: CITIZEN,
  open_kfid: KF,
  msgtype: 'text',
  text: { content },
  ...extra,
});

describe('sandbox: WeChat Customer Service (kf)', () => {
  let h: EmulatorHarness;
  let token: string;
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = new Receiver();
    h = await startEmulator({ callbackUrl: await receiver.start() });
    token = await kfToken(h.base);
  });
  afterEach(async () => {
    await h.close();
    await receiver.stop();
  });

  it('sends kf_msg_or_event with Token and OpenKfId, and nothing else about the message', async () => {
    const said = await h.emu.kfCustomerSays(KF, CITIZEN, '我要投诉');
    expect(said.status).to.equal(200);
    const envelope = new XMLParser().parse(receiver.received[0].body).xml;
    const inner = new XMLParser().parse(decrypt(AES_KEY, envelope.Encrypt).message).xml;
    expect(inner.Event).to.equal('kf_msg_or_event');
    expect(inner.MsgType).to.equal('event');
    expect(inner.Token).to.equal(said.token);
    expect(inner.OpenKfId).to.equal(KF);
    expect(inner).not.to.have.property('Content');
    expect(inner).not.to.have.property('FromUserName');
  });

  it('pages with limit, has_more and next_cursor (limit 2, five queued)', async () => {
    let last = '';
    for (let i = 1; i <= 5; i++) last = (await h.emu.kfCustomerSays(KF, CITIZEN, `msg ${i}`)).token;
    const page = (cursor: string) => api(h.base, token, SYNC, { cursor, token: last, limit: 2, open_kfid: KF });
    const p1 = await page('');
    expect(p1.json.errcode).to.equal(0);
    expect(p1.json.has_more).to.equal(1);
    expect(p1.json.msg_list.map((m: any) => m.text.content)).to.deep.equal(['msg 1', 'msg 2']);
    expect(p1.json.msg_list[0]).to.include({ open_kfid: KF, external_userid: CITIZEN, origin: 3, msgtype: 'text' });
    expect(p1.json.msg_list[0].msgid).to.be.a('string');
    expect(p1.json.msg_list[0].send_time).to.equal(Math.floor(h.clock.t / 1000));
    const p2 = await page(p1.json.next_cursor);
    expect(p2.json.has_more).to.equal(1);
    expect(p2.json.msg_list.map((m: any) => m.text.content)).to.deep.equal(['msg 3', 'msg 4']);
    const p3 = await page(p2.json.next_cursor);
    expect(p3.json.has_more).to.equal(0);
    expect(p3.json.msg_list.map((m: any) => m.text.content)).to.deep.equal(['msg 5']);
    const p4 = await page(p3.json.next_cursor);
    expect(p4.json.has_more).to.equal(0);
    expect(p4.json.msg_list).to.deep.equal([]);
  });

  it('never returns our own sends; a later customer message arrives after the stored cursor', async () => {
    const said = await h.emu.kfCustomerSays(KF, CITIZEN, 'hello');
    const first = await api(h.base, token, SYNC, { cursor: '', token: said.token, limit: 1000 });
    expect((await api(h.base, token, SEND, kfText('您好，已收到'))).json.errcode).to.equal(0);
    const after = await api(h.base, token, SYNC, { cursor: first.json.next_cursor, limit: 1000 });
    expect(after.json.msg_list).to.deep.equal([]);
    await h.emu.kfCustomerSays(KF, CITIZEN, 'second');
    const later = await api(h.base, token, SYNC, { cursor: first.json.next_cursor, limit: 1000 });
    expect(later.json.msg_list.map((m: any) => m.text.content)).to.deep.equal(['second']);
  });

  it('can answer has_more 1 with an empty msg_list, as WeCom may', async () => {
    await h.emu.kfCustomerSays(KF, CITIZEN, 'one');
    h.emu.injectKfEmptyPages(1);
    const p1 = await api(h.base, token, SYNC, { cursor: '', limit: 10 });
    expect(p1.json).to.include({ errcode: 0, has_more: 1 });
    expect(p1.json.msg_list).to.deep.equal([]);
    const p2 = await api(h.base, token, SYNC, { cursor: p1.json.next_cursor, limit: 10 });
    expect(p2.json.msg_list).to.have.length(1);
    expect(p2.json.has_more).to.equal(0);
  });

  it('callback Token is valid for 10 minutes (95007), an unknown one too; no token is allowed', async () => {
    const said = await h.emu.kfCustomerSays(KF, CITIZEN, 'x');
    h.clock.advance(10 * 60_000 - 1);
    expect((await api(h.base, token, SYNC, { cursor: '', token: said.token })).json.errcode).to.equal(0);
    h.clock.advance(1);
    expect((await api(h.base, token, SYNC, { cursor: '', token: said.token })).json.errcode).to.equal(95007);
    expect((await api(h.base, token, SYNC, { cursor: '', token: 'forged' })).json.errcode).to.equal(95007);
    expect((await api(h.base, token, SYNC, { cursor: '' })).json.errcode).to.equal(0);
  });

  it('checks open_kfid (95000), limit (40058) and cursor (50100)', async () => {
    expect((await api(h.base, token, SYNC, { cursor: '', open_kfid: 'wkNope' })).json.errcode).to.equal(95000);
    expect((await api(h.base, token, SEND, { ...kfText('x'), open_kfid: 'wkNope' })).json.errcode).to.equal(95000);
    expect((await api(h.base, token, SYNC, { cursor: '', limit: 1001 })).json.errcode).to.equal(40058);
    expect((await api(h.base, token, SYNC, { cursor: 'garbage' })).json.errcode).to.equal(50100);
  });

  it('accepts the app token as well as the kf token', async () => {
    const app = await appToken(h.base);
    expect((await api(h.base, app, SYNC, { cursor: '' })).json.errcode).to.equal(0);
  });

  it('allows at most 5 messages per customer message (95001); a new customer message resets the count', async () => {
    await h.emu.kfCustomerSays(KF, CITIZEN, '在吗');
    for (let i = 1; i <= 5; i++) expect((await api(h.base, token, SEND, kfText(`回复 ${i}`))).json.errcode).to.equal(0);
    expect((await api(h.base, token, SEND, kfText('第六条'))).json.errcode).to.equal(95001);
    expect(h.emu.kfSent(CITIZEN)).to.have.length(5);
    await h.emu.kfCustomerSays(KF, CITIZEN, '还有问题');
    expect((await api(h.base, token, SEND, kfText('再回复'))).json.errcode).to.equal(0);
  });

  it('refuses outside 48 h of the last customer message (95002); a new customer message reopens it', async () => {
    await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
    h.clock.advance(48 * 3600_000);
    token = await kfToken(h.base); // the access_token itself expired long ago
    expect((await api(h.base, token, SEND, kfText('仍在窗口内'))).json.errcode).to.equal(0);
    h.clock.advance(1_000);
    expect((await api(h.base, token, SEND, kfText('太晚了'))).json.errcode).to.equal(95002);
    await h.emu.kfCustomerSays(KF, CITIZEN, '我又来了');
    expect((await api(h.base, token, SEND, kfText('及时回复'))).json.errcode).to.equal(0);
  });

  it('refuses a customer who never wrote (95002) and one never seen (40096)', async () => {
    await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session', welcome_code: null });
    expect((await api(h.base, token, SEND, kfText('hi'))).json.errcode).to.equal(95002);
    expect((await api(h.base, token, SEND, { ...kfText('hi'), touser: 'wmStranger' })).json.errcode).to.equal(40096);
  });

  it('a client msgid already used answers the same msgid without sending again', async () => {
    await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
    const a = await api(h.base, token, SEND, kfText('受理通知', { msgid: 'complaint-42-ack' }));
    const b = await api(h.base, token, SEND, kfText('受理通知', { msgid: 'complaint-42-ack' }));
    expect(a.json).to.deep.equal({ errcode: 0, errmsg: 'ok', msgid: 'complaint-42-ack' });
    expect(b.json).to.deep.equal(a.json);
    expect(h.emu.kfSent(CITIZEN)).to.have.length(1);
    expect((await api(h.base, token, SEND, kfText('x', { msgid: 'bad id!' }))).json.errcode).to.equal(40058);
  });

  it('queues events (origin 4) with the fields inside event{}; menu taps arrive as text with menu_id', async () => {
    const ev = await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session', scene: 'complaint' });
    await h.emu.kfCustomerSays(KF, CITIZEN, '投诉', { menuId: 'menu_complaint' });
    await h.emu.kfEvent(KF, CITIZEN, { event_type: 'user_recall_msg', recall_msgid: 'from_msgid_1' });
    const r = await api(h.base, token, SYNC, { cursor: '', token: ev.token });
    const [enter, said, recall] = r.json.msg_list;
    expect(enter).to.include({ origin: 4, msgtype: 'event' });
    expect(enter).not.to.have.property('open_kfid');
    expect(enter.event).to.include({ event_type: 'enter_session', open_kfid: KF, external_userid: CITIZEN, scene: 'complaint' });
    expect(enter.event.welcome_code).to.equal(ev.welcomeCode);
    expect(said.text).to.deep.equal({ content: '投诉', menu_id: 'menu_complaint' });
    expect(recall.event).to.include({ event_type: 'user_recall_msg', recall_msgid: 'from_msgid_1' });
  });

  it('send_msg_on_event: the welcome_code works once, within 20 s', async () => {
    const ev = await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session' });
    const code = ev.welcomeCode!;
    const body = { code, msgtype: 'text', text: { content: '您好，这里是无证明城市投诉受理' } };
    const first = await api(h.base, token, ON_EVENT, body);
    expect(first.json.errcode).to.equal(0);
    expect(first.json.msgid).to.be.a('string');
    expect((await api(h.base, token, ON_EVENT, body)).json.errcode).to.equal(41050);
    expect(h.emu.kfSent(CITIZEN)).to.have.length(1);
    expect(h.emu.kfSent(CITIZEN)[0].onEvent).to.equal(true);

    const other = await h.emu.kfEvent(KF, 'wmCitizen0002', { event_type: 'enter_session' });
    h.clock.advance(20_001);
    const late = await api(h.base, token, ON_EVENT, { ...body, code: other.welcomeCode });
    expect(late.json.errcode).to.equal(41050);
    expect((await api(h.base, token, ON_EVENT, { msgtype: 'text', text: { content: 'x' } })).json.errcode).to.equal(41049);
  });

  it('gives no new welcome_code within 48 h of a welcome', async () => {
    const ev = await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session' });
    await api(h.base, token, ON_EVENT, { code: ev.welcomeCode, msgtype: 'text', text: { content: '欢迎' } });
    const again = await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session' });
    expect(again.welcomeCode).to.equal(undefined);
  });

  it('checks msgmenu size (95008) and item type (95009)', async () => {
    await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
    const item = { type: 'click', click: { id: 'c1', content: '投诉' } };
    const menu = (list: unknown[]) => ({ touser: CITIZEN, open_kfid: KF, msgtype: 'msgmenu', msgmenu: { head_content: '请选择', list } });
    expect((await api(h.base, token, SEND, menu(Array(11).fill(item)))).json.errcode).to.equal(95008);
    expect((await api(h.base, token, SEND, menu([{ type: 'dance', dance: {} }]))).json.errcode).to.equal(95009);
    expect((await api(h.base, token, SEND, menu([item]))).json.errcode).to.equal(0);
  });
});
