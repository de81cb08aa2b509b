/**
 * Full conversations with the real server over the WeCom emulator: callback -> sync_msg ->
 * flow.step -> outbox -> kf/send_msg (SPEC 3, WECOM.md section 6).
 */
import { expect } from 'chai';
import { Complaint, KfConversation, OutboxMessage } from '../../entities';
import { createKfWorker } from '../../src/complaints';
import { ExemptionMother } from '../helpers/mothers/exemptions';
import { T, GROUND_LABELS } from '../../src/complaints/messages';
import { complaintByNumber, eventsOf, fileByChat, KfHarness, startKfHarness } from '../helpers/kf';
import { publishEntries } from '../helpers/seed';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('complaints: a conversation over WeChat Customer Service', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  it('files a complaint entirely in chat, with cancel, restart, back, a 31-minute park and resume', async () => {
    const u = 'wmZhang';
    let r = await kh.say(u, '你好');
    expect(r).to.have.length(1);
    expect(r[0]).to.contain(T.greeting).and.contain('[menu_complain:投诉举报]');

    r = await kh.say(u, '投诉举报', 'menu_complain');
    expect(r[0]).to.contain(T.questions.ground);
    r = await kh.say(u, GROUND_LABELS.still_requires_certificate, 'ground_1');
    expect(r[0]).to.contain(T.questions.agency);

    // 取消: the draft is gone, the menu comes back.
    r = await kh.say(u, '取消');
    expect(r[0]).to.contain(T.cancelled).and.contain('[menu_complain:投诉举报]');

    r = await kh.say(u, '投诉');
    expect(r[0]).to.contain(T.questions.ground);
    r = await kh.say(u, GROUND_LABELS.verification_late, 'ground_3');
    expect(r[0]).to.contain(T.groundChosen(GROUND_LABELS.verification_late));

    // 重来: back to question 1 with an empty draft.
    r = await kh.say(u, '重来');
    expect(r[0]).to.contain(T.restart).and.contain(T.questions.ground);
    r = await kh.say(u, GROUND_LABELS.still_requires_certificate, 'ground_1');

    r = await kh.say(u, '公安局');
    expect(r[0]).to.contain(T.agencyMatched('县公安局')).and.contain(T.questions.facts);
    // 上一步: the agency question again, showing the earlier answer.
    r = await kh.say(u, '上一步');
    expect(r[0]).to.contain(T.back).and.contain(T.questions.agency).and.contain('县公安局');
    r = await kh.say(u, '人社局');
    expect(r[0]).to.contain(T.agencyMatched('县人力资源和社会保障局'));

    r = await kh.say(u, '11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明。');
    expect(r[0]).to.contain(T.questions.request);

    // 31 minutes of silence park the draft: the next message is not taken as the answer.
    kh.h.clock.advance(31 * MIN);
    r = await kh.say(u, '希望不再要求提供居住证明。');
    expect(r[0]).to.contain(T.parkHead(4)).and.contain('[park_continue:继续]');
    r = await kh.say(u, '继续', 'park_continue');
    expect(r[0]).to.contain(T.resumed).and.contain(T.questions.request);

    await kh.say(u, '希望不再要求提供居住证明。');
    await kh.say(u, '张小三');
    r = await kh.say(u, '13812345678');
    expect(r[0]).to.contain(T.questions.proxy);
    r = await kh.say(u, '代他人投诉', 'proxy_other');
    expect(r[0]).to.contain(T.questions.principal);
    r = await kh.say(u, '王老五');
    expect(r).to.have.length(2);
    expect(r[0]).to.contain(T.summaryTitle).and.contain('县人力资源和社会保障局').and.contain('代他人投诉，当事人：王老五');
    r = await kh.say(u, '确认提交', 'confirm_submit');
    const number = /TS20261126-\d{4}/.exec(r[0])?.[0] as string;
    expect(number).to.be.a('string');
    expect(r[0]).to.equal(T.registered(number));

    const c = await complaintByNumber(kh.h.sys.dataSource, number);
    expect(c).to.include({
      channel: 'kf',
      status: 'registered',
      ground: 'still_requires_certificate',
      agencyCode: 'HRSS',
      agencyName: '县人力资源和社会保障局',
      request: '希望不再要求提供居住证明。',
      complainantName: '张小三',
      complainantPhone: '13812345678',
      isProxy: true,
      principalName: '王老五',
      externalUserId: u,
      openKfId: kh.kf,
      hotline: false,
      duplicateOf: null,
    });
    expect(c.facts).to.contain('居住证明');
    expect((await eventsOf(kh.h.sys.dataSource, c.id)).map((e) => e.type)).to.deep.equal(['registered', 'agency_notified']);

    // The agency's liaison got the card, masked (SPEC 1 Art. 12).
    const cards = kh.delivered({ touser: 'hrss.liaison', msgtype: 'template_card' });
    expect(cards).to.have.length(1);
    const card = cards[0].payload;
    expect(card.main_title.title).to.equal(`投诉 ${number}`);
    const fields = Object.fromEntries(card.horizontal_content_list.map((h: any) => [h.keyname, h.value]));
    expect(fields['投诉人']).to.equal('张*三（代）');
    expect(fields['联系电话']).to.equal('138****5678');
    expect(JSON.stringify(card)).not.to.contain('13812345678');
    expect(card.button_list.map((b: any) => b.text)).to.deep.equal(['受理', '不予受理']);

    // The submission is registered once, even if the same tap arrives again.
    r = await kh.say(u, '确认提交', 'confirm_submit');
    expect(await kh.h.sys.dataSource.getRepository(Complaint).count()).to.equal(1);
  });

  it('discards a draft after 48 hours of silence and says so (49-hour expiry)', async () => {
    const u = 'wmLate';
    await kh.say(u, '投诉举报', 'menu_complain');
    await kh.say(u, GROUND_LABELS.still_requires_certificate, 'ground_1');
    kh.h.clock.advance(49 * HOUR);
    const r = await kh.say(u, '人社局');
    expect(r).to.have.length(1);
    expect(r[0]).to.contain(T.expired).and.contain('[menu_complain:投诉举报]');
    expect(r[0]).not.to.contain(T.questions.facts);
    const conv = await kh.h.sys.dataSource.getRepository(KfConversation).findOneByOrFail({ openKfId: kh.kf, externalUserId: u });
    const state = JSON.parse(conv.state as string);
    expect(state.stage).to.equal('idle');
    expect(state.draft).to.deep.equal({});
    expect(conv.expiresAt!.getTime()).to.equal(kh.h.clock.now.getTime() + 48 * HOUR - (kh.h.clock.now.getTime() % 1000));
  });

  it('answers 查询进度 to the citizen who filed, and the same neutral sentence to anyone else', async () => {
    const number = await fileByChat(kh, 'wmOwner');
    let r = await kh.say('wmOwner', `查询进度 ${number}`);
    expect(r[0]).to.contain(`投诉编号：${number}`).and.contain(T.statusLabels.registered);

    const accepted = await kh.office.post(`/complaints/${(await complaintByNumber(kh.h.sys.dataSource, number)).id}/accept`);
    expect(accepted.status).to.equal(200);
    r = await kh.say('wmOwner', '查询进度', 'menu_status');
    expect(r[0]).to.contain(T.statusAsk);
    r = await kh.say('wmOwner', number.toLowerCase());
    expect(r[0]).to.contain(T.statusLabels.accepted).and.contain('2026年12月3日17:30');

    // Someone else's number, and a number that does not exist: the same sentence.
    const other = await kh.say('wmStranger', `查询进度 ${number}`);
    const missing = await kh.say('wmStranger', '查询进度 TS20261126-0999');
    expect(other[0]).to.equal(T.statusNotFound(number));
    expect(missing[0]).to.equal(T.statusNotFound('TS20261126-0999'));
    expect(other[0]).not.to.contain(T.statusLabels.accepted);
  });

  it('greets enter_session through send_msg_on_event with the welcome code', async () => {
    const res = await kh.h.emu.kfEvent(kh.kf, 'wmNew', { event_type: 'enter_session', scene: 'qrcode' });
    expect(res.welcomeCode).to.be.a('string');
    await kh.settle();
    const sent = kh.kfSent('wmNew');
    expect(sent).to.have.length(1);
    expect(sent[0].onEvent).to.equal(true);
    expect(sent[0].msgtype).to.equal('msgmenu');
    expect(sent[0].payload.head_content).to.contain(T.greeting);
  });

  it('does not greet an enter_session it cannot answer (no welcome code, no open window)', async () => {
    await kh.h.emu.kfEvent(kh.kf, 'wmQuiet', { event_type: 'enter_session', welcome_code: null });
    await kh.settle();
    expect(kh.kfSent('wmQuiet')).to.have.length(0);
  });

  it('searches the published exemption list and offers to complain when a certificate is no longer required', async () => {
    // The exemptions mother publishes the list (no writing its tables by hand).
    await publishEntries(kh.h.sys.dataSource, [ExemptionMother.entry({ serviceItem: '社保关系转移', certificate: '居住证明', requesterUnit: 'HRSS', issuerUnit: 'PSB', method: 'sharing', defaultCategory: 'digital' })], kh.h.clock.now);
    const u = 'wmAsk';
    let r = await kh.say(u, '查询是否需要证明', 'menu_exemption');
    expect(r[0]).to.contain(T.exemptionAsk);
    r = await kh.say(u, '居住证明');
    expect(r).to.have.length(2);
    expect(r[0]).to.contain(T.exemptionHead).and.contain('社保关系转移').and.contain(T.exemptionMethods.sharing);
    expect(r[1]).to.contain('[exempt_complain:仍被要求提供，我要投诉]');
    r = await kh.say(u, '仍被要求提供，我要投诉', 'exempt_complain');
    expect(r[0]).to.contain(T.groundPreset(GROUND_LABELS.ignores_exemption_list)).and.contain(T.questions.agency);

    r = await kh.say(u, '查询是否需要证明');
    expect(r[0]).to.contain(T.problems.in_draft);
  });

  it('hands over to a person on 人工服务, keeping the draft', async () => {
    const u = 'wmHuman';
    await kh.say(u, '投诉举报', 'menu_complain');
    let r = await kh.say(u, '人工服务');
    expect(r[0]).to.contain(T.handoff).and.contain(T.handoffDraftKept);
    r = await kh.say(u, '继续');
    expect(r[0]).to.contain(T.questions.ground);
  });

  it('tells the office group (robot named, never its address in the outbox) when a citizen asks for a person', async () => {
    const number = await fileByChat(kh, 'wmPerson');
    const w = createKfWorker(kh.h.sys.deps, kh.h.sys.client, { instanceId: 'office-test', office: { chatId: null, robotWebhook: 'https://robot.example.invalid/cgi-bin/webhook/send?key=secret' } });
    await kh.h.emu.kfCustomerSays(kh.kf, 'wmPerson', '人工服务');
    await kh.h.sys.inbox.drain();
    expect((await w.runOnce()).processed).to.equal(1);
    const row = await kh.h.sys.dataSource.getRepository(OutboxMessage).findOneByOrFail({ channel: 'robot' });
    expect(row.payload).not.to.contain('secret');
    const payload = JSON.parse(row.payload);
    expect(payload.webhook).to.equal('office');
    expect(payload.message.text.content).to.contain(kh.kf).and.contain(number).and.contain('…Person');
  });

  it('keeps two citizens apart: one citizen\'s messages never move the other\'s draft', async () => {
    await kh.say('wmA', '投诉举报', 'menu_complain');
    await kh.say('wmB', '投诉举报', 'menu_complain');
    await kh.say('wmA', GROUND_LABELS.other, 'ground_5');
    const r = await kh.say('wmB', '人社局');
    expect(r[0]).to.contain(T.problems.choice).and.contain(T.questions.ground);
  });
});
