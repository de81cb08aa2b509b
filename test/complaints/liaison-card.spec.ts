/**
 * The agency complained about answers through its card and the app chat (CONTRACT.md
 * "What people see"): buttons move the case, reasons and results come as the next text.
 */
import { expect } from 'chai';
import { Complaint, Staff } from '../../entities';
import { LIAISON, STATUS_LABELS } from '../../src/complaints/lifecycle-messages';
import { complaintButtonKey } from '../../cards/complaint.card';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { eventsOf, fileByChat, KfHarness, startKfHarness } from '../helpers/kf';
import { textsTo } from '../helpers/inbox';

const LIAISON_ID = 'hrss.liaison';

describe('complaints: the liaison answers through the card and the chat', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  async function registered(over = {}): Promise<{ id: number; number: string; taskId: string }> {
    const res = await kh.office.post('/complaints', ComplaintMother.hotline(over));
    expect(res.status).to.equal(201);
    await kh.settle();
    const card = kh.delivered({ touser: LIAISON_ID, msgtype: 'template_card' }).find((d) => d.payload.main_title.title === `投诉 ${res.body.number}`);
    return { id: res.body.id, number: res.body.number, taskId: card!.payload.task_id };
  }

  async function click(taskId: string, verb: Parameters<typeof complaintButtonKey>[0], id: number, ground?: string, user = LIAISON_ID): Promise<void> {
    await kh.h.emu.clickButton(user, taskId, complaintButtonKey(verb, id, ground));
    await kh.settle();
  }

  async function reply(content: string, user = LIAISON_ID): Promise<void> {
    await kh.h.emu.sendText(user, content);
    await kh.settle();
  }

  function texts(user = LIAISON_ID): string[] {
    return textsTo(kh.h, user, kh.seq0);
  }

  function buttons(taskId: string, user = LIAISON_ID): string[] {
    const s = kh.h.emu.cardState(user, taskId)!;
    return s.replace_name !== undefined ? [`greyed:${s.replace_name}`] : s.card.button_list.map((b: any) => b.text);
  }

  async function load(id: number): Promise<Complaint> {
    return kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ id });
  }

  it('accept, extend (days and reason in the chat), resolve (result in the chat)', async () => {
    const c = await registered();
    expect(buttons(c.taskId)).to.deep.equal(['受理', '不予受理']);

    await click(c.taskId, 'accept', c.id);
    expect((await load(c.id)).status).to.equal('accepted');
    expect(buttons(c.taskId)).to.deep.equal(['办结', '申请延期', '终止办理']);
    expect(texts()).to.include(LIAISON.done(c.number, STATUS_LABELS.accepted, '2026-12-03T17:30:00+08:00'));

    await click(c.taskId, 'extend', c.id);
    expect(texts().at(-1)).to.equal(LIAISON.askExtension(c.number));
    await reply('好');
    expect(texts().at(-1)).to.equal(LIAISON.tooShort);
    await reply('需要8个工作日');
    expect(texts().at(-1)).to.equal(LIAISON.extensionTooLong);
    expect((await load(c.id)).status).to.equal('accepted');
    await reply('3个工作日，需要调取2019年的纸质档案');
    const ext = await load(c.id);
    expect(ext).to.include({ status: 'extended', extensionDays: 3, extensionReason: '3个工作日，需要调取2019年的纸质档案' });
    expect(ext.dueAt!.toISOString()).to.equal('2026-12-08T09:30:00.000Z');
    expect(buttons(c.taskId)).to.deep.equal(['办结', '终止办理']);

    await click(c.taskId, 'resolve', c.id);
    expect(texts().at(-1)).to.equal(LIAISON.askResult(c.number));
    await reply('已当面向投诉人说明，不再要求提供居住证明，社保转移已办结。');
    const done = await load(c.id);
    expect(done).to.include({ status: 'resolved', result: '已当面向投诉人说明，不再要求提供居住证明，社保转移已办结。' });
    expect(buttons(c.taskId)).to.deep.equal(['greyed:已办结']);
    const events = await eventsOf(kh.h.sys.dataSource, c.id);
    expect(events.filter((e) => ['accepted', 'extended', 'resolved'].includes(e.type)).map((e) => e.actor)).to.deep.equal(['wecom:hrss.liaison', 'wecom:hrss.liaison', 'wecom:hrss.liaison']);
    // Acting through the card, the liaison is not also told "the office did it".
    expect(texts().some((t) => t.includes('联席会议办公室已将其标记'))).to.equal(false);
  });

  it('reject: the Art. 8 grounds on the card, back, cancel in the chat, then the reason', async () => {
    const c = await registered();
    await click(c.taskId, 'reject', c.id);
    expect(buttons(c.taskId)).to.deep.equal(['内容不具体', '恶意重复投诉', '属诉讼仲裁复议', '其他理由', '返回']);
    await click(c.taskId, 'back', c.id);
    expect(buttons(c.taskId)).to.deep.equal(['受理', '不予受理']);
    await click(c.taskId, 'reject', c.id);
    await click(c.taskId, 'rejground', c.id, 'too_vague');
    expect(texts().at(-1)).to.equal(LIAISON.askRejectReason(c.number, 'too_vague'));
    await reply('取消');
    expect(texts().at(-1)).to.equal(LIAISON.cancelled(c.number));
    expect((await load(c.id)).status).to.equal('registered');
    expect(buttons(c.taskId)).to.deep.equal(['受理', '不予受理']);

    await click(c.taskId, 'reject', c.id);
    await click(c.taskId, 'rejground', c.id, 'litigation_arbitration_review');
    await reply('投诉人已就此事申请行政复议。');
    expect(await load(c.id)).to.include({ status: 'rejected', closingGround: 'litigation_arbitration_review', closingReason: '投诉人已就此事申请行政复议。' });
    expect(buttons(c.taskId)).to.deep.equal(['greyed:不予受理']);
  });

  it('terminate on an Art. 11 ground with the reason in the chat', async () => {
    const c = await registered();
    await click(c.taskId, 'accept', c.id);
    await click(c.taskId, 'terminate', c.id);
    expect(buttons(c.taskId)).to.deep.equal(['投诉人撤回', '已进入仲裁复议诉讼', '其他情形', '返回']);
    await click(c.taskId, 'termground', c.id, 'withdrawn');
    await reply('投诉人来电表示问题已解决，撤回投诉。');
    expect(await load(c.id)).to.include({ status: 'terminated', closingGround: 'withdrawn' });
    expect(buttons(c.taskId)).to.deep.equal(['greyed:已终止']);
  });

  it('a stale card: the office acted first; the click says so and refreshes the card; a second extension is refused', async () => {
    const c = await registered();
    await kh.office.post(`/complaints/${c.id}/accept`);
    await kh.settle();
    expect(texts().at(-1)).to.equal(LIAISON.byOffice(c.number, STATUS_LABELS.accepted, '2026-12-03T17:30:00+08:00'));
    await click(c.taskId, 'accept', c.id);
    expect(texts().at(-1)).to.equal(LIAISON.stale(c.number, STATUS_LABELS.accepted));
    expect(buttons(c.taskId)).to.deep.equal(['办结', '申请延期', '终止办理']);
    expect((await eventsOf(kh.h.sys.dataSource, c.id)).filter((e) => e.type === 'accepted')).to.have.length(1);

    await kh.office.post(`/complaints/${c.id}/extend`, { days: 2, reason: '需要核实' });
    await click(c.taskId, 'extend', c.id);
    expect(texts().at(-1)).to.equal(LIAISON.extensionRefused(c.number));
    expect(buttons(c.taskId)).to.deep.equal(['办结', '终止办理']);
    expect((await load(c.id)).extensionDays).to.equal(2);
  });

  it('a card in the hands of someone no longer of the agency changes nothing', async () => {
    const c = await registered();
    await kh.h.sys.dataSource.getRepository(Staff).update({ userid: LIAISON_ID }, { unitCode: 'PSB' });
    await click(c.taskId, 'accept', c.id);
    expect(texts().at(-1)).to.equal(LIAISON.notAllowed);
    expect((await load(c.id)).status).to.equal('registered');
  });

  it('an answer to a case the office closed meanwhile is refused in the chat', async () => {
    const c = await registered();
    await click(c.taskId, 'accept', c.id);
    await click(c.taskId, 'resolve', c.id);
    await kh.office.post(`/complaints/${c.id}/terminate`, { ground: 'withdrawn' });
    await kh.settle();
    await reply('已办结。');
    // The office's transition cleared the question: the text is not taken as a result.
    const now = await load(c.id);
    expect(now).to.include({ status: 'terminated', result: null });
  });

  it('a result given in the chat reaches the citizen who complained over WeChat', async () => {
    const number = await fileByChat(kh, 'wmResult');
    const c = await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ number });
    const card = kh.delivered({ touser: LIAISON_ID, msgtype: 'template_card' }).find((d) => d.payload.main_title.title === `投诉 ${number}`)!;
    await click(card.payload.task_id, 'accept', c.id);
    await click(card.payload.task_id, 'resolve', c.id);
    await reply('已纠正窗口做法，不再要求居住证明。');
    expect(kh.last('wmResult')).to.contain(`您的投诉（编号：${number}）已办结`).and.contain('已纠正窗口做法');
    expect((await load(c.id)).resultDelivered).to.equal(true);
  });
});
