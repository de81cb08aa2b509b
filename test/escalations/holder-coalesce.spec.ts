import { expect } from 'chai';
import { In } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { runSweep } from '../../src/scheduler';
import { rewriteUnsentCard, sendCard } from '../../src/wecom/messaging';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { lastCard, mark } from '../helpers/inbox';
import { createRequest, escalationsOf, officeEnv, sweep } from '../helpers/scheduler';
import { holderCard, liveCards, traffic } from './holder';

/**
 * Two stages for the same person before the first card went out (here the office's 督办 in
 * the minute the sweep reported 已超时, before the outbox sent anything): one card, with the
 * newer stage. Before: two cards, and the first one, never sent when the second came, could
 * not be greyed, so the holder kept two cards with buttons.
 */
describe('escalations: two stages before the first card is sent make one card', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-12-01T09:00:00+08:00');
  const t = (hhmm: string) => `2026-12-01T${hhmm}:00+08:00`;

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  /** The sweep at `at` without sending the outbox, then 督办 from the console in the same minute, then everything is sent. */
  async function overdueAndUrgeInOneMinute(id: number): Promise<void> {
    h.clock.set(t('09:30'));
    await runSweep(h.sys.jobs, h.clock.now, () => undefined);
    const [esc] = await escalationsOf(h, id);
    const office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    const res = await office.post(`/escalations/${esc.id}/urge`, {});
    expect(res.status).to.equal(201);
    await h.sys.settle();
  }

  it('pending: each holder gets one card saying 督办 (and the card before it greyed), not two', async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    await sweep(h, t('09:27'));
    const m0 = mark(h);
    const u0 = h.emu.cardUpdates().length;
    await overdueAndUrgeInOneMinute(id);
    for (const u of ['gaj.liaison', 'gaj.a', 'gaj.b']) {
      expect(traffic(h, u, id, number, m0, u0), u).to.deep.equal({ cards: 1, texts: 0, updates: 1 });
      expect(liveCards(h, u, id), `${u}: one card with buttons`).to.have.length(1);
      expect(holderCard(h, u, id)!.card.main_title.desc, u).to.equal(`联席会议办公室督办｜协查 ${number}`);
    }
    // The next stage still greys that card and sends the next one: it was sent, with its code.
    h.clock.set(t('09:33'));
    const [esc] = await escalationsOf(h, id);
    await h.emu.clickButton('office.chief', lastCard(h, 'office.chief', `esc${esc.id}_`)!.taskId, `office_order:${esc.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['2h'] }] });
    await h.sys.settle();
    expect(traffic(h, 'gaj.liaison', id, number, m0, u0)).to.deep.equal({ cards: 2, texts: 0, updates: 2 });
    expect(liveCards(h, 'gaj.liaison', id)).to.have.length(1);
  });

  it("accepted by a deputy: the liaison's read-only cards fold the same way, one card for the two stages", async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();
    h.clock.set(t('09:05'));
    await h.emu.clickButton('gaj.a', lastCard(h, 'gaj.a', `vr${id}_`)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    await sweep(h, t('09:27'));
    const m0 = mark(h);
    const u0 = h.emu.cardUpdates().length;
    await overdueAndUrgeInOneMinute(id);
    expect(traffic(h, 'gaj.liaison', id, number, m0, u0), 'the liaison').to.deep.equal({ cards: 1, texts: 0, updates: 0 });
    const [card] = h.emu.delivered({ touser: 'gaj.liaison', msgtype: 'template_card' }).filter((d) => d.seq > m0);
    expect((card.payload as any).main_title.desc).to.equal(`联席会议办公室督办｜协查 ${number}`);
    expect(traffic(h, 'gaj.a', id, number, m0, u0), 'the owner').to.deep.equal({ cards: 1, texts: 0, updates: 1 });
    expect(liveCards(h, 'gaj.a', id)).to.have.length(1);
    // Nothing left unsent.
    expect(await h.sys.dataSource.getRepository(OutboxMessage).countBy({ status: 'pending' })).to.equal(0);
  });

  it('only a card no dispatcher took and nobody tried is rewritten', async () => {
    const repo = h.sys.dataSource.getRepository(OutboxMessage);
    const card = (title: string) => ({ card_type: 'text_notice', main_title: { title }, card_action: { type: 1, url: 'https://example.invalid/v/1' } });
    const now = h.clock.now;
    const rows = await h.sys.dataSource.transaction(async (m) => Promise.all(['a', 'b', 'c'].map(async (x) => (await sendCard(m, 'gaj.liaison', card(`旧${x}`), now))!)));
    await repo.update({ id: rows[1].id }, { status: 'sending', claimedBy: 'other' });
    await repo.update({ id: rows[2].id }, { attempts: 1 });
    const got = await h.sys.dataSource.transaction(async (m) => Promise.all(rows.map((r) => rewriteUnsentCard(m, r.id, 'gaj.liaison', card('新'), now))));
    expect(got).to.deep.equal([true, false, false]);
    const titles = (await repo.findBy({ id: In(rows.map((r) => r.id)) })).sort((a, b) => a.id - b.id).map((r) => JSON.parse(r.payload).template_card.main_title.title);
    expect(titles).to.deep.equal(['新', '旧b', '旧c']);
    await repo.delete({ id: In(rows.map((r) => r.id)) });
  });
});
