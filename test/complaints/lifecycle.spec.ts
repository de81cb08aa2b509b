/**
 * 投诉举报办法 Art. 5-11 through /api/v1/complaints with an office key: registration from
 * every staff channel, every transition and every refusal.
 */
import { expect } from 'chai';
import { AccountabilityCase, Complaint } from '../../entities';
import { LIAISON, STATUS_LABELS } from '../../src/complaints/lifecycle-messages';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { Api } from '../helpers/api';
import { complaintSnapshot, eventsOf, KfHarness, startKfHarness } from '../helpers/kf';

describe('complaints: lifecycle through the API (Art. 5-11)', () => {
  let kh: KfHarness;
  let api: Api;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => {
    await kh.reset();
    api = kh.office;
  });

  async function register(over = {}): Promise<any> {
    const res = await api.post('/complaints', ComplaintMother.hotline(over));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  async function act(id: number, action: string, body: unknown = {}): Promise<{ status: number; body: any }> {
    return api.post(`/complaints/${id}/${action}`, body);
  }

  async function expectRefused(p: () => Promise<{ status: number; body: any }>, status: number, code: string): Promise<void> {
    await kh.settle();
    const before = await complaintSnapshot(kh);
    const res = await p();
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.error.code).to.equal(code);
    await kh.settle();
    expect(await complaintSnapshot(kh)).to.deep.equal(before);
  }

  describe('registration (Art. 5, 6, 7)', () => {
    it('registers a 12345 hotline complaint at once, numbered per office-local day, and sends the agency its card', async () => {
      const c = await register();
      expect(c.number).to.equal('TS20261126-0001');
      expect(c).to.include({ status: 'registered', channel: 'hotline_12345', hotline: true, ground: 'still_requires_certificate', overdue: false, duplicateOf: null, resultDelivered: null });
      expect(c.agency).to.deep.equal({ code: 'HRSS', name: '县人力资源和社会保障局' });
      expect(c.complainant).to.deep.equal({ name: '张小三', phone: '13812345678' });
      expect(c.receivedAt).to.equal('2026-11-26T09:00:00+08:00');
      expect(c.receivedBy).to.equal('12345热线中心');
      expect(c.events.map((e: any) => e.type)).to.deep.equal(['registered', 'agency_notified']);
      expect(c.events[0]).to.include({ actor: 'office:office', from: null, to: 'registered' });
      await kh.settle();
      const cards = kh.delivered({ touser: 'hrss.liaison', msgtype: 'template_card' });
      expect(cards).to.have.length(1);
      expect(cards[0].payload.main_title.title).to.equal('投诉 TS20261126-0001');

      expect((await register({ phone: '13900000000', facts: ComplaintMother.otherFacts })).number).to.equal('TS20261126-0002');
      kh.h.clock.set('2026-11-27T00:05:00+08:00');
      expect((await register({ phone: '13900000001', facts: '又一件事情，窗口要求提供无犯罪记录证明。' })).number).to.equal('TS20261127-0001');
    });

    it('registers a letter with its receipt time, an agency named in words, and a proxy (Art. 6)', async () => {
      const res = await api.post('/complaints', ComplaintMother.letter({ agencyCode: null, agencyName: '县公安局', receivedAt: '2026-11-25T16:00:00+08:00', isProxy: true, principalName: '李老汉' }));
      expect(res.status).to.equal(201);
      expect(res.body.agency).to.deep.equal({ code: 'PSB', name: '县公安局' });
      expect(res.body.receivedAt).to.equal('2026-11-25T16:00:00+08:00');
      expect(res.body.registeredAt).to.equal('2026-11-26T09:00:00+08:00');
      expect(res.body.proxy).to.deep.equal({ isProxy: true, principalName: '李老汉' });
      expect(res.body.complainant.phone).to.equal('0533-1234567');
      expect(res.body.hotline).to.equal(false);
    });

    it('takes every Art. 5 channel staff enter', async () => {
      const channels = ['hotline_12345', 'letter', 'fax', 'sms', 'email', 'online', 'window', 'ministry_platform', 'enforcement_supervision'];
      for (const [i, channel] of channels.entries()) {
        const c = await register({ channel, phone: `1390000000${i}`, facts: `第${i}件：${ComplaintMother.otherFacts}` });
        expect(c.channel).to.equal(channel);
        expect(c.hotline).to.equal(channel === 'hotline_12345');
      }
    });

    it('registers once per Idempotency-Key', async () => {
      const body = ComplaintMother.hotline();
      const a = await api.post('/complaints', body, { 'idempotency-key': 'call-20261126-001' });
      const b = await api.post('/complaints', body, { 'idempotency-key': 'call-20261126-001' });
      expect(a.status).to.equal(201);
      expect(b.status).to.equal(200);
      expect(b.body.id).to.equal(a.body.id);
      expect(await kh.h.sys.dataSource.getRepository(Complaint).count()).to.equal(1);
    });

    it('records that an agency without liaison or A deputy had nobody to tell', async () => {
      const c = await register({ agencyCode: 'NOLIAISON' });
      expect(c.events.map((e: any) => e.type)).to.deep.equal(['registered', 'agency_no_contact']);
      await kh.settle();
      expect(kh.delivered({ msgtype: 'template_card' })).to.have.length(0);
    });

    it('refuses bad input with a clear error and changes nothing', async () => {
      await register();
      const bad: Array<[unknown, number, string]> = [
        [ComplaintMother.hotline({ phone: '138abcd5678' }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ phone: '12345' }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ agencyCode: 'NOPE' }), 404, 'unit_not_found'],
        [ComplaintMother.hotline({ agencyCode: null, agencyName: null }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ channel: 'kf' }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ channel: 'pigeon' }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ ground: 'rude_staff' }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ facts: '   ' }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ facts: '事'.repeat(5001) }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ isProxy: true }), 422, 'validation_failed'],
        [ComplaintMother.hotline({ receivedAt: 'yesterday' }), 400, 'bad_request'],
        [ComplaintMother.hotline({ receivedAt: '2026-11-27T09:00:00+08:00' }), 422, 'validation_failed'],
        [[1, 2, 3], 422, 'validation_failed'],
      ];
      for (const [body, status, code] of bad) await expectRefused(() => api.post('/complaints', body), status, code);
      const raw = () =>
        fetch(`${kh.h.sys.url}/api/v1/complaints`, { method: 'POST', headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' }, body: '{"channel":' }).then(async (r) => ({
          status: r.status,
          body: await r.json(),
        }));
      await expectRefused(raw, 400, 'bad_request');
      const unit = await kh.unitKey('HRSS');
      await expectRefused(() => unit.post('/complaints', ComplaintMother.hotline()), 403, 'forbidden');
      await expectRefused(() => new Api(kh.h.sys.url, 'nk_wrong').post('/complaints', ComplaintMother.hotline()), 401, 'unauthorized');
    });
  });

  describe('transitions', () => {
    it('accepts (Art. 10: 5 working days) and refuses a second acceptance', async () => {
      const c = await register();
      kh.h.clock.set('2026-11-26T10:00:00+08:00');
      const res = await act(c.id, 'accept');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'accepted', dueAt: '2026-12-03T17:30:00+08:00', acceptedAt: '2026-11-26T10:00:00+08:00', overdue: false });
      const ev = res.body.events[res.body.events.length - 1];
      expect(ev).to.include({ type: 'accepted', actor: 'office:office', from: 'registered', to: 'accepted', at: '2026-11-26T10:00:00+08:00' });
      await kh.settle();
      const texts = kh.delivered({ touser: 'hrss.liaison', msgtype: 'text' }).map((d) => d.payload.content);
      expect(texts).to.include(LIAISON.byOffice(c.number, STATUS_LABELS.accepted, '2026-12-03T17:30:00+08:00'));
      await expectRefused(() => act(c.id, 'accept'), 409, 'complaint_invalid_state');
      kh.h.clock.set('2026-12-03T17:31:00+08:00');
      expect((await api.get(`/complaints/${c.id}`)).body.overdue).to.equal(true);
    });

    for (const ground of ['too_vague', 'malicious_repeat', 'litigation_arbitration_review', 'other']) {
      it(`rejects on the Art. 8 ground ${ground}`, async () => {
        const c = await register();
        const res = await act(c.id, 'reject', { ground, reason: '经核实，反映内容无具体时间地点。' });
        expect(res.status).to.equal(200);
        expect(res.body).to.include({ status: 'rejected', resultDelivered: false, closedAt: '2026-11-26T09:00:00+08:00' });
        expect(res.body.closing).to.deep.equal({ ground, reason: '经核实，反映内容无具体时间地点。' });
        expect(res.body.events.at(-1)).to.include({ type: 'rejected', from: 'registered', to: 'rejected', reason: '经核实，反映内容无具体时间地点。' });
        await expectRefused(() => act(c.id, 'accept'), 409, 'complaint_invalid_state');
      });
    }

    it('refuses a rejection without a valid ground, `other` without a reason, or of an accepted case', async () => {
      const c = await register();
      await expectRefused(() => act(c.id, 'reject', { ground: 'boring' }), 422, 'validation_failed');
      await expectRefused(() => act(c.id, 'reject', { ground: 'other' }), 422, 'validation_failed');
      await expectRefused(() => act(c.id, 'reject', {}), 422, 'validation_failed');
      expect((await act(c.id, 'reject', { ground: 'too_vague' })).body.closing).to.deep.equal({ ground: 'too_vague', reason: null });
      const d = await register({ phone: '13900000009', facts: ComplaintMother.otherFacts });
      await act(d.id, 'accept');
      await expectRefused(() => act(d.id, 'reject', { ground: 'too_vague' }), 409, 'complaint_invalid_state');
    });

    it('extends once by at most 5 working days with a reason; a second extension is refused', async () => {
      const c = await register();
      await expectRefused(() => act(c.id, 'extend', { days: 2, reason: '需调取档案' }), 409, 'complaint_invalid_state');
      await act(c.id, 'accept');
      await expectRefused(() => act(c.id, 'extend', { days: 6, reason: '需调取档案' }), 422, 'validation_failed');
      await expectRefused(() => act(c.id, 'extend', { days: 0, reason: '需调取档案' }), 422, 'validation_failed');
      await expectRefused(() => act(c.id, 'extend', { days: 3 }), 422, 'validation_failed');
      await expectRefused(() => act(c.id, 'extend', { days: 3, reason: ' ' }), 422, 'validation_failed');
      const res = await act(c.id, 'extend', { days: 3, reason: '需调取2019年的纸质档案' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'extended', dueAt: '2026-12-08T17:30:00+08:00' });
      expect(res.body.extension).to.deep.equal({ days: 3, reason: '需调取2019年的纸质档案' });
      expect(res.body.events.at(-1).details).to.deep.include({ days: 3 });
      await expectRefused(() => act(c.id, 'extend', { days: 1, reason: '还需要时间' }), 409, 'complaint_extension_refused');
    });

    it('extends by 5 working days when no number is given', async () => {
      const c = await register();
      await act(c.id, 'accept');
      expect((await act(c.id, 'extend', { reason: '涉及多个部门' })).body.dueAt).to.equal('2026-12-10T17:30:00+08:00');
    });

    it('resolves from accepted and from extended, recording the result (and, SPEC 4, whether upheld)', async () => {
      const a = await register();
      await expectRefused(() => act(a.id, 'resolve', { result: '已办结' }), 409, 'complaint_invalid_state');
      await act(a.id, 'accept');
      await expectRefused(() => act(a.id, 'resolve', {}), 422, 'validation_failed');
      const res = await act(a.id, 'resolve', { result: '经核实，窗口已不再要求提供居住证明，已为投诉人办结社保转移。', upheld: true, accountablePerson: '窗口工作人员王某' });
      expect(res.body).to.include({ status: 'resolved', result: '经核实，窗口已不再要求提供居住证明，已为投诉人办结社保转移。', upheld: true, accountablePerson: '窗口工作人员王某', resultDelivered: false });
      await expectRefused(() => act(a.id, 'resolve', { result: '再办结一次' }), 409, 'complaint_invalid_state');
      await expectRefused(() => act(a.id, 'terminate', { ground: 'withdrawn' }), 409, 'complaint_invalid_state');

      const b = await register({ phone: '13900000008', facts: ComplaintMother.otherFacts });
      await act(b.id, 'accept');
      await act(b.id, 'extend', { days: 2, reason: '需要现场核实' });
      expect((await act(b.id, 'resolve', { result: '已现场核实并纠正。' })).body.status).to.equal('resolved');
      const types = (await eventsOf(kh.h.sys.dataSource, b.id)).map((e) => e.type);
      expect(types).to.deep.equal(['registered', 'agency_notified', 'accepted', 'extended', 'resolved']);
    });

    it('records the office assessment of a resolved case', async () => {
      const a = await register();
      await expectRefused(() => act(a.id, 'assessment', { upheld: true }), 409, 'complaint_invalid_state');
      await act(a.id, 'accept');
      await act(a.id, 'resolve', { result: '已纠正' });
      const res = await act(a.id, 'assessment', { upheld: true, accountablePerson: '王某' });
      expect(res.body).to.include({ upheld: true, accountablePerson: '王某' });
      // SPEC 4: an upheld complaint is an accountability case for the agency, once.
      await act(a.id, 'assessment', { upheld: true, accountablePerson: '王某' });
      const cases = await kh.h.sys.dataSource.getRepository(AccountabilityCase).find();
      expect(cases).to.have.length(1);
      expect(cases[0]).to.include({ ground: 'complaint_upheld', unitCode: 'HRSS', sourceKey: `complaint:${a.id}`, status: 'open' });
      expect(JSON.parse(cases[0].facts)).to.include({ complaint: a.number, accountablePerson: '王某' });
    });

    it('opens no accountability case for a complaint resolved as not upheld', async () => {
      const a = await register();
      await act(a.id, 'accept');
      await act(a.id, 'resolve', { result: '经核实，单位未要求提供证明。', upheld: false });
      expect(await kh.h.sys.dataSource.getRepository(AccountabilityCase).count()).to.equal(0);
    });

    for (const [ground, from] of [
      ['withdrawn', 'registered'],
      ['arbitration_review_litigation_started', 'accepted'],
      ['other', 'extended'],
    ] as const) {
      it(`terminates on the Art. 11 ground ${ground} from ${from}`, async () => {
        const c = await register();
        if (from !== 'registered') await act(c.id, 'accept');
        if (from === 'extended') await act(c.id, 'extend', { days: 1, reason: '需要补充材料' });
        await expectRefused(() => act(c.id, 'terminate', { ground: 'bored' }), 422, 'validation_failed');
        const res = await act(c.id, 'terminate', { ground, reason: '投诉人来电说明情况' });
        expect(res.status).to.equal(200);
        expect(res.body).to.include({ status: 'terminated' });
        expect(res.body.closing).to.deep.equal({ ground, reason: '投诉人来电说明情况' });
        expect(res.body.events.at(-1)).to.include({ from, to: 'terminated' });
        await expectRefused(() => act(c.id, 'resolve', { result: 'x办结' }), 409, 'complaint_invalid_state');
      });
    }

    it('answers 404 for an unknown case, and a unit key may only read its own cases, masked', async () => {
      const c = await register();
      await expectRefused(() => act(99999, 'accept'), 404, 'complaint_not_found');
      await expectRefused(() => act(0, 'accept'), 404, 'complaint_not_found');
      await expectRefused(() => api.post('/complaints/abc/accept'), 404, 'complaint_not_found');
      expect((await api.get('/complaints/99999')).status).to.equal(404);
      expect((await api.get(`/complaints/${c.number}`)).body.id).to.equal(c.id);
      expect((await api.get('/complaints/TS20991231-0001')).status).to.equal(404);
      const own = await kh.unitKey('HRSS');
      const other = await kh.unitKey('PSB');
      const seen = await own.get(`/complaints/${c.id}`);
      expect(seen.status).to.equal(200);
      expect(seen.body.complainant).to.deep.equal({ name: '张*三', phone: '138****5678' });
      const hidden = await other.get(`/complaints/${c.id}`);
      expect(hidden.status).to.equal(404);
      expect(hidden.body.error.code).to.equal('complaint_not_found');
      await expectRefused(() => own.post(`/complaints/${c.id}/accept`), 403, 'forbidden');
      expect((await own.get('/complaints')).status).to.equal(403);
    });

    it('lists newest first, with filters', async () => {
      const a = await register();
      kh.h.clock.advance(60_000);
      const b = await register({ channel: 'letter', phone: '13900000001', facts: ComplaintMother.otherFacts, agencyCode: 'PSB' });
      await act(a.id, 'accept');
      let res = await api.get('/complaints');
      expect(res.body.total).to.equal(2);
      expect(res.body.items.map((i: any) => i.number)).to.deep.equal([b.number, a.number]);
      res = await api.get('/complaints?status=accepted');
      expect(res.body.items.map((i: any) => i.id)).to.deep.equal([a.id]);
      res = await api.get('/complaints?channel=letter&agency=PSB');
      expect(res.body.items.map((i: any) => i.id)).to.deep.equal([b.id]);
      res = await api.get('/complaints?from=2026-11-27');
      expect(res.body.total).to.equal(0);
      expect((await api.get('/complaints?status=lost')).status).to.equal(422);
      expect((await api.get('/complaints?limit=100000')).status).to.equal(422);
    });
  });
});
