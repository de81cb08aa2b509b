/** The questions the scheduler asks about complaints. */
import { expect } from 'chai';
import { Complaint, KfConversation } from '../../entities';
import { dueComplaintReminders, purgeExpiredConversations, unansweredComplaints, undeliveredResults } from '../../src/complaints';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { fileByChat, KfHarness, startKfHarness } from '../helpers/kf';

describe('complaints: reminder queries for the scheduler', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  async function register(over = {}): Promise<any> {
    const res = await kh.office.post('/complaints', ComplaintMother.hotline(over));
    expect(res.status).to.equal(201);
    return res.body;
  }

  const at = (s: string) => new Date(s);

  it('lists accepted cases due within a working day, then overdue; duplicates and closed cases are left out', async () => {
    const ds = kh.h.sys.dataSource;
    const cal = await kh.h.sys.deps.calendar();
    kh.h.clock.set('2026-11-26T10:00:00+08:00');
    const a = await register();
    await register({ facts: ComplaintMother.sameFactsAgain, channel: 'letter' });
    await kh.office.post(`/complaints/${a.id}/accept`);
    const b = await register({ phone: '13900000002', facts: ComplaintMother.otherFacts, agencyCode: 'PSB' });
    await kh.office.post(`/complaints/${b.id}/accept`);
    await kh.office.post(`/complaints/${b.id}/resolve`, { result: '已纠正' });

    expect(await dueComplaintReminders(ds, at('2026-12-02T17:00:00+08:00'), cal)).to.deep.equal([]);
    const soon = await dueComplaintReminders(ds, at('2026-12-03T09:00:00+08:00'), cal);
    expect(soon).to.have.length(1);
    expect(soon[0]).to.deep.include({ complaintId: a.id, number: a.number, kind: 'due_soon', officeMinutesLeft: 420, agencyCode: 'HRSS', contacts: ['hrss.liaison'] });
    expect(soon[0].dueAt.toISOString()).to.equal('2026-12-03T09:30:00.000Z');
    const late = await dueComplaintReminders(ds, at('2026-12-04T09:00:00+08:00'), cal);
    expect(late[0]).to.deep.include({ kind: 'overdue', officeMinutesLeft: -30 });
    expect(await dueComplaintReminders(ds, at('2026-12-03T09:00:00+08:00'), cal, { withinOfficeMinutes: 60 })).to.deep.equal([]);
  });

  it('lists registered cases nobody accepted or refused by the end of the next working day', async () => {
    const ds = kh.h.sys.dataSource;
    const cal = await kh.h.sys.deps.calendar();
    const a = await register();
    expect(await unansweredComplaints(ds, at('2026-11-27T17:29:00+08:00'), cal)).to.deep.equal([]);
    expect((await unansweredComplaints(ds, at('2026-11-27T17:30:00+08:00'), cal)).map((c) => c.id)).to.deep.equal([a.id]);
    await kh.office.post(`/complaints/${a.id}/accept`);
    expect(await unansweredComplaints(ds, at('2026-11-30T09:00:00+08:00'), cal)).to.deep.equal([]);
  });

  it('lists closed cases whose result has not reached the complainant after 48 hours', async () => {
    const ds = kh.h.sys.dataSource;
    const number = await fileByChat(kh, 'wmGone');
    const chat = await ds.getRepository(Complaint).findOneByOrFail({ number });
    const phone = await register({ phone: '13900000003', facts: ComplaintMother.otherFacts });
    kh.h.clock.advance(49 * 3600_000);
    for (const id of [chat.id, phone.id]) {
      await kh.office.post(`/complaints/${id}/accept`);
      await kh.office.post(`/complaints/${id}/resolve`, { result: '已纠正' });
    }
    await kh.settle();
    const now = kh.h.clock.now;
    expect(await undeliveredResults(ds, now)).to.deep.equal([]);
    const later = new Date(now.getTime() + 48 * 3600_000);
    expect((await undeliveredResults(ds, later)).map((c) => c.id).sort()).to.deep.equal([chat.id, phone.id].sort());
    await kh.office.post(`/complaints/${phone.id}/result-delivered`, { how: '电话告知' });
    expect((await undeliveredResults(ds, later)).map((c) => c.id)).to.deep.equal([chat.id]);
  });

  it('drops conversation states a week past their expiry', async () => {
    const ds = kh.h.sys.dataSource;
    await kh.say('wmOld', '投诉举报', 'menu_complain');
    const conv = await ds.getRepository(KfConversation).findOneByOrFail({ externalUserId: 'wmOld', openKfId: kh.kf });
    expect(await purgeExpiredConversations(ds, new Date(conv.expiresAt!.getTime() + 6 * 86_400_000))).to.equal(0);
    expect(await purgeExpiredConversations(ds, new Date(conv.expiresAt!.getTime() + 8 * 86_400_000))).to.equal(1);
    expect((await ds.getRepository(KfConversation).findOneByOrFail({ id: conv.id })).state).to.equal(null);
  });
});
