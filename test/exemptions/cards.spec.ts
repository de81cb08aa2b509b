import { expect } from 'chai';
import { exemptionStartCard } from '../../cards/exemption-start.card';
import { exemptionConfirmCard } from '../../cards/exemption-confirm.card';
import { exemptionReviewCard } from '../../cards/exemption-review.card';
import { exemptionReturnedCard } from '../../cards/exemption-returned.card';
import { validateTemplateCard, clickableKeys } from '../../src/sandbox/template-card';
import { CARD_ACTIONS, parseCardKey } from '../../cards/keys';
import { expectGolden } from '../helpers/golden';

const NOW = new Date('2026-11-26T01:00:00Z');
/** An add application as the review card gets it (first round). */
const REVIEW = { applicationId: 5, round: 1795654800000, kind: 'add' as const, unitName: '县人社局', entryId: null, reason: 'law_requires', causeDate: '2026-11-25', late: false };
function wellFormed(card: Record<string, unknown>): void {
  expect(validateTemplateCard(card), 'WeCom accepts the card').to.equal(0);
  for (const key of clickableKeys(card)) {
    expect(CARD_ACTIONS as readonly string[]).to.include(parseCardKey(key)!.action);
  }
}

describe('exemption cards (pure, golden files)', () => {
  it('start card: add / change / cancel, deterministic task_id', () => {
    const card = exemptionStartCard({ nonce: '42', draftId: 0, unitName: '县人社局' }, NOW);
    wellFormed(card);
    expect(card).to.deep.equal(exemptionStartCard({ nonce: '42', draftId: 0, unitName: '县人社局' }, NOW));
    expectGolden('exemption-start.json', card);
  });

  it('reminder card carries the draft and the limit (Art. 9)', () => {
    const card = exemptionStartCard({ nonce: 'r7', draftId: 7, unitName: '县人社局', reminder: { due: '2026-12-04 17:30', note: '《某条例》修订' } }, NOW);
    wellFormed(card);
    expect(JSON.stringify(card)).to.include('2026-12-04 17:30').and.include('exm_start:7.add');
    expectGolden('exemption-reminder.json', card);
  });

  it('confirm card: summary, late mark, submit / discard', () => {
    const card = exemptionConfirmCard(
      {
        nonce: '99',
        kind: 'change',
        unitName: '县人社局',
        entryId: 12,
        reason: 'method_changed',
        causeDate: '2026-11-10',
        due: '2026-11-19 17:30',
        late: true,
        lines: [
          { key: '事项', value: '失业保险金申领' },
          { key: '方式（变更）', value: '数据共享' },
        ],
      },
      NOW,
    );
    wellFormed(card);
    expect(JSON.stringify(card)).to.include('已超时限');
    expectGolden('exemption-confirm.json', card);
  });

  it('review card: approve / return / reject keyed by application and round; no personal data', () => {
    const card = exemptionReviewCard(
      {
        ...REVIEW,
        lines: [
          { key: '事项', value: '失业保险金申领' },
          { key: '材料', value: '户籍证明' },
        ],
      },
      NOW,
    );
    wellFormed(card);
    // the reason is shown as its Art. 6 wording, never as its code
    expect(JSON.stringify(card)).to.include('法律法规颁布或修订需增加证明材料').and.not.include('law_requires');
    expect(clickableKeys(card)).to.deep.equal(['exm_review:5.1795654800000.approve', 'exm_review:5.1795654800000.return', 'exm_review:5.1795654800000.reject']);
    expect(card.task_id).to.equal('exm-review-5-1795654800000');
    expectGolden('exemption-review.json', card);
  });
  it('review card of a second round: applicant, round, 说明 and what changed since the last round', () => {
    const first = exemptionReviewCard({ ...REVIEW, lines: [] }, NOW) as any;
    const card = exemptionReviewCard(
      {
        ...REVIEW,
        round: 1795655400000,
        lines: [{ key: '事项', value: '失业保险金申领' }],
        note: '人口库已可查询',
        applicant: '人社联络员',
        roundNumber: 2,
        changes: ['依据：《失业保险条例》第十六条→《失业保险条例》第十六条第二款'],
      },
      NOW,
    );
    wellFormed(card);
    expect(card.sub_title_text).to.match(/^【本轮修改】依据：/);
    expect(first.sub_title_text, 'a first round has nothing to compare').not.to.include('本轮修改');
    expectGolden('exemption-review-round2.json', card);
  });

  it('returned card: resubmit or withdraw, keyed by application and round', () => {
    const card = exemptionReturnedCard({ applicationId: 5, round: 1795654800000, summary: '新增：失业保险金申领／户籍证明', comment: '请补充法律依据的具体条款' }, NOW);
    wellFormed(card);
    expect(clickableKeys(card)).to.deep.equal(['exm_resubmit:5.1795654800000.edit', 'exm_resubmit:5.1795654800000.withdraw']);
    expectGolden('exemption-returned.json', card);
  });
});
