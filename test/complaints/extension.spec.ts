/**
 * 投诉举报办法 Art. 10: the agency applies for one extension (1-5 working days, a reason)
 * before the deadline; the office grants or refuses it from its card or the API; the
 * complainant is told the new date. Every refusal changes nothing.
 */
import { expect } from 'chai';
import { Complaint, Staff } from '../../entities';
import { complaintButtonKey } from '../../cards/complaint.card';
import { CITIZEN, EXTENSION, LIAISON } from '../../src/complaints/lifecycle-messages';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { Api } from '../helpers/api';
import { complaintSnapshot, fileByChat, KfHarness, startKfHarness } from '../helpers/kf';

const OFFICE_ID = 'office.duty';

describe('complaints: extension applied for by the agency, decided by the office (Art. 10)', () => {
  let kh: KfHarness;
  let hrss: Api;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => {
    await kh.reset();
    hrss = await kh.unitKey('HRSS');
  });

  async function accepted(over = {}): Promise<{ id: number; number: string }> {
    const res = await kh.office.post('/complaints', ComplaintMother.hotline(over));
    expect(res.status).to.equal(201);
    expect((await kh.office.post(`/complaints/${res.body.id}/accept`)).status).to.equal(200);
    await kh.settle();
    return { id: res.body.id, number: res.body.number };
  }

  async function expectRefused(p: () => Promise<{ status: number; body: any }>, status: number, code: string): Promise<any> {
    await kh.settle();
    const before = await complaintSnapshot(kh);
    const res = await p();
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.error.code).to.equal(code);
    await kh.settle();
    expect(await complaintSnapshot(kh)).to.deep.equal(before);
    return res.body;
  }

  function officeCard(number: string): any {
    return kh.delivered({ touser: OFFICE_ID, msgtype: 'template_card' }).find((d) => d.payload.main_title.title === `延期申请 ${number}`);
  }

  function texts(user: string): string[] {
    return kh.delivered({ touser: user, msgtype: 'text' }).map((d) => d.payload.content as string);
  }

  it('an application leaves the case accepted and its deadline unchanged; the office members get a card', async () => {
    const c = await accepted();
    const res = await hrss.post(`/complaints/${c.id}/extension`, { days: 3, reason: '需调取2019年的纸质档案' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ status: 'accepted', dueAt: '2026-12-03T17:30:00+08:00', extension: null });
    expect(res.body.extensionApplications).to.have.length(1);
    expect(res.body.extensionApplications[0]).to.include({ days: 3, status: 'pending', requestedBy: 'unit:unit HRSS', previousDueAt: '2026-12-03T17:30:00+08:00', newDueAt: null });
    await kh.settle();
    const card = officeCard(c.number);
    expect(card, 'office card').to.not.equal(undefined);
    expect(card.payload.button_list.map((b: any) => b.text)).to.deep.equal(['同意', '不同意']);
    expect(card.payload.emphasis_content.title).to.equal('3个工作日');
  });

  it('the office grants from the card: extended, new date counted from the old deadline, the card greyed, a second click refused', async () => {
    const c = await accepted();
    await hrss.post(`/complaints/${c.id}/extension`, { days: 3, reason: '需调取2019年的纸质档案' });
    await kh.settle();
    const taskId = officeCard(c.number).payload.task_id;
    await kh.h.emu.clickButton(OFFICE_ID, taskId, complaintButtonKey('extgrant', c.id));
    await kh.settle();
    const row = await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ id: c.id });
    expect(row).to.include({ status: 'extended', extensionDays: 3, extensionReason: '需调取2019年的纸质档案' });
    expect(row.dueAt!.toISOString()).to.equal('2026-12-08T09:30:00.000Z');
    expect(kh.h.emu.cardState(OFFICE_ID, taskId)!.replace_name).to.equal('已同意延期');
    expect(texts(OFFICE_ID).at(-1)).to.equal(EXTENSION.granted(c.number, '2026-12-08T17:30:00+08:00'));
    expect(texts('hrss.liaison').at(-1)).to.equal(LIAISON.extensionGranted(c.number, '2026-12-08T17:30:00+08:00'));
    const view = (await kh.office.get(`/complaints/${c.id}`)).body;
    expect(view.extensionApplications[0]).to.include({ status: 'granted', decidedBy: `wecom:${OFFICE_ID}`, newDueAt: '2026-12-08T17:30:00+08:00' });
    expect(view.events.at(-1)).to.include({ type: 'extended', from: 'accepted', to: 'extended', actor: `wecom:${OFFICE_ID}` });

  });

  it('a card clicked after the office decided through the API says so and greys', async () => {
    const c = await accepted();
    await hrss.post(`/complaints/${c.id}/extension`, { days: 2, reason: '需调取档案' });
    await kh.settle();
    const taskId = officeCard(c.number).payload.task_id;
    expect((await kh.office.post(`/complaints/${c.id}/extension/decision`, { grant: false })).status).to.equal(200);
    await kh.settle();
    const before = await complaintSnapshot(kh);
    await kh.h.emu.clickButton(OFFICE_ID, taskId, complaintButtonKey('extgrant', c.id));
    await kh.settle();
    expect(texts(OFFICE_ID).at(-1)).to.equal(EXTENSION.decided(c.number, '已不同意延期'));
    expect(kh.h.emu.cardState(OFFICE_ID, taskId)!.replace_name).to.equal('已不同意延期');
    const after = await complaintSnapshot(kh);
    expect([after.complaints, after.events]).to.deep.equal([before.complaints, before.events]);
  });

  it('the office refuses through the API: the deadline stands, the agency is told, no second application', async () => {
    const c = await accepted();
    await hrss.post(`/complaints/${c.id}/extension`, { days: 5, reason: '涉及多个部门' });
    const res = await kh.office.post(`/complaints/${c.id}/extension/decision`, { grant: false, note: '事实清楚，无需延期' });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'accepted', dueAt: '2026-12-03T17:30:00+08:00' });
    expect(res.body.extensionApplications[0]).to.include({ status: 'refused', note: '事实清楚，无需延期' });
    expect(res.body.events.at(-1)).to.include({ type: 'extension_refused', reason: '事实清楚，无需延期' });
    await kh.settle();
    expect(texts('hrss.liaison').at(-1)).to.equal(LIAISON.extensionDenied(c.number, '2026-12-03T17:30:00+08:00', '事实清楚，无需延期'));
    const body = await expectRefused(() => hrss.post(`/complaints/${c.id}/extension`, { days: 2, reason: '再申请一次' }), 409, 'complaint_extension_refused');
    expect(body.error.details).to.deep.equal({ reason: 'second' });
  });

  describe('bad input: refused with a clear message, nothing changes', () => {
    it('a second extension after one was granted', async () => {
      const c = await accepted();
      await hrss.post(`/complaints/${c.id}/extension`, { days: 1, reason: '需要补充材料' });
      await kh.office.post(`/complaints/${c.id}/extension/decision`, { grant: true });
      const body = await expectRefused(() => hrss.post(`/complaints/${c.id}/extension`, { days: 2, reason: '还需要时间' }), 409, 'complaint_extension_refused');
      expect(body.error.message).to.contain('Art. 10 allows one');
      // While one waits, a second is refused too.
      const d = await accepted({ phone: '13900000001', facts: ComplaintMother.otherFacts });
      await hrss.post(`/complaints/${d.id}/extension`, { days: 1, reason: '需要补充材料' });
      await expectRefused(() => hrss.post(`/complaints/${d.id}/extension`, { days: 2, reason: '还需要时间' }), 409, 'complaint_extension_refused');
    });

    it('an extension applied for after the deadline, by the API or the card', async () => {
      const res = await kh.office.post('/complaints', ComplaintMother.hotline());
      const c = { id: res.body.id as number, number: res.body.number as string };
      await kh.settle();
      const card = kh.delivered({ touser: 'hrss.liaison', msgtype: 'template_card' }).find((d) => d.payload.main_title.title === `投诉 ${c.number}`)!;
      await kh.h.emu.clickButton('hrss.liaison', card.payload.task_id, complaintButtonKey('accept', c.id));
      await kh.settle();
      kh.h.clock.set('2026-12-03T17:31:00+08:00');
      const body = await expectRefused(() => hrss.post(`/complaints/${c.id}/extension`, { days: 2, reason: '需调取档案' }), 409, 'complaint_extension_refused');
      expect(body.error.details).to.deep.equal({ reason: 'deadline_passed' });
      expect(body.error.message).to.contain('deadline passed');
      await kh.h.emu.clickButton('hrss.liaison', card.payload.task_id, complaintButtonKey('extend', c.id));
      await kh.settle();
      expect(texts('hrss.liaison').at(-1)).to.equal(LIAISON.extensionLate(c.number));
      expect((await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ id: c.id })).status).to.equal('accepted');
    });

    it('a decision by a non-office member: a unit key, a liaison clicking the office card', async () => {
      const c = await accepted();
      await hrss.post(`/complaints/${c.id}/extension`, { days: 2, reason: '需调取档案' });
      await expectRefused(() => hrss.post(`/complaints/${c.id}/extension/decision`, { grant: true }), 403, 'forbidden');
      await kh.settle();
      const taskId = officeCard(c.number).payload.task_id;
      // The card reached an office member who has since moved to an agency.
      await kh.h.sys.dataSource.getRepository(Staff).update({ userid: OFFICE_ID }, { unitCode: 'HRSS', role: 'deputy' });
      const before = await complaintSnapshot(kh);
      await kh.h.emu.clickButton(OFFICE_ID, taskId, complaintButtonKey('extgrant', c.id));
      await kh.settle();
      expect(texts(OFFICE_ID).at(-1)).to.equal(EXTENSION.notOffice);
      const after = await complaintSnapshot(kh);
      expect([after.complaints, after.events]).to.deep.equal([before.complaints, before.events]);
      expect((await kh.office.get(`/complaints/${c.id}`)).body.extensionApplications[0].status).to.equal('pending');
    });

    it('an application by the office key, by another unit, out of range, or without a reason', async () => {
      const c = await accepted();
      await expectRefused(() => kh.office.post(`/complaints/${c.id}/extension`, { days: 2, reason: '需调取档案' }), 403, 'forbidden');
      await expectRefused(async () => (await kh.unitKey('PSB')).post(`/complaints/${c.id}/extension`, { days: 2, reason: '需调取档案' }), 404, 'complaint_not_found');
      await expectRefused(() => hrss.post(`/complaints/${c.id}/extension`, { days: 6, reason: '需调取档案' }), 422, 'validation_failed');
      await expectRefused(() => hrss.post(`/complaints/${c.id}/extension`, { days: 0, reason: '需调取档案' }), 422, 'validation_failed');
      await expectRefused(() => hrss.post(`/complaints/${c.id}/extension`, { days: 2 }), 422, 'validation_failed');
      await expectRefused(() => kh.office.post(`/complaints/${c.id}/extension/decision`, { grant: true }), 409, 'complaint_invalid_state');
    });
  });

  it('the complainant over the chat is told the new date and the reason', async () => {
    const number = await fileByChat(kh, 'wmExt');
    const c = await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ number });
    await kh.office.post(`/complaints/${c.id}/accept`);
    await hrss.post(`/complaints/${c.id}/extension`, { days: 3, reason: '需调取2019年的纸质档案' });
    await kh.office.post(`/complaints/${c.id}/extension/decision`, { grant: true });
    await kh.settle();
    expect(kh.last('wmExt')).to.equal(CITIZEN.step(number, CITIZEN.progress.extended('2026年12月8日17:30', '需调取2019年的纸质档案')));
  });
});
