import { expect } from 'chai';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { lastCard, mark } from '../helpers/inbox';
import { createRequest, escalationsOf, officeEnv, sweep } from '../helpers/scheduler';
import { holderCard, liveCards, traffic } from './holder';

/**
 * Issue 18 item 6, the liaison's side: once deputy A accepted, the liaison holds no card of
 * the request (A's 受理 closed it) but is still told of every stage after the deadline.
 * Before: a text per stage, and a card and a text for the 责成 (7 messages). Now: one
 * read-only status card per stage (no buttons: the liaison does not hold the request).
 */
describe('escalations: the liaison of a request a deputy accepted gets a read-only status card per stage', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-12-01T09:00:00+08:00');
  const t = (hhmm: string) => `2026-12-01T${hhmm}:00+08:00`;

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  it('已超时, 督办, 责成, its two reminders and 二次超时: six cards, no text, each with the stage, the lateness and the 责成 deadline; the owner keeps one live answer card', async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();
    h.clock.set(t('09:05'));
    await h.emu.clickButton('gaj.a', lastCard(h, 'gaj.a', `vr${id}_`)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    await sweep(h, t('09:15'));
    await sweep(h, t('09:27'));
    const m0 = mark(h);
    const u0 = h.emu.cardUpdates().length;
    await sweep(h, t('09:30'));
    const [esc] = await escalationsOf(h, id);
    h.clock.set(t('09:32'));
    await h.emu.clickButton('office.duty', lastCard(h, 'office.duty', `esc${esc.id}_`)!.taskId, `office_urge:${esc.id}`);
    await h.sys.settle();
    h.clock.set(t('09:33'));
    await h.emu.clickButton('office.chief', lastCard(h, 'office.chief', `esc${esc.id}_`)!.taskId, `office_order:${esc.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['2h'] }] });
    await h.sys.settle();
    await sweep(h, t('10:33'));
    await sweep(h, t('11:21'));
    await sweep(h, t('11:33'));

    expect(traffic(h, 'gaj.liaison', id, number, m0, u0), 'the liaison').to.deep.equal({ cards: 6, texts: 0, updates: 0 });
    const watch = h.emu.delivered({ touser: 'gaj.liaison', msgtype: 'template_card' }).filter((d) => d.seq > m0).map((d) => d.payload as any);
    expect(watch.map((c) => c.card_type)).to.deep.equal(Array(6).fill('text_notice'));
    expect(watch.map((c) => c.main_title.desc.split('｜')[0])).to.deep.equal(['已超时，已报告联席会议办公室', '联席会议办公室督办', '联席会议办公室责成限时办结', '限时办结提醒：时间已过半', '限时办结即将到期', '未在责成时限内办结，已再次报告']);
    const last = watch[5];
    expect(last.main_title.title).to.equal('县人社局·失业保险金申领 已超时2小时3分钟');
    expect(last.sub_title_text).to.include('受理人：公安代办A').and.include('责成12-01 11:33前办结');
    expect(liveCards(h, 'gaj.liaison', id), 'nothing to click').to.deep.equal([]);
    // The owner: a status answer card per stage, the one before greyed.
    expect(traffic(h, 'gaj.a', id, number, m0, u0), 'the owner').to.deep.equal({ cards: 6, texts: 0, updates: 6 });
    expect(liveCards(h, 'gaj.a', id)).to.have.length(1);
    expect(holderCard(h, 'gaj.a', id)!.card.main_title.desc).to.equal(`未在责成时限内办结，已再次报告｜协查 ${number}`);
  });
});
