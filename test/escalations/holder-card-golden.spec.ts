import { expect } from 'chai';
import { holderStatusCard, holderWatchCard } from '../../cards/holder-status.card';
import { HOLDER } from '../../src/escalations/messages';
import { validateTemplateCard } from '../../src/sandbox';
import { cardView, idNumber } from '../helpers/mothers/verification';
import { expectGolden } from '../helpers/golden';

const NOW = new Date('2026-11-26T03:33:00Z');
const view = cardView();

describe("the holder's card of a late request (pure, golden files)", () => {
  const cards: Array<[string, Record<string, unknown>]> = [
    ['verification-holder-overdue', holderStatusCard(view, 'vr42_0_0', NOW, { stage: HOLDER.stage.overdue, lateMinutes: 0, orderBy: null }, null)],
    ['verification-holder-order', holderStatusCard(view, 'vr42_0_1', NOW, { stage: HOLDER.stage.order, lateMinutes: 123, orderBy: new Date('2026-11-26T03:33:00Z') }, null)],
    ['verification-holder-owner', holderStatusCard(view, 'vr42_1_1', NOW, { stage: HOLDER.stage.urge, lateMinutes: 62, orderBy: null }, { ownerName: '公安代办A' })],
    // The answer card of a late request accepted from its status card (the 责成 deadline kept), and accepted before any stage was reported.
    ['verification-holder-owner-order', holderStatusCard(view, 'vr42_1_2', NOW, { stage: HOLDER.stage.order, lateMinutes: 123, orderBy: new Date('2026-11-26T05:33:00Z') }, { ownerName: '公安代办A' })],
    ['verification-holder-owner-late', holderStatusCard(view, 'vr42_1_0', NOW, { stage: HOLDER.stage.late, lateMinutes: 3, orderBy: null }, { ownerName: '公安代办A' })],
    // The liaison once a deputy accepted: the same facts, no buttons.
    ['verification-holder-watch', holderWatchCard(view, NOW, { stage: HOLDER.stage.order_warning, lateMinutes: 123, orderBy: new Date('2026-11-26T05:33:00Z') }, '公安代办A')],
  ];
  for (const [name, card] of cards) {
    it(`${name}: valid, golden, unit, item and lateness in the first 40 characters, personal data masked`, () => {
      expect(validateTemplateCard(card)).to.equal(0);
      expectGolden(name, card);
      const c = card as any;
      const lead = [...`${c.main_title.title} ${c.main_title.desc}`].slice(0, 40).join('');
      expect(lead).to.include('失业保险金申领').and.match(/已超时(不足1分钟|\d)/);
      const text = JSON.stringify(card);
      expect(text).not.to.include('张小三').and.not.to.include(idNumber());
    });
  }

  it('shows the 责成 deadline, and keeps the buttons a late answer needs', () => {
    const [, order] = cards[1] as [string, any];
    expect(order.sub_title_text).to.include('责成11-26 11:33前办结').and.include('原截止11-26 09:30');
    expect(order.button_list.map((b: any) => b.text)).to.deep.equal(['受理', '退回']);
    const [, owner] = cards[2] as [string, any];
    expect(owner.button_list.map((b: any) => b.text)).to.deep.equal(['核验一致', '核验不一致', '转纸质档案', '转历史档案', '退回']);
    expect(owner.emphasis_content).to.deep.equal({ title: '1小时2分钟', desc: '已超时（办公时间）' });
  });

  it('the answer card of a late request keeps the stage, the lateness and the 责成 deadline, with the five answers', () => {
    const [, c] = cards.find(([n]) => n === 'verification-holder-owner-order') as [string, any];
    expect(c.main_title).to.deep.equal({ title: '县人力资源和社会保…·失业保险金申领 已超时2小时3分钟', desc: '联席会议办公室责成限时办结｜协查 HC20261126-0001' });
    expect(c.sub_title_text).to.include('最新：联席会议办公室责成限时办结').and.include('责成11-26 13:33前办结').and.include('原截止11-26 09:30');
    expect(c.button_list.map((b: any) => b.text)).to.deep.equal(['核验一致', '核验不一致', '转纸质档案', '转历史档案', '退回']);
    const [, early] = cards.find(([n]) => n === 'verification-holder-owner-late') as [string, any];
    expect(early.main_title.desc).to.equal('已超时，请立即答复｜协查 HC20261126-0001');
  });

  it("the liaison's read-only card: same lead and facts, who has it, no buttons", () => {
    const [, c] = cards.find(([n]) => n === 'verification-holder-watch') as [string, any];
    expect(c.card_type).to.equal('text_notice');
    expect(c.button_list).to.equal(undefined);
    expect(c.task_id).to.equal(undefined);
    expect(c.sub_title_text).to.include('受理人：公安代办A').and.include('责成11-26 13:33前办结');
  });
});
