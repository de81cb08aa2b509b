import { expect } from 'chai';
import { OutboxMessage } from '../../entities';
import { inTransaction } from '../../src/db/tx';
import { enqueueMany } from '../../src/wecom/outbox';
import { faultEnv, figure, freePort, slowProxy, spawnApp, until, stopApp } from './harness';

const CARDS = 100;

describe('faults: SIGKILL while the outbox sends', function () {
  this.timeout(120_000);

  const f = faultEnv();

  it(`delivers every one of ${CARDS} queued cards exactly once within 30 s of the restart`, async () => {
    const now = new Date();
    await inTransaction(f.ds, (m) =>
      enqueueMany(
        m,
        Array.from({ length: CARDS }, (_, i) => ({
          channel: 'message' as const,
          payload: {
            touser: `fault.user${i}`,
            msgtype: 'template_card',
            template_card: { card_type: 'button_interaction', main_title: { title: '协查请求', desc: `第 ${i} 张` }, task_id: `fault_${i}_${now.getTime()}`, button_list: [{ text: '受理', style: 1, key: `k${i}` }] },
          },
          now,
        })),
      ),
    );
    // A slow network, so the kill lands while sends are in flight.
    const proxy = await slowProxy(f.e.base, 120);
    const port = await freePort();
    try {
      f.app = spawnApp(f.e, { port, instanceId: 'fault-dispatch-1', apiBase: proxy.url });
      await f.app.ready();
      await until('a third of the cards out', () => f.e.emu.delivered({ msgtype: 'template_card' }).length >= CARDS / 3, 30_000, 5);
      f.app.signal('SIGKILL');
      await f.app.exited;
      const atKill = f.e.emu.delivered({ msgtype: 'template_card' }).length;
      const inFlight = await f.ds.getRepository(OutboxMessage).countBy({ status: 'sending' });
      expect(atKill).to.be.below(CARDS);

      const t0 = Date.now();
      f.app = spawnApp(f.e, { port, instanceId: 'fault-dispatch-1', apiBase: proxy.url });
      await until('every card recorded as sent', async () => (await f.ds.getRepository(OutboxMessage).countBy({ status: 'sent' })) === CARDS, 30_000, 50);
      const seconds = (Date.now() - t0) / 1000;

      const delivered = f.e.emu.delivered({ msgtype: 'template_card' });
      const perTask = new Map<string, number>();
      for (const d of delivered) perTask.set(d.payload.task_id, (perTask.get(d.payload.task_id) ?? 0) + 1);
      const once = [...perTask.values()].filter((n) => n === 1).length;
      figure('sigkill-dispatch', `${once}/${CARDS} delivered once (${atKill} before the kill, ${inFlight} claimed in flight), all ${seconds.toFixed(1)} s after the restart`);
      expect(perTask.size).to.equal(CARDS);
      expect(once).to.equal(CARDS);
      expect(seconds).to.be.below(30);
    } finally {
      await stopApp(f.app);
      await proxy.close();
    }
  });
});
