import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { CallbackDispatcher } from '../../src/wecom/dispatcher';
import { dedupeKeyOf } from '../../src/wecom/callback';
import { Inbox } from '../../src/wecom/inbox';
import { silentLogger } from '../../src/logger';
import { InboxEvent } from '../../entities';
import { clearTables, extraDataSource, testDataSource } from '../helpers/db';

/** Rows answered 200 but never processed, as a killed process leaves them. */
async function backlog(inbox: Inbox, n: number, at: Date, senders = 40): Promise<void> {
  for (let i = 0; i < n; i++) {
    const fields = { MsgType: 'text', FromUserName: `u${i % senders}`, Content: String(i), MsgId: String(8_000_000 + i), CreateTime: String(Math.floor(at.getTime() / 1000)), AgentID: '1' };
    await inbox.accept({ fields, kind: 'text', dedupeKey: dedupeKeyOf(fields) });
  }
}

describe('inbox recovery drains the backlog', function () {
  this.timeout(120_000);
  let ds: DataSource;
  const t0 = new Date();
  const later = new Date(t0.getTime() + 60_000);

  beforeEach(async () => {
    ds = await testDataSource();
    await clearTables(ds);
  });

  function counting(log: string[], stats = { active: 0, peak: 0 }) {
    const dispatcher = new CallbackDispatcher();
    dispatcher.onText(async (m) => {
      stats.active++;
      stats.peak = Math.max(stats.peak, stats.active);
      await new Promise((r) => setImmediate(r));
      log.push(`${m.from}:${m.content}`);
      stats.active--;
      return 'handled';
    });
    return { dispatcher, stats };
  }

  it('processes a backlog larger than a batch in one loop, at once, each row once and each sender in order', async () => {
    const seen: string[] = [];
    const { dispatcher, stats } = counting(seen);
    const writer = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 'w', now: () => t0 });
    const n = 1_200;
    await backlog(writer, n, t0);
    // A minute-long interval: only a loop that keeps going while there is backlog finishes in time.
    const inbox = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 'r', now: () => later, concurrency: 4 });
    const started = Date.now();
    inbox.start(60_000);
    try {
      while ((await ds.getRepository(InboxEvent).countBy({ status: 'done' })) < n) {
        if (Date.now() - started > 50_000) throw new Error(`only ${seen.length} of ${n} processed`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await inbox.stop();
    }
    expect(seen).to.have.length(n);
    expect(new Set(seen).size).to.equal(n);
    expect(stats.peak).to.be.within(1, 4);
    for (let s = 0; s < 40; s++) {
      const mine = seen.filter((l) => l.startsWith(`u${s}:`)).map((l) => Number(l.split(':')[1]));
      expect(mine).to.deep.equal([...mine].sort((a, b) => a - b));
    }
  });

  it('two instances recovering the same backlog act on every row exactly once', async () => {
    const seen: string[] = [];
    const { dispatcher } = counting(seen);
    const other = await extraDataSource();
    try {
      const a = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 'a', now: () => later });
      const b = new Inbox({ dataSource: other, dispatcher, log: silentLogger, instanceId: 'b', now: () => later });
      await backlog(new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 'w', now: () => t0 }), 300, t0);
      const [na, nb] = await Promise.all([a.recoverAll(), b.recoverAll()]);
      expect(na + nb).to.equal(300);
      expect(seen).to.have.length(300);
      expect(new Set(seen).size).to.equal(300);
    } finally {
      await other.destroy();
    }
  });
});
