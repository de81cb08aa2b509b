/**
 * Bad input from citizens and from sync_msg: each gets a helpful
 * reply or is ignored, and never breaks the conversation or another citizen's.
 */
import { expect } from 'chai';
import { Complaint, KfInboundMessage, KfSyncCursor, OutboxMessage } from '../../entities';
import { T, GROUND_LABELS } from '../../src/complaints/messages';
import { kfEventXml } from '../../src/sandbox';
import { complaintByNumber, eventsOf, fileByChat, KfHarness, startKfHarness } from '../helpers/kf';

describe('complaints: bad input in the chat', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  async function toFacts(u: string): Promise<void> {
    await kh.say(u, '投诉举报', 'menu_complain');
    await kh.say(u, GROUND_LABELS.still_requires_certificate, 'ground_1');
    await kh.say(u, '人社局');
  }

  async function stageOf(u: string): Promise<string> {
    const conv = await kh.h.sys.dataSource.getRepository('KfConversation').findOneByOrFail({ openKfId: kh.kf, externalUserId: u });
    return JSON.parse((conv as { state: string }).state).stage;
  }

  it('emoji-only: asks again with the problem, the draft stays where it was', async () => {
    await toFacts('wmEmoji');
    const r = await kh.say('wmEmoji', '😀😀👍');
    expect(r).to.have.length(1);
    expect(r[0]).to.contain(T.problems.emoji_only).and.contain(T.questions.facts);
    expect(await stageOf('wmEmoji')).to.equal('facts');
    const next = await kh.say('wmEmoji', '11月20日在大厅办社保转移，窗口要求开居住证明。');
    expect(next[0]).to.contain(T.questions.request);
  });

  it('empty message: asks again', async () => {
    await kh.say('wmEmpty', '投诉举报', 'menu_complain');
    await kh.say('wmEmpty', GROUND_LABELS.still_requires_certificate, 'ground_1');
    const r = await kh.say('wmEmpty', '');
    expect(r[0]).to.contain(T.problems.empty).and.contain(T.questions.agency);
    expect(await stageOf('wmEmpty')).to.equal('agency');
  });

  it('a 5,000-character message: says how long it was and the limit', async () => {
    await toFacts('wmLong');
    const r = await kh.say('wmLong', '长'.repeat(5000));
    expect(r[0]).to.contain(T.tooLong(1000, 5000));
    expect(Buffer.byteLength(r[0], 'utf8')).to.be.at.most(2048);
    expect(await stageOf('wmLong')).to.equal('facts');
  });

  it('binary-looking text: asks for plain words', async () => {
    await toFacts('wmBin');
    const r = await kh.say('wmBin', '\u0000\u0007\uFFFDabc\u0001');
    expect(r[0]).to.contain(T.problems.binary);
    expect(await stageOf('wmBin')).to.equal('facts');
  });

  it('a phone number with letters is refused with the reason; a landline is taken', async () => {
    await toFacts('wmPhone');
    await kh.say('wmPhone', '11月20日在大厅办社保转移，窗口要求开居住证明。');
    await kh.say('wmPhone', '不再要求居住证明');
    await kh.say('wmPhone', '张小三');
    let r = await kh.say('wmPhone', '138abcd5678');
    expect(r[0]).to.contain(T.problems.phone_letters).and.contain(T.questions.phone);
    r = await kh.say('wmPhone', '12345');
    expect(r[0]).to.contain(T.problems.phone_invalid);
    r = await kh.say('wmPhone', '0533 1234567');
    expect(r[0]).to.contain(T.questions.proxy);
  });

  it('an unknown agency is recorded as typed; the office assigns it and the liaison gets the card', async () => {
    const number = await fileByChat(kh, 'wmMars', { agency: '火星事务管理局' });
    expect(kh.sent('wmMars').join('\n')).to.contain(T.agencyAsTyped('火星事务管理局'));
    const ds = kh.h.sys.dataSource;
    const c = await complaintByNumber(ds, number);
    expect(c.agencyCode).to.equal(null);
    expect(c.agencyName).to.equal('火星事务管理局');
    expect((await eventsOf(ds, c.id)).map((e) => e.type)).to.deep.equal(['registered', 'agency_unmatched']);
    expect(kh.delivered({ msgtype: 'template_card' })).to.have.length(0);

    const res = await kh.office.post(`/complaints/${c.id}/assign`, { agencyCode: 'MSA' });
    expect(res.status).to.equal(200);
    expect(res.body.agency).to.deep.equal({ code: 'MSA', name: '县市场监督管理局' });
    await kh.settle();
    expect(kh.delivered({ touser: 'msa.liaison', msgtype: 'template_card' })).to.have.length(1);
  });

  it('a message recalled before it was handled is never answered; the conversation goes on', async () => {
    await toFacts('wmRecall');
    const before = kh.kfSent('wmRecall').length;
    const said = await kh.h.emu.kfCustomerSays(kh.kf, 'wmRecall', '写错了的内容，不要了');
    await kh.h.emu.kfEvent(kh.kf, 'wmRecall', { event_type: 'user_recall_msg', recall_msgid: said.msgid });
    await kh.settle();
    expect(kh.kfSent('wmRecall')).to.have.length(before);
    const row = await kh.h.sys.dataSource.getRepository(KfInboundMessage).findOneByOrFail({ msgid: said.msgid });
    expect(row.status).to.equal('recalled');
    expect(await stageOf('wmRecall')).to.equal('facts');
    const r = await kh.say('wmRecall', '11月20日在大厅办社保转移，窗口要求开居住证明。');
    expect(r[0]).to.contain(T.questions.request);
  });

  it('a recall of a message already answered changes nothing and sends nothing', async () => {
    await kh.say('wmRecall2', '投诉举报', 'menu_complain');
    const said = await kh.h.emu.kfCustomerSays(kh.kf, 'wmRecall2', GROUND_LABELS.other, { menuId: 'ground_5' });
    await kh.settle();
    const before = kh.kfSent('wmRecall2').length;
    await kh.h.emu.kfEvent(kh.kf, 'wmRecall2', { event_type: 'user_recall_msg', recall_msgid: said.msgid });
    await kh.settle();
    expect(kh.kfSent('wmRecall2')).to.have.length(before);
    expect(await stageOf('wmRecall2')).to.equal('agency');
  });

  it('items out of order within a sync batch are handled by send_time', async () => {
    const t0 = kh.h.clock.now.getTime();
    // The later tap reaches the queue first.
    kh.h.clock.set(new Date(t0 + 5000));
    await kh.h.emu.kfCustomerSays(kh.kf, 'wmOrder', GROUND_LABELS.other, { menuId: 'ground_5' });
    kh.h.clock.set(new Date(t0));
    await kh.h.emu.kfCustomerSays(kh.kf, 'wmOrder', '投诉举报', { menuId: 'menu_complain' });
    kh.h.clock.set(new Date(t0 + 6000));
    await kh.settle();
    const sent = kh.sent('wmOrder');
    expect(sent).to.have.length(2);
    expect(sent[0]).to.contain(T.questions.ground);
    expect(sent[1]).to.contain(T.groundChosen(GROUND_LABELS.other)).and.contain(T.questions.agency);
    expect(await stageOf('wmOrder')).to.equal('agency');
  });

  it('items delivered twice by sync_msg are handled once', async () => {
    await kh.say('wmTwice', '投诉举报', 'menu_complain');
    await kh.say('wmTwice', GROUND_LABELS.other, 'ground_5');
    const ds = kh.h.sys.dataSource;
    const stored = await ds.getRepository(KfInboundMessage).count();
    const sentBefore = kh.kfSent('wmTwice').length;
    // Our cursor is lost (e.g. a crash between WeCom's answer and our commit): WeCom sends it all again.
    await ds.getRepository(KfSyncCursor).update({ openKfId: kh.kf }, { cursor: null });
    const r = await kh.say('wmTwice', '人社局');
    expect(r).to.have.length(1);
    expect(r[0]).to.contain(T.agencyMatched('县人力资源和社会保障局'));
    expect(kh.kfSent('wmTwice')).to.have.length(sentBefore + 1);
    expect(await ds.getRepository(KfInboundMessage).count()).to.equal(stored + 1);
  });

  it('a kf callback for an unknown open_kfid is ignored without breaking anyone else', async () => {
    const xml = kfEventXml({ corpId: kh.h.keys.corpId, createTime: Math.floor(kh.h.clock.now.getTime() / 1000), token: 'ENCunknowntoken', openKfId: 'wkUNKNOWNACCOUNT' });
    const signed = kh.h.emu.buildCallback(xml);
    const res = await kh.h.emu.postRawCallback(signed.body, signed.query);
    expect(res.status).to.equal(200);
    const outboxBefore = await kh.h.sys.dataSource.getRepository(OutboxMessage).count();
    await kh.settle();
    const row = await kh.h.sys.dataSource.getRepository(KfSyncCursor).findOneByOrFail({ openKfId: 'wkUNKNOWNACCOUNT' });
    expect(row.synced).to.equal(row.requested);
    expect(row.lastError).to.contain('unknown open_kfid');
    expect(row.claimedBy).to.equal(null);
    expect(await kh.h.sys.dataSource.getRepository(OutboxMessage).count()).to.equal(outboxBefore);
    // Settling again does not try it again.
    const calls = kh.h.emu.apiCalls().length;
    await kh.settle();
    expect(kh.h.emu.apiCalls().length).to.equal(calls);
    const r = await kh.say('wmFine', '你好');
    expect(r[0]).to.contain(T.greeting);
  });

  it('a malformed OpenKfId in a callback is dropped at once', async () => {
    const xml = kfEventXml({ corpId: kh.h.keys.corpId, createTime: Math.floor(kh.h.clock.now.getTime() / 1000), token: 'x', openKfId: 'wk bad id <script>' });
    const signed = kh.h.emu.buildCallback(xml);
    expect((await kh.h.emu.postRawCallback(signed.body, signed.query)).status).to.equal(200);
    await kh.settle();
    expect(await kh.h.sys.dataSource.getRepository(KfSyncCursor).count()).to.equal(0);
  });

  it('a complaint is never registered twice for one draft, whatever is tapped again', async () => {
    await fileByChat(kh, 'wmTap');
    await kh.say('wmTap', '确认提交', 'confirm_submit');
    await kh.say('wmTap', '确认提交', 'confirm_submit');
    expect(await kh.h.sys.dataSource.getRepository(Complaint).count()).to.equal(1);
  });
});
