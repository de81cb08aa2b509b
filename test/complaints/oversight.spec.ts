/**
 * The office oversees (SPEC 3: the agency complained about should not have the last word):
 * it hears of every non-acceptance and termination, without personal data, and may reopen
 * a case; after a reassignment the former agency can no longer act on it. The complainant
 * is told every step over the chat.
 */
import { expect } from 'chai';
import { Complaint } from '../../entities';
import { complaintButtonKey } from '../../cards/complaint.card';
import { CITIZEN, LIAISON, OVERSIGHT, REJECTION_LABELS, STATUS_LABELS, TERMINATION_LABELS } from '../../src/complaints/lifecycle-messages';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { complaintSnapshot, eventsOf, fileByChat, KfHarness, startKfHarness } from '../helpers/kf';

const OFFICE_ID = 'office.duty';
const LIAISON_ID = 'hrss.liaison';

describe('complaints: oversight by the office, reassignment, the citizen told at every step', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  function texts(user: string): string[] {
    return kh.delivered({ touser: user, msgtype: 'text' }).map((d) => d.payload.content as string);
  }

  async function registered(over = {}): Promise<{ id: number; number: string; taskId: string }> {
    const res = await kh.office.post('/complaints', ComplaintMother.hotline(over));
    expect(res.status).to.equal(201);
    await kh.settle();
    const card = kh.delivered({ touser: LIAISON_ID, msgtype: 'template_card' }).find((d) => d.payload.main_title.title === `投诉 ${res.body.number}`)!;
    return { id: res.body.id, number: res.body.number, taskId: card.payload.task_id };
  }

  async function click(user: string, taskId: string, verb: Parameters<typeof complaintButtonKey>[0], id: number, ground?: string): Promise<void> {
    await kh.h.emu.clickButton(user, taskId, complaintButtonKey(verb, id, ground));
    await kh.settle();
  }

  async function reply(user: string, content: string): Promise<void> {
    await kh.h.emu.sendText(user, content);
    await kh.settle();
  }

  async function load(id: number): Promise<Complaint> {
    return kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ id });
  }

  describe('the office is told of every non-acceptance and termination', () => {
    it('a rejection by the agency on its card: number, agency and ground, no name, phone or reason text', async () => {
      const c = await registered();
      await click(LIAISON_ID, c.taskId, 'reject', c.id);
      await click(LIAISON_ID, c.taskId, 'rejground', c.id, 'too_vague');
      await reply(LIAISON_ID, '张小三所述无具体时间地点，电话13812345678无法接通。');
      expect((await load(c.id)).status).to.equal('rejected');
      const note = OVERSIGHT.closed(c.number, '县人力资源和社会保障局', STATUS_LABELS.rejected, REJECTION_LABELS.too_vague);
      expect(texts(OFFICE_ID)).to.deep.equal([note]);
      expect(note).not.to.contain('张小三').and.not.contain('13812345678');
    });

    it('a termination through the API, and the office group when one is configured', async () => {
      const c = await registered();
      await kh.office.post(`/complaints/${c.id}/accept`);
      const chatid = 'wrOFFICE';
      await kh.h.sys.client.appchatCreate({ name: '联席会议办公室', owner: OFFICE_ID, userlist: [OFFICE_ID, LIAISON_ID], chatid });
      (kh.h.sys.config as { officeChatId: string | null }).officeChatId = chatid;
      try {
        expect((await kh.office.post(`/complaints/${c.id}/terminate`, { ground: 'withdrawn' })).status).to.equal(200);
        await kh.settle();
      } finally {
        (kh.h.sys.config as { officeChatId: string | null }).officeChatId = null;
      }
      const group = kh.h.emu.appchatMessages(chatid).map((m) => String(m.payload.content));
      expect(group).to.deep.equal([OVERSIGHT.closed(c.number, '县人力资源和社会保障局', STATUS_LABELS.terminated, TERMINATION_LABELS.withdrawn)]);
    });
  });

  describe('reopening', () => {
    it('the office reopens a rejected chat complaint: accepted again with a fresh deadline, a new card, the citizen told', async () => {
      const number = await fileByChat(kh, 'wmReopen');
      const c = await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ number });
      await kh.office.post(`/complaints/${c.id}/reject`, { ground: 'too_vague' });
      await kh.settle();
      expect(kh.last('wmReopen')).to.equal(CITIZEN.final(number, CITIZEN.outcome.rejected('too_vague', null)));

      kh.h.clock.set('2026-11-27T10:00:00+08:00');
      const res = await kh.office.post(`/complaints/${c.id}/reopen`, { reason: '投诉人补充了办理时间和窗口号，可以核实' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ status: 'accepted', acceptedAt: '2026-11-27T10:00:00+08:00', dueAt: '2026-12-04T17:30:00+08:00', closedAt: null, reopenCount: 1, reopenedAt: '2026-11-27T10:00:00+08:00' });
      expect(res.body.closing).to.equal(null);
      expect(res.body.events.at(-2)).to.include({ type: 'reopened', from: 'rejected', to: 'accepted', actor: 'office:office', reason: '投诉人补充了办理时间和窗口号，可以核实' });
      await kh.settle();
      // The window of the citizen's last message (yesterday 09:00) is still open: told at once.
      expect(kh.last('wmReopen')).to.equal(CITIZEN.step(number, CITIZEN.progress.reopened('2026年12月4日17:30', '投诉人补充了办理时间和窗口号，可以核实')));
      const cards = kh.delivered({ touser: LIAISON_ID, msgtype: 'template_card' }).filter((d) => d.payload.main_title.title === `投诉 ${number}`);
      expect(cards).to.have.length(2);
      expect(cards[1].payload.task_id).to.match(/_r1$/);
      expect(cards[1].payload.button_list.map((b: any) => b.text)).to.deep.equal(['办结', '申请延期', '终止办理']);
      expect(texts(LIAISON_ID).at(-1)).to.equal(LIAISON.reopened(number, '2026-12-04T17:30:00+08:00'));
      // The new period allows its own extension.
      const hrss = await kh.unitKey('HRSS');
      expect((await hrss.post(`/complaints/${c.id}/extension`, { days: 1, reason: '需要现场核实' })).status).to.equal(201);
    });

    it('refuses a reopen by a unit key, of an open case, or without a reason, changing nothing', async () => {
      const c = await registered();
      await kh.office.post(`/complaints/${c.id}/reject`, { ground: 'too_vague' });
      const refused = async (p: () => Promise<{ status: number; body: any }>, status: number, code: string) => {
        await kh.settle();
        const before = await complaintSnapshot(kh);
        const res = await p();
        expect(res.status, JSON.stringify(res.body)).to.equal(status);
        expect(res.body.error.code).to.equal(code);
        await kh.settle();
        expect(await complaintSnapshot(kh)).to.deep.equal(before);
      };
      const hrss = await kh.unitKey('HRSS');
      await refused(() => hrss.post(`/complaints/${c.id}/reopen`, { reason: '我们想重新处理' }), 403, 'forbidden');
      await refused(() => kh.office.post(`/complaints/${c.id}/reopen`, {}), 422, 'validation_failed');
      const open = await registered({ phone: '13900000001', facts: ComplaintMother.otherFacts });
      await refused(() => kh.office.post(`/complaints/${open.id}/reopen`, { reason: '复核' }), 409, 'complaint_invalid_state');
    });
  });

  describe('reassignment: the former agency can no longer act', () => {
    it('a stale card click from the former agency is refused with a clear message and the card greyed', async () => {
      const c = await registered();
      await click(LIAISON_ID, c.taskId, 'accept', c.id);
      const moved = await kh.office.post(`/complaints/${c.id}/assign`, { agencyCode: 'PSB' });
      expect(moved.status).to.equal(200);
      await kh.settle();
      expect(texts(LIAISON_ID).at(-1)).to.equal(LIAISON.reassignedNote(c.number, '县公安局'));
      expect(kh.delivered({ touser: 'psb.liaison', msgtype: 'template_card' }).map((d) => d.payload.main_title.title)).to.deep.equal([`投诉 ${c.number}`]);
      const before = await complaintSnapshot(kh);
      await click(LIAISON_ID, c.taskId, 'resolve', c.id);
      expect(texts(LIAISON_ID).at(-1)).to.equal(LIAISON.reassignedAway(c.number, '县公安局'));
      expect(kh.h.emu.cardState(LIAISON_ID, c.taskId)!.replace_name).to.equal('已转办');
      const after = await complaintSnapshot(kh);
      expect([after.complaints, after.events, after.notices]).to.deep.equal([before.complaints, before.events, before.notices]);
    });

    it('an answer in the chat to a question asked before the move changes nothing; a waiting extension lapses', async () => {
      const c = await registered();
      await click(LIAISON_ID, c.taskId, 'accept', c.id);
      await click(LIAISON_ID, c.taskId, 'extend', c.id);
      await reply(LIAISON_ID, '2个工作日，需要调取档案');
      await click(LIAISON_ID, c.taskId, 'resolve', c.id);
      await kh.office.post(`/complaints/${c.id}/assign`, { agencyCode: 'PSB' });
      await kh.settle();
      const before = await load(c.id);
      await reply(LIAISON_ID, '已当面向投诉人说明，社保转移已办结。');
      expect(texts(LIAISON_ID).at(-1)).to.equal(LIAISON.notAllowed);
      const after = await load(c.id);
      expect(after).to.include({ status: 'accepted', agencyCode: 'PSB', result: null, version: before.version });
      expect((await kh.office.get(`/complaints/${c.id}`)).body.extensionApplications[0].status).to.equal('lapsed');
      // The new agency may apply for its own.
      expect((await (await kh.unitKey('PSB')).post(`/complaints/${c.id}/extension`, { days: 1, reason: '需要现场核实' })).status).to.equal(201);
    });
  });

  it('the complainant hears every step in the chat: accepted with the deadline, then the result; another: terminated', async () => {
    const number = await fileByChat(kh, 'wmSteps');
    const c = await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ number });
    await kh.office.post(`/complaints/${c.id}/accept`);
    await kh.settle();
    expect(kh.last('wmSteps')).to.equal(CITIZEN.step(number, CITIZEN.progress.accepted('2026年12月3日17:30')));
    await kh.office.post(`/complaints/${c.id}/resolve`, { result: '已纠正窗口做法。' });
    await kh.settle();
    expect(kh.last('wmSteps')).to.equal(CITIZEN.final(number, CITIZEN.outcome.resolved('已纠正窗口做法。')));

    const other = await fileByChat(kh, 'wmEnd', { phone: '13900002222', facts: ComplaintMother.otherFacts });
    const d = await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ number: other });
    await kh.office.post(`/complaints/${d.id}/terminate`, { ground: 'withdrawn', reason: '投诉人来电撤回' });
    await kh.settle();
    expect(kh.last('wmEnd')).to.equal(CITIZEN.final(other, CITIZEN.outcome.terminated('withdrawn', '投诉人来电撤回')));
    const kinds = (await kh.office.get(`/complaints/${c.id}`)).body.notices.map((n: any) => [n.kind, n.status]);
    expect(kinds).to.deep.equal([
      ['progress', 'sent'],
      ['result', 'sent'],
    ]);
    expect((await eventsOf(kh.h.sys.dataSource, d.id)).map((e) => e.type)).to.include('terminated');
  });
});
