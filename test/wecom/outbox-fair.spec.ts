import { expect } from 'chai';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { inTransaction } from '../../src/db/tx';
import { clearTables, testDataSource } from '../helpers/db';
import { AGENT_ID, CORP_ID, Receiver, SECRET, startEmulator, type EmulatorHarness } from '../sandbox/harness';
import { DbTokenProvider } from '../../src/wecom/token-cache';
import { WeComClient } from '../../src/wecom/client';
import { Pacer } from '../../src/wecom/pacer';
import { OutboxDispatcher, enqueue, enqueueMany } from '../../src/wecom/outbox';

const MEMBERS = ['m1', 'm2', 'm3', 'm4', 'm5'];

function card(touser: string, taskId: string) {
  return {
    touser,
    msgtype: 'template_card',
    template_card: { card_type: 'button_interaction', main_title: { title: '协查请求', desc: taskId }, task_id: taskId, button_list: [{ text: '受理', style: 1, key: `accept:${taskId}` }] },
  };
}

/** WeCom's 30-per-minute cap must only hold back the members at it (head-of-line blocking). */
describe('outbox: rows held by the pacing cap never delay other recipients', () => {
  let ds: DataSource;
  let h: EmulatorHarness;
  let receiver: Receiver;

  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => {
    await clearTables(ds);
    receiver = new Receiver();
    h = await startEmulator({ callbackUrl: await receiver.start(), members: undefined });
  });
  afterEach(async () => {
    await h.close();
    await receiver.stop();
  });

  const now = () => new Date(h.clock.t);
  function dispatcher(): OutboxDispatcher {
    const tokens = new DbTokenProvider({ dataSource: ds, apiBase: h.base, corpId: CORP_ID, secrets: { app: SECRET }, now, pollMs: 10, instanceId: 'fair-1' });
    const client = new WeComClient({ apiBase: h.base, corpId: CORP_ID, agentId: AGENT_ID, tokens, sleep: async () => undefined, random: () => 0.5 });
    return new OutboxDispatcher({ dataSource: ds, client, pacer: new Pacer({ dataSource: ds, now }), instanceId: 'fair-1', now, random: () => 0 });
  }
  const cardsTo = (userid: string) => h.emu.delivered({ touser: userid, msgtype: 'template_card' });
  const texts = () => h.emu.delivered({ msgtype: 'text' }).length;
  const addCard = (userid: string, task: string) => inTransaction(ds, (m) => enqueue(m, { channel: 'message', payload: card(userid, task), now: now() }));

  it('200 queued texts to 5 members, then a card to a sixth: the card goes out in the very next pass', async () => {
    await inTransaction(ds, (m) =>
      enqueueMany(
        m,
        Array.from({ length: 200 }, (_, i) => ({ channel: 'message' as const, payload: { touser: MEMBERS[i % 5], msgtype: 'text', text: { content: `第${i}条` } }, now: now() })),
      ),
    );
    await addCard('m6', 'task_m6');
    const d = dispatcher();
    const first = await d.runOnce();
    expect(cardsTo('m6'), 'card in the first pass, ahead of 200 older texts').to.have.length(1);
    expect(first.sent).to.be.greaterThan(1);

    // Drain what the cap allows: 30 per member this minute, the rest deferred.
    for (let i = 0; i < 40; i++) {
      const r = await d.runOnce();
      if (!r.sent && !r.deferred) break;
    }
    expect(texts()).to.equal(150);
    // Deferred rows are out of the due scan: nothing is due now.
    expect(await ds.getRepository(OutboxMessage).countBy({ status: 'pending', nextAttemptAt: LessThanOrEqual(now()) })).to.equal(0);
    expect(await ds.getRepository(OutboxMessage).countBy({ status: 'pending' })).to.equal(50);

    await addCard('m7', 'task_m7');
    const next = await d.runOnce();
    expect(next).to.deep.equal({ sent: 1, failed: 0, deferred: 0 });
    expect(cardsTo('m7')).to.have.length(1);

    // A minute later the held texts go out again, in order per member.
    h.clock.t += 63_000;
    for (let i = 0; i < 10; i++) if (!(await d.runOnce()).sent) break;
    expect(texts()).to.equal(200);
    const m1 = h.emu.delivered({ touser: 'm1', msgtype: 'text' }).map((x) => x.payload.content);
    expect(m1).to.deep.equal(Array.from({ length: 40 }, (_, i) => `第${i * 5}条`));
  });
});
