/** Art. 9: the same complaint received twice is linked to the first case, which keeps the handling. */
import { expect } from 'chai';
import { Complaint } from '../../entities';
import { bigrams, factsSimilarity, sameAgency } from '../../src/complaints/duplicates';
import { CITIZEN } from '../../src/complaints/lifecycle-messages';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { eventsOf, fileByChat, KfHarness, startKfHarness } from '../helpers/kf';

describe('complaints: duplicates (Art. 9)', () => {
  describe('facts similarity (character-bigram Jaccard)', () => {
    it('is 1 for the same text, ignoring spaces and punctuation', () => {
      expect(factsSimilarity('窗口要求开居住证明。', ' 窗口要求开 居住证明！')).to.equal(1);
    });
    it('finds a reworded account of the same matter similar (>= 0.5)', () => {
      expect(factsSimilarity(ComplaintMother.hotline().facts, ComplaintMother.sameFactsAgain)).to.be.at.least(0.5);
    });
    it('finds a different matter dissimilar (< 0.5)', () => {
      expect(factsSimilarity(ComplaintMother.hotline().facts, ComplaintMother.otherFacts)).to.be.below(0.5);
    });
    it('handles empty and one-character text', () => {
      expect(factsSimilarity('', '窗口')).to.equal(0);
      expect(factsSimilarity('！！', '？？')).to.equal(0);
      expect([...bigrams('证')]).to.deep.equal(['证']);
    });
    it('compares agencies by code, else by normalised name', () => {
      expect(sameAgency({ agencyCode: 'A', agencyName: 'x' }, { agencyCode: 'A', agencyName: 'y' })).to.equal(true);
      expect(sameAgency({ agencyCode: 'A', agencyName: 'x' }, { agencyCode: 'B', agencyName: 'x' })).to.equal(false);
      expect(sameAgency({ agencyCode: null, agencyName: '火星 管理局' }, { agencyCode: null, agencyName: '火星管理局' })).to.equal(true);
    });
  });

  describe('through the API and the chat', () => {
    let kh: KfHarness;
    before(async () => {
      kh = await startKfHarness();
    });
    after(async () => kh.close());
    beforeEach(async () => kh.reset());

    async function register(over = {}): Promise<any> {
      const res = await kh.office.post('/complaints', ComplaintMother.hotline(over));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body;
    }

    it('links the same complaint by the same phone to the first case; the first keeps the handling and the link follows it', async () => {
      const a = await register();
      const b = await register({ channel: 'letter', receivedBy: '审批服务窗口', facts: ComplaintMother.sameFactsAgain, name: '张小三' });
      expect(b.duplicateOf).to.deep.equal({ id: a.id, number: a.number });
      expect(b.events.map((e: any) => e.type)).to.deep.equal(['registered', 'linked_duplicate']);
      await kh.settle();
      expect(kh.delivered({ touser: 'hrss.liaison', msgtype: 'template_card' })).to.have.length(1);

      const refused = await kh.office.post(`/complaints/${b.id}/accept`);
      expect(refused.status).to.equal(409);
      expect(refused.body.error.code).to.equal('complaint_invalid_state');

      const aView = (await kh.office.get(`/complaints/${a.id}`)).body;
      expect(aView.duplicates).to.deep.equal([{ id: b.id, number: b.number }]);
      expect(aView.events.map((e: any) => e.type)).to.include('duplicate_received');

      await kh.office.post(`/complaints/${a.id}/accept`);
      let bNow = (await kh.office.get(`/complaints/${b.id}`)).body;
      expect(bNow).to.include({ status: 'accepted', dueAt: '2026-12-03T17:30:00+08:00' });
      await kh.office.post(`/complaints/${a.id}/resolve`, { result: '已纠正' });
      bNow = (await kh.office.get(`/complaints/${b.id}`)).body;
      expect(bNow).to.include({ status: 'resolved', result: '已纠正' });
      expect(bNow.events.at(-1)).to.include({ type: 'followed_original', from: 'accepted', to: 'resolved' });

      const list = (await kh.office.get('/complaints?duplicates=exclude')).body;
      expect(list.items.map((i: any) => i.id)).to.deep.equal([a.id]);
    });

    it('does not link a different agency, different facts, another person, a case more than 30 days old, or a closed case', async () => {
      const a = await register();
      expect((await register({ agencyCode: 'PSB' })).duplicateOf).to.equal(null);
      expect((await register({ facts: ComplaintMother.otherFacts })).duplicateOf).to.equal(null);
      expect((await register({ phone: '13999999999' })).duplicateOf).to.equal(null);
      kh.h.clock.advance(31 * 86_400_000);
      expect((await register({ facts: ComplaintMother.sameFactsAgain })).duplicateOf).to.equal(null);
      await kh.office.post(`/complaints/${a.id}/reject`, { ground: 'too_vague' });
      const other = await register({ phone: '13700000000' });
      await kh.office.post(`/complaints/${other.id}/reject`, { ground: 'too_vague' });
      expect((await register({ phone: '13700000000', facts: ComplaintMother.sameFactsAgain })).duplicateOf).to.equal(null);
    });

    it('links a citizen\'s second chat complaint, tells them so, and tells them the outcome of the first', async () => {
      const first = await fileByChat(kh, 'wmTwice');
      const second = await fileByChat(kh, 'wmTwice', { phone: '13900001111', facts: '11月20日在政务服务大厅办社保转移，窗口要求去村里开居住证明！' });
      const replies = kh.sent('wmTwice');
      expect(replies.at(-2)).to.contain(`编号：${second}`);
      expect(replies.at(-1)).to.equal(CITIZEN.linked(second, first));
      const ds = kh.h.sys.dataSource;
      const b = await ds.getRepository(Complaint).findOneByOrFail({ number: second });
      const a = await ds.getRepository(Complaint).findOneByOrFail({ number: first });
      expect(b.duplicateOf).to.equal(a.id);
      expect((await eventsOf(ds, b.id)).map((e) => e.type)).to.deep.equal(['registered', 'linked_duplicate']);

      await kh.office.post(`/complaints/${a.id}/accept`);
      await kh.office.post(`/complaints/${a.id}/resolve`, { result: '已纠正窗口做法。' });
      await kh.settle();
      const outcome = CITIZEN.outcome.resolved('已纠正窗口做法。');
      expect(kh.sent('wmTwice').slice(-2)).to.deep.equal([CITIZEN.final(first, outcome), CITIZEN.linkedFinal(second, first, outcome)]);
      expect((await ds.getRepository(Complaint).findOneByOrFail({ id: b.id })).resultDelivered).to.equal(true);
    });
  });
});
