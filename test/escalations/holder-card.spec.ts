import { expect } from 'chai';
import { VerificationRequest } from '../../entities';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { cardsTo, lastCard, mark } from '../helpers/inbox';
import { createRequest, escalationsOf, officeEnv, sweep } from '../helpers/scheduler';
import { holderCard, liveCards, traffic } from './holder';

describe('escalations: the holder of a late request keeps one card, updated in place (issue 18 item 6)', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-12-01T09:00:00+08:00');
  const t = (hhmm: string) => `2026-12-01T${hhmm}:00+08:00`;
  const buttons = (c: any) => (c.button_list ?? []).map((b: any) => b.text);

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  it('a pending request going overdue: the card in hand is greyed, the one below says 已超时 with the lateness, and 受理 on it still works', async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();
    const first = lastCard(h, 'gaj.liaison', `vr${id}_`)!;
    await sweep(h, t('09:01'));
    await sweep(h, t('09:27'));
    const m0 = mark(h);
    const u0 = h.emu.cardUpdates().length;
    await sweep(h, t('09:30'));
    const now = holderCard(h, 'gaj.liaison', id)!;
    expect(h.emu.cardState('gaj.liaison', first.taskId)!.replace_name, 'the card in hand is greyed in place').to.equal('已更新，见新卡片');
    expect(now.taskId).not.to.equal(first.taskId);
    expect(traffic(h, 'gaj.liaison', id, number, m0, u0)).to.deep.equal({ cards: 1, texts: 0, updates: 1 });
    expect(liveCards(h, 'gaj.liaison', id), 'one card with buttons').to.deep.equal([now.taskId]);
    expect(now.card.main_title.title).to.match(/^县人社局·失业保险金申领 已超时/);
    expect(now.card.emphasis_content.desc).to.equal('已超时（办公时间）');
    expect(now.card.main_title.desc).to.equal(`已超时，已报告联席会议办公室｜协查 ${number}`);
    expect(buttons(now.card), 'a late answer is still due').to.deep.equal(['受理', '退回']);
    expect(JSON.stringify(now.card), 'personal data masked').not.to.include('张小三');

    // An hour later the answer is still due: 受理 on that card takes it.
    h.clock.set(t('10:31'));
    await h.emu.clickButton('gaj.liaison', now.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req).to.deep.include({ status: 'accepted', assignee: 'gaj.liaison' });
    expect(buttons(holderCard(h, 'gaj.liaison', id)!.card)).to.include('核验一致');
  });

  it('walked through 已超时, 督办, 责成, its reminders and the second escalation: one card per stage with the one before greyed, no text; the card shows the 责成 deadline and closes on the answer', async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    await sweep(h, t('09:15'));
    await sweep(h, t('09:27'));
    const m0 = mark(h);
    const u0 = h.emu.cardUpdates().length;
    await sweep(h, t('09:30'));
    const [esc] = await escalationsOf(h, id);
    h.clock.set(t('09:32'));
    await h.emu.clickButton('office.duty', lastCard(h, 'office.duty', `esc${esc.id}_`)!.taskId, `office_urge:${esc.id}`);
    await h.sys.settle();
    expect(holderCard(h, 'gaj.liaison', id)!.card.emphasis_content.title, 'counted from the original deadline').to.equal('2分钟');
    h.clock.set(t('09:33'));
    await h.emu.clickButton('office.chief', lastCard(h, 'office.chief', `esc${esc.id}_`)!.taskId, `office_order:${esc.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['2h'] }] });
    await h.sys.settle();
    await sweep(h, t('10:33'));
    const mid = holderCard(h, 'gaj.liaison', id)!.card;
    expect(mid.emphasis_content.title, 'never frozen').to.equal('1小时3分钟');
    await sweep(h, t('11:21'));
    await sweep(h, t('11:33'));

    // The stages after the deadline: 已超时, 督办, 责成, 限时办结提醒, 即将到期, 二次超时.
    // Before: a text per stage, and a card and a text for the 责成 (7 messages each).
    for (const u of ['gaj.liaison', 'gaj.a', 'gaj.b']) {
      expect(traffic(h, u, id, number, m0, u0), u).to.deep.equal({ cards: 6, texts: 0, updates: 6 });
      expect(liveCards(h, u, id), `${u}: one card with buttons`).to.have.length(1);
    }
    const card = holderCard(h, 'gaj.liaison', id)!;
    expect(card.card.main_title.desc).to.equal(`未在责成时限内办结，已再次报告｜协查 ${number}`);
    expect(card.card.sub_title_text).to.include('责成12-01 11:33前办结').and.include('原截止12-01 09:30');
    expect(card.card.emphasis_content.title).to.equal('2小时3分钟');
    expect(buttons(card.card)).to.deep.equal(['受理', '退回']);

    // The liaison takes it from the newest card and answers in the chat.
    h.clock.set(t('11:40'));
    await h.emu.clickButton('gaj.liaison', card.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    await h.emu.sendText('gaj.liaison', `核验一致 ${number}`);
    await h.sys.settle();
    await h.emu.sendText('gaj.liaison', '确认');
    await h.sys.settle();
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id })).status).to.equal('answered');
    // The next sweep after the 撤回 window closes the card: no buttons, 已答复.
    await sweep(h, t('11:50'));
    const closed = holderCard(h, 'gaj.liaison', id)!;
    expect(closed.replaceName).to.equal('已答复');
    for (const u of ['gaj.a', 'gaj.b']) expect(holderCard(h, u, id)!.replaceName, u).to.equal('已由公安联络员受理');
    // No stale card anywhere: every card of the request on every phone has lost its buttons.
    for (const u of ['gaj.liaison', 'gaj.a', 'gaj.b']) expect(liveCards(h, u, id), u).to.deep.equal([]);
  });

  it('受理 on the status card of a late request: the answer card keeps the stage, the lateness and the 责成 deadline (issue 18 item 6)', async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    await sweep(h, t('09:27'));
    await sweep(h, t('09:30'));
    const [esc] = await escalationsOf(h, id);
    h.clock.set(t('09:33'));
    await h.emu.clickButton('office.chief', lastCard(h, 'office.chief', `esc${esc.id}_`)!.taskId, `office_order:${esc.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['2h'] }] });
    await h.sys.settle();
    const status = holderCard(h, 'gaj.a', id)!;
    h.clock.set(t('09:40'));
    const m0 = mark(h);
    const u0 = h.emu.cardUpdates().length;
    await h.emu.clickButton('gaj.a', status.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    const answer = holderCard(h, 'gaj.a', id)!;
    expect(answer.taskId, 'the same card, updated by the click').to.equal(status.taskId);
    expect(answer.card.main_title).to.deep.equal({ title: '县人社局·失业保险金申领 已超时10分钟', desc: `联席会议办公室责成限时办结｜协查 ${number}` });
    expect(answer.card.emphasis_content).to.deep.equal({ title: '10分钟', desc: '已超时（办公时间）' });
    expect(answer.card.sub_title_text).to.include('责成12-01 11:33前办结').and.include('原截止12-01 09:30');
    expect(buttons(answer.card)).to.deep.equal(['核验一致', '核验不一致', '转纸质档案', '转历史档案', '退回']);
    // One update (the click's), no new card; the 受理 text as before.
    expect(traffic(h, 'gaj.a', id, number, m0, u0)).to.deep.equal({ cards: 0, texts: 1, updates: 1 });
    // 核验一致, then 取消 on the confirmation: back to the same status answer card, not the plain one.
    h.clock.set(t('09:41'));
    await h.emu.clickButton('gaj.a', status.taskId, `verif_act:${id}:match`);
    await h.sys.settle();
    expect(holderCard(h, 'gaj.a', id)!.card.main_title.title).to.match(/确认核验一致？$/);
    await h.emu.clickButton('gaj.a', status.taskId, `verif_act:${id}:back`);
    await h.sys.settle();
    const back = holderCard(h, 'gaj.a', id)!.card;
    expect(back.main_title.desc).to.equal(`联席会议办公室责成限时办结｜协查 ${number}`);
    expect(back.sub_title_text).to.include('责成12-01 11:33前办结');
  });

  it('a card left open on a request answered in the chat closes at the next sweep, but not about a request finished more than 72 hours ago', async () => {
    const fresh = await createRequest(rsj);
    const old = await createRequest(rsj);
    await h.sys.settle();
    h.clock.set(t('09:02'));
    for (const r of [fresh, old]) await h.emu.clickButton('gaj.liaison', lastCard(h, 'gaj.liaison', `vr${r.id}_`)!.taskId, `verif_accept:${r.id}`);
    await h.sys.settle();
    h.clock.set(t('09:05'));
    for (const r of [old, fresh]) {
      await h.emu.sendText('gaj.liaison', `核验一致 ${r.number}`);
      await h.sys.settle();
      await h.emu.sendText('gaj.liaison', '确认');
      await h.sys.settle();
    }
    // Within the 撤回 window the answerer's card stays as it is.
    expect((await sweep(h, t('09:08'))).find((l) => l.job === 'deadlines-close-holder-cards')).to.equal(undefined);
    // The old one: pretend it was answered four days ago.
    await h.sys.dataSource.getRepository(VerificationRequest).update({ id: old.id }, { closedAt: new Date('2026-11-27T09:05:00+08:00'), answeredAt: new Date('2026-11-27T09:05:00+08:00') });
    const m0 = mark(h);
    const lines = await sweep(h, t('09:20'));
    expect(lines.find((l) => l.job === 'deadlines-close-holder-cards')).to.deep.include({ action: 'holder_cards_closed', requests: [fresh.id] });
    expect(holderCard(h, 'gaj.liaison', fresh.id)!.replaceName).to.equal('已答复');
    expect(liveCards(h, 'gaj.liaison', old.id), 'left alone').to.have.length(1);
    expect(cardsTo(h, 'gaj.liaison', m0), 'no fresh card').to.deep.equal([]);
  });
});
