import { expect } from 'chai';
import { escalationActionCard, EscalationCardView } from '../../cards/escalation.card';
import { officeOrderNoticeCard } from '../../cards/office-action.card';
import { meetingMinutesCard, meetingReminderCard, MeetingCardView } from '../../cards/meeting.card';
import { validateTemplateCard } from '../../src/sandbox';
import { expectGolden } from '../helpers/golden';

const NOW = new Date('2026-11-26T01:40:00Z');

function view(over: Partial<EscalationCardView> = {}): EscalationCardView {
  return {
    escalationId: 9,
    level: 1,
    number: 'HC20261126-0001',
    requesterUnitName: '县人力资源和社会保障局',
    issuerUnitName: '县公安局',
    serviceItem: '失业保险金申领',
    ownerName: null,
    category: 'digital',
    missedDueAt: new Date('2026-11-26T01:30:00Z'),
    lateMinutes: 10,
    detailUrl: 'http://nocert.test/v/42',
    tz: 'Asia/Shanghai',
    ...over,
  };
}

const meeting: MeetingCardView = {
  id: 3,
  kind: 'regular',
  title: '2026年下半年联席会议例会',
  scheduledAt: new Date('2026-12-10T01:30:00Z'),
  place: '县行政审批服务局三楼会议室',
  agendaCount: 2,
  url: 'http://nocert.test/api/v1/meetings/3',
  tz: 'Asia/Shanghai',
};

describe('cards: escalation, office action, meeting (golden files)', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['escalation-level1', escalationActionCard(view(), 'esc9_0', NOW)],
    ['escalation-level2-done', escalationActionCard(view({ level: 2, ownerName: '公安代办A', lateMinutes: 135 }), 'esc10_1', NOW, ['督办（办公室值班 09:32）', '责成11-26 11:33前办结（办公室主任）'])],
    ['office-order-notice', officeOrderNoticeCard({ number: 'HC20261126-0001', issuerUnitName: '县公安局', requesterUnitName: '县人社局', serviceItem: '失业保险金申领', completeBy: new Date('2026-11-26T03:33:00Z'), detailUrl: 'http://nocert.test/v/42', tz: 'Asia/Shanghai' }, NOW)],
    ['meeting-reminder', meetingReminderCard(meeting, NOW)],
    ['meeting-minutes', meetingMinutesCard(meeting, '一、通报2026年下半年部门核验工作情况；二、研究证明事项免提交清单调整事项。', 'mt3_0_0', NOW)],
  ];
  for (const [name, card] of cases) {
    it(`${name}: matches its golden file and is a card WeCom accepts`, () => {
      expect(validateTemplateCard(card)).to.equal(0);
      expectGolden(name, card);
    });
  }

  it('cards are pure: the same input gives the same card', () => {
    expect(escalationActionCard(view(), 'esc9_0', NOW)).to.deep.equal(escalationActionCard(view(), 'esc9_0', NOW));
  });
});
