/**
 * Art. 10: the complainant is told the result over WeChat Customer Service when the
 * 48-hour / 5-message window allows; otherwise it waits for the citizen's next message
 * and the office sees "not yet delivered". WeCom's 95001/95002/95018 are never retried blindly.
 */
import { expect } from 'chai';
import { Complaint, ComplaintNotice, KfConversation, OutboxMessage } from '../../entities';
import { T } from '../../src/complaints/messages';
import { CITIZEN } from '../../src/complaints/lifecycle-messages';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { fileByChat, KfHarness, startKfHarness } from '../helpers/kf';

const HOUR = 3600_000;
const RESULT = '经核实，窗口已不再要求提供居住证明，已为您办结社保转移。';

describe('complaints: telling the complainant (Art. 10)', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  async function fileAndResolve(ext: string, beforeResolve?: () => Promise<void>): Promise<Complaint> {
    const number = await fileByChat(kh, ext);
    const c = await kh.h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ number });
    expect((await kh.office.post(`/complaints/${c.id}/accept`)).status).to.equal(200);
    if (beforeResolve) await beforeResolve();
    expect((await kh.office.post(`/complaints/${c.id}/resolve`, { result: RESULT })).status).to.equal(200);
    await kh.settle();
    return c;
  }

  const expected = (n: string) => CITIZEN.final(n, CITIZEN.outcome.resolved(RESULT));

  it('sends the result at once while the window is open, and marks it delivered', async () => {
    const c = await fileAndResolve('wmOpen');
    expect(kh.last('wmOpen')).to.equal(expected(c.number));
    const view = (await kh.office.get(`/complaints/${c.id}`)).body;
    expect(view.resultDelivered).to.equal(true);
    expect(view.resultDeliveredAt).to.equal('2026-11-26T09:00:00+08:00');
    expect(view.notices).to.have.length(1);
    expect(view.notices[0]).to.include({ kind: 'result', status: 'sent' });
    expect(view.events.at(-1)).to.include({ type: 'result_delivered', actor: 'system' });
  });

  it('holds the result after 48 hours of silence and delivers it before the reply to the next message', async () => {
    const c = await fileAndResolve('wmSilent', async () => kh.h.clock.advance(49 * HOUR));
    const sentBefore = kh.sent('wmSilent').length;
    expect(kh.last('wmSilent')).not.to.contain(RESULT);
    let view = (await kh.office.get(`/complaints/${c.id}`)).body;
    expect(view.resultDelivered).to.equal(false);
    expect(view.notices[0]).to.include({ status: 'pending', lastErrcode: null });
    expect(kh.h.emu.apiCalls().filter((a) => a.path === '/cgi-bin/kf/send_msg' && a.body?.touser === 'wmSilent' && a.errcode !== 0)).to.have.length(0);

    const r = await kh.say('wmSilent', '你好');
    expect(kh.sent('wmSilent')).to.have.length(sentBefore + 2);
    expect(r[0]).to.equal(expected(c.number));
    expect(r[1]).to.contain(T.welcomeHead);
    view = (await kh.office.get(`/complaints/${c.id}`)).body;
    expect(view.resultDelivered).to.equal(true);
  });

  it('holds the result when the 5 messages of the window are used up', async () => {
    const c = await fileAndResolve('wmFull', async () => {
      await kh.h.sys.dataSource.getRepository(KfConversation).update({ openKfId: kh.kf, externalUserId: 'wmFull' }, { sentSince: 5 });
    });
    expect(kh.last('wmFull')).not.to.contain(RESULT);
    expect((await kh.h.sys.dataSource.getRepository(ComplaintNotice).findOneByOrFail({ complaintId: c.id })).status).to.equal('pending');
    const r = await kh.say('wmFull', '查询进度');
    expect(r[0]).to.equal(expected(c.number));
  });

  for (const errcode of [95001, 95002, 95018]) {
    it(`takes WeCom's ${errcode} as "window closed": pending, no blind retry, delivered on the next message`, async () => {
      const c = await fileAndResolve(`wm${errcode}`, async () => {
        kh.h.emu.injectError('/cgi-bin/kf/send_msg', errcode, 1);
      });
      const ext = `wm${errcode}`;
      const row = await kh.h.sys.dataSource.getRepository(OutboxMessage).findOneByOrFail({ refType: 'complaint_notice' });
      expect(row).to.include({ status: 'failed', errcode });
      const notice = await kh.h.sys.dataSource.getRepository(ComplaintNotice).findOneByOrFail({ complaintId: c.id });
      expect(notice).to.include({ status: 'pending', lastErrcode: errcode });
      const conv = await kh.h.sys.dataSource.getRepository(KfConversation).findOneByOrFail({ openKfId: kh.kf, externalUserId: ext });
      expect(conv.sentSince).to.equal(5);
      const view = (await kh.office.get(`/complaints/${c.id}`)).body;
      expect(view.resultDelivered).to.equal(false);
      expect(view.events.map((e: any) => e.type)).to.include('notice_deferred');

      const calls = () => kh.h.emu.apiCalls().filter((a) => a.path === '/cgi-bin/kf/send_msg' && a.body?.touser === ext).length;
      const n = calls();
      await kh.settle();
      await kh.settle();
      expect(calls()).to.equal(n);

      const r = await kh.say(ext, '你好');
      expect(r[0]).to.equal(expected(c.number));
      expect((await kh.office.get(`/complaints/${c.id}`)).body.resultDelivered).to.equal(true);
    });
  }

  it('for a case outside the chat, the office records how the complainant was told', async () => {
    const created = await kh.office.post('/complaints', ComplaintMother.hotline());
    const id = created.body.id;
    let res = await kh.office.post(`/complaints/${id}/result-delivered`, { how: '电话告知' });
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('complaint_invalid_state');
    await kh.office.post(`/complaints/${id}/accept`);
    await kh.office.post(`/complaints/${id}/resolve`, { result: '已纠正' });
    res = await kh.office.get(`/complaints/${id}`);
    expect(res.body.resultDelivered).to.equal(false);
    expect(res.body.notices).to.deep.equal([]);
    res = await kh.office.post(`/complaints/${id}/result-delivered`, {});
    expect(res.status).to.equal(422);
    res = await kh.office.post(`/complaints/${id}/result-delivered`, { how: '12月1日电话告知投诉人' });
    expect(res.body).to.include({ resultDelivered: true });
    expect(res.body.events.at(-1)).to.include({ type: 'result_delivered', actor: 'office:office', reason: '12月1日电话告知投诉人' });
  });
});
