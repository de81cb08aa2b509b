import { expect } from 'chai';
import fs from 'fs';
import path from 'path';
import {
  verificationRequestCard,
  verificationClosedCard,
  verificationAnswerCard,
  verificationReasonCard,
  verificationConfirmCard,
  verificationAnsweredOwnerCard,
} from '../../cards/verification.card';
import {
  verificationAnsweredCard,
  verificationReturnedCard,
  verificationDeadlineCard,
  verificationAcceptedCard,
  verificationWithdrawnCard,
  ResultCardView,
} from '../../cards/verification-result.card';
import { validateTemplateCard } from '../../src/sandbox';
import { cardView, idNumber, VerificationMother } from '../helpers/mothers/verification';
import { expectGolden, GOLDEN_DIR } from '../helpers/golden';

const NOW = new Date('2026-11-26T01:00:00Z');

const view = cardView;

function resultView(over: Partial<ResultCardView> = {}): ResultCardView {
  return { ...view(over), ownerName: '公安代办A', ...over };
}

describe('verification cards (pure, golden files)', () => {
  const cards: Array<[string, Record<string, unknown>]> = [
    ['verification-request', verificationRequestCard(view(), 'vr42_0_0', NOW)],
    ['verification-request-late', verificationRequestCard(view({ category: 'paper', dueAt: new Date('2026-11-25T09:30:00Z') }), 'vr42_1_1', NOW)],
    ['verification-closed', verificationClosedCard(view(), '已由公安代办A受理', NOW)],
    ['verification-answered-match', verificationAnsweredCard(resultView(), 'match', null, NOW)],
    ['verification-answered-mismatch', verificationAnsweredCard(resultView(), 'mismatch', `${VerificationMother.mismatchDetails} 证件号${idNumber()}，电话13912345678`, NOW)],
    ['verification-returned', verificationReturnedCard(resultView(), VerificationMother.returnReason, NOW)],
    ['verification-deadline', verificationDeadlineCard(resultView({ category: 'paper', dueAt: new Date('2026-11-27T09:30:00Z') }), 'digital', '需调阅纸质档案', NOW)],
    ['verification-answer', verificationAnswerCard(view(), 'vr42_0_0', '公安代办A', NOW)],
    ['verification-reason', verificationReasonCard(view(), 'vr42_0_0', NOW)],
    ['verification-confirm-match', verificationConfirmCard(view(), 'vr42_0_0', 'match', null, NOW)],
    ['verification-confirm-mismatch', verificationConfirmCard(view(), 'vr42_0_0', 'mismatch', `申请人有处罚记录，电话13912345678`, NOW)],
    ['verification-answered-owner', verificationAnsweredOwnerCard(view(), 'vr42_0_0', 'match', 5, NOW)],
    ['verification-accepted', verificationAcceptedCard(resultView(), NOW)],
    ['verification-withdrawn', verificationWithdrawnCard(resultView(), 'match', NOW)],
  ];

  for (const [name, card] of cards) {
    it(`${name}: matches its golden file, is a valid template_card, carries no full ID number or name`, () => {
      expectGolden(name, card);
      expect(validateTemplateCard(card)).to.equal(0);
      const text = JSON.stringify(card);
      expect(text).not.to.include(idNumber());
      expect(text).not.to.include('张小三');
      expect(text).not.to.include('13912345678');
    });
  }

  /** What a lock screen shows first: the title, then the description. */
  const lead = (card: any) => [...`${card.main_title?.title ?? ''} ${card.main_title?.desc ?? ''}`].slice(0, 40).join('');

  it('every golden verification and escalation card names the unit and the item in its first 40 characters', () => {
    const files = fs.readdirSync(GOLDEN_DIR).filter((f) => /^(verification-|escalation-|office-order-)/.test(f));
    expect(files.length).to.be.at.least(cards.length + 3);
    for (const f of files) {
      const l = lead(JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, f), 'utf8')));
      expect(l, f).to.include('失业保险金申领');
      expect(/县公安局|县人力资源和社会保|县人社局/.test(l), `${f}: ${l}`).to.equal(true);
      // An escalation card says how late; the order notice, by when.
      if (f.startsWith('escalation-')) expect(l, f).to.match(/已超时 \d/);
      if (f.startsWith('office-order-')) expect(l, f).to.match(/\d\d-\d\d \d\d:\d\d前办结/);
    }
    // The cards that ask for work carry the deadline there too.
    for (const name of ['verification-request', 'verification-request-late', 'verification-answer']) {
      expect(lead(cards.find(([n]) => n === name)![1]), name).to.match(/截止\d\d-\d\d \d\d:\d\d/);
    }
  });

  it('the request card carries the question, shortened and masked', () => {
    const card = verificationRequestCard(view(), 'vr42_0_0', NOW) as any;
    expect(card.sub_title_text).to.include('核验内容：申请人张*三').and.include('是否有犯罪记录');
    expect(card.sub_title_text).not.to.include(idNumber());
  });

  it('is deterministic and masks whatever it is given', () => {
    const a = verificationRequestCard(view(), 'vr42_0_0', NOW);
    const b = verificationRequestCard(view(), 'vr42_0_0', NOW);
    expect(a).to.deep.equal(b);
    expect(JSON.stringify(a)).to.include('张*三').and.include(`370323********${idNumber().slice(-4)}`);
    expect((a.button_list as any[]).map((x) => x.key)).to.deep.equal(['verif_accept:42', 'verif_return:42']);
  });

  it('cuts long values to what WeCom shows', () => {
    const long = verificationRequestCard(view({ serviceItem: '很长的服务事项名称'.repeat(10) }), 'vr42_0_0', NOW);
    const item = (long.horizontal_content_list as any[]).find((x) => x.keyname === '服务事项');
    expect([...item.value]).to.have.length(30);
    expect(item.value.endsWith('…')).to.equal(true);
  });
});
