/** The liaison's complaint card: pure, deterministic, masked, valid for WeCom; golden files. */
import { expect } from 'chai';
import { complaintCard, complaintTaskId, ComplaintCardView, complaintClosedLabel } from '../../cards/complaint.card';
import { validateTemplateCard } from '../../src/sandbox';
import { CARD_ACTIONS, parseCardKey } from '../../cards/keys';
import { expectGolden } from '../helpers/golden';

const NOW = new Date('2026-11-26T01:00:00Z');
const TZ = { tz: 'Asia/Shanghai' };

function view(over: Partial<ComplaintCardView> = {}): ComplaintCardView {
  return {
    id: 17,
    number: 'TS20261126-0003',
    status: 'registered',
    ground: 'still_requires_certificate',
    channel: 'kf',
    agencyName: '县人力资源和社会保障局',
    facts: '11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明，清单上写明该证明已免提交。',
    request: '希望不再要求提供居住证明，尽快办理社保转移。',
    complainantName: '张小三',
    complainantPhone: '13812345678',
    isProxy: false,
    registeredAt: new Date('2026-11-26T01:00:00Z'),
    dueAt: null,
    extensionDays: null,
    ...over,
  };
}

const CASES: Array<[string, ComplaintCardView, Parameters<typeof complaintCard>[1], Date]> = [
  ['complaint-registered', view(), TZ, NOW],
  ['complaint-accepted', view({ status: 'accepted', dueAt: new Date('2026-12-03T09:30:00Z') }), TZ, NOW],
  ['complaint-extended-overdue', view({ status: 'extended', dueAt: new Date('2026-12-08T09:30:00Z'), extensionDays: 3, channel: 'hotline_12345', isProxy: true, complainantPhone: '0533-1234567' }), TZ, new Date('2026-12-09T01:00:00Z')],
  ['complaint-pick-reject', view(), { ...TZ, stage: 'pick_reject' }, NOW],
  ['complaint-pick-terminate', view({ status: 'accepted', dueAt: new Date('2026-12-03T09:30:00Z') }), { ...TZ, stage: 'pick_terminate' }, NOW],
];

describe('complaints: the liaison card', () => {
  for (const [name, v, opts, now] of CASES) {
    it(`${name} matches its golden file, is valid and masked`, () => {
      const card = complaintCard(v, opts, now);
      expectGolden(name, card);
      expect(validateTemplateCard(card)).to.equal(0);
      const text = JSON.stringify(card);
      expect(text).not.to.contain('13812345678');
      expect(text).not.to.contain('1234567"');
      expect(text).not.to.contain('张小三');
      for (const b of card.button_list as Array<{ key: string; text: string }>) {
        expect(CARD_ACTIONS as readonly string[]).to.include(parseCardKey(b.key)!.action);
        expect([...b.text].length).to.be.at.most(10);
      }
      expect(complaintCard(v, opts, now)).to.deep.equal(card);
    });
  }

  it('keeps the task_id of a case across states, and a new one for another case', () => {
    const a = complaintCard(view(), TZ, NOW).task_id;
    expect(complaintCard(view({ status: 'accepted', dueAt: NOW }), TZ, NOW).task_id).to.equal(a);
    expect(a).to.equal(complaintTaskId(view()));
    expect(complaintTaskId(view({ id: 18 }))).not.to.equal(a);
    expect(a).to.match(/^[0-9A-Za-z_\-@]{1,128}$/);
  });

  it('masks phone and ID numbers the citizen typed into the facts', () => {
    const card = complaintCard(view({ facts: '我的电话13912345678，身份证370323199003071234，窗口仍要证明。' }), TZ, NOW);
    expect(card.sub_title_text).to.contain('139****5678').and.contain('370323********1234');
    expect(JSON.stringify(card)).not.to.contain('13912345678');
  });

  it('greys a closed case with its status', () => {
    expect(complaintClosedLabel('resolved')).to.equal('已办结');
    expect(complaintClosedLabel('rejected')).to.equal('不予受理');
    expect(complaintClosedLabel('terminated')).to.equal('已终止');
  });
});
