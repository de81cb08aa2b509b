/**
 * One open question per person, over the real server and the WeCom emulator: commands
 * are matched before free text, the live question gets the answer whichever module asked
 * it, and the asking module checks again that the person may still act.
 */
import { expect } from 'chai';
import { Complaint, ComplaintEvent, ComplaintNotice, JointMeetingAgendaItem, VerificationRequest } from '../../entities';
import { LIAISON, STATUS_LABELS } from '../../src/complaints/lifecycle-messages';
import { TEXT as VERIFICATION } from '../../src/verification/messages';
import { TEXT as MEETING } from '../../src/meeting/messages';
import { MSG as EXEMPTIONS } from '../../src/exemptions/messages';
import { CONVERSATION } from '../../src/conversation';
import { ASSISTANT } from '../../src/assistant/messages';
import { complaintButtonKey } from '../../cards/complaint.card';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { KfHarness, startKfHarness } from '../helpers/kf';
import { VerificationMother } from '../helpers/mothers/verification';
import { cardOf } from '../helpers/inbox';

const LIAISON_ID = 'hrss.liaison';

describe('conversation: which module a text message goes to', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  // The emulator keeps WeCom's 30 messages a minute per member across tests: each test
  // runs in its own minute, so none of the liaison's messages is dropped.
  let minute = 0;
  beforeEach(async () => {
    await kh.reset();
    kh.h.clock.advance(++minute * 2 * 60_000);
  });

  async function registered(over: Parameters<typeof ComplaintMother.hotline>[0] = {}): Promise<{ id: number; number: string; taskId: string }> {
    const res = await kh.office.post('/complaints', ComplaintMother.hotline(over));
    expect(res.status).to.equal(201);
    await kh.settle();
    const card = kh.delivered({ touser: LIAISON_ID, msgtype: 'template_card' }).find((d) => d.payload.main_title.title === `投诉 ${res.body.number}`);
    return { id: res.body.id, number: res.body.number, taskId: card!.payload.task_id };
  }

  async function click(taskId: string, key: string, user = LIAISON_ID): Promise<void> {
    await kh.h.emu.clickButton(user, taskId, key);
    await kh.settle();
  }

  async function say(content: string, user = LIAISON_ID): Promise<void> {
    await kh.h.emu.sendText(user, content);
    await kh.settle();
  }

  function texts(user = LIAISON_ID): string[] {
    return kh.delivered({ touser: user, msgtype: 'text' }).map((d) => d.payload.content as string);
  }

  /** An accepted complaint whose liaison was asked for the result (办结) and has not answered. */
  async function waitingForResult(): Promise<{ id: number; number: string; taskId: string }> {
    const c = await registered();
    await click(c.taskId, complaintButtonKey('accept', c.id));
    await click(c.taskId, complaintButtonKey('resolve', c.id));
    expect(texts().at(-1)!.startsWith(LIAISON.askResult(c.number))).to.equal(true);
    return c;
  }

  async function complaintState(id: number): Promise<{ status: string; result: string | null; events: string[]; notices: number }> {
    const ds = kh.h.sys.dataSource;
    const c = await ds.getRepository(Complaint).findOneByOrFail({ id });
    const events = (await ds.getRepository(ComplaintEvent).find({ where: { complaintId: id }, order: { id: 'ASC' } })).map((e) => e.type);
    return { status: c.status, result: c.result, events, notices: await ds.getRepository(ComplaintNotice).count() };
  }

  it('清单调整 while a complaint waits for its result: the command runs, the complaint is not resolved with it', async () => {
    const c = await waitingForResult();
    const before = await complaintState(c.id);
    const cards = kh.delivered({ touser: LIAISON_ID, msgtype: 'template_card' }).length;

    await say('清单调整');
    expect(await complaintState(c.id)).to.deep.equal(before);
    expect(before.status).to.equal('accepted');
    expect(texts().some((t) => t.startsWith(`投诉${c.number}：${STATUS_LABELS.resolved}`))).to.equal(false);
    const started = kh.delivered({ touser: LIAISON_ID, msgtype: 'template_card' }).slice(cards);
    expect(started.map((d) => d.payload.main_title.title)).to.deep.equal([EXEMPTIONS.startTitle]);

    // The question is still open: the next free text answers it.
    await say('已当面向投诉人说明，社保转移已办结。');
    expect(await complaintState(c.id)).to.include({ status: 'resolved', result: '已当面向投诉人说明，社保转移已办结。' });
  });

  it('议题：… while a complaint waits for its result: the agenda item is recorded, the complaint is untouched', async () => {
    const c = await waitingForResult();
    const before = await complaintState(c.id);

    await say('议题：统一各部门核验答复时限');
    expect(await complaintState(c.id)).to.deep.equal(before);
    const items = await kh.h.sys.dataSource.getRepository(JointMeetingAgendaItem).find();
    expect(items.map((i) => i.text)).to.deep.equal(['统一各部门核验答复时限']);
    expect(texts().at(-1)).to.equal(MEETING.agendaForNext);
  });

  it('帮助 while a complaint waits for its result: the help text, the complaint untouched', async () => {
    const c = await waitingForResult();
    const before = await complaintState(c.id);
    await say('帮助');
    expect(texts().at(-1)).to.equal(ASSISTANT.help);
    expect(await complaintState(c.id)).to.deep.equal(before);
  });

  it('退回 a verification request, then a complaint question: the text answers the complaint, not the return', async () => {
    const psb = await kh.unitKey('PSB');
    const created = await psb.post('/verifications', VerificationMother.body({ requesterUnit: 'PSB', issuerUnit: 'HRSS' }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    await kh.settle();
    const card = cardOf(kh.h, LIAISON_ID, created.body.id)!;
    await click(card.taskId, `verif_return:${created.body.id}`);
    expect(texts().at(-1)).to.equal(VERIFICATION.askReturnReason(created.body.number));

    const c = await waitingForResult();
    // The complaint's question replaced the return's, and the bot said so.
    expect(texts().at(-1)).to.equal(`${LIAISON.askResult(c.number)}\n${CONVERSATION.replaced(VERIFICATION.questionLabel('return_reason', created.body.number))}`);
    const psbBefore = kh.delivered({ touser: 'psb.liaison' }).length;

    await say('已当面向投诉人说明，社保转移已办结。');
    expect(await complaintState(c.id)).to.include({ status: 'resolved', result: '已当面向投诉人说明，社保转移已办结。' });
    const req = await kh.h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: created.body.id });
    expect(req).to.include({ status: 'returned', returnReason: null });
    expect(kh.delivered({ touser: 'psb.liaison' }).length, 'the requesting unit is told nothing').to.equal(psbBefore);
    expect(texts().some((t) => t === VERIFICATION.returnedOwner(created.body.number))).to.equal(false);
  });

  it('a new question says which older question it replaced', async () => {
    const c = await waitingForResult();
    const d = await registered({ name: '李四', phone: '13900002222', facts: '在不动产登记窗口被要求提供无犯罪记录证明，清单上已写明免提交。' });
    await click(d.taskId, complaintButtonKey('accept', d.id));
    await click(d.taskId, complaintButtonKey('extend', d.id));
    expect(texts().at(-1)).to.equal(`${LIAISON.askExtension(d.number)}\n${CONVERSATION.replaced(LIAISON.questionLabel(c.number, 'resolve'))}`);
    await say('取消');
    expect(texts().at(-1)).to.equal(LIAISON.cancelled(d.number));
    await say('取消');
    expect(texts().at(-1)).to.equal(CONVERSATION.nothingToCancel);
    expect((await complaintState(c.id)).status).to.equal('accepted');
    expect((await complaintState(d.id)).status).to.equal('accepted');
  });

  it('after the complaint goes to another agency, the former liaison\'s answer is refused and changes nothing', async () => {
    const c = await waitingForResult();
    const moved = await kh.office.post(`/complaints/${c.id}/assign`, { agencyCode: 'PSB' });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    await kh.settle();
    const before = await complaintState(c.id);

    await say('已当面向投诉人说明，社保转移已办结。');
    expect(texts().at(-1)).to.equal(LIAISON.notAllowed);
    expect(await complaintState(c.id)).to.deep.equal(before);
    expect(before.status).to.equal('accepted');
  });
});
