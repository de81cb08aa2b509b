import { expect } from 'chai';
import { CallbackDispatcher } from '../../src/wecom/dispatcher';
import { Inbox } from '../../src/wecom/inbox';
import { silentLogger } from '../../src/logger';
import { InboxEvent } from '../../entities';
import { clearTables, testDataSource } from '../helpers/db';
import { isSqlite } from '../../src/db/tx';

describe('inbox processing concurrency', () => {
  it('processes at most `concurrency` callbacks at once; the rest wait in the table and all get done', async function () {
    const ds = await testDataSource();
    if (isSqlite(ds)) this.skip(); // SQLite runs transactions one at a time anyway
    await clearTables(ds);
    let active = 0;
    let peak = 0;
    const dispatcher = new CallbackDispatcher();
    dispatcher.onText(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
      return 'handled';
    });
    const inbox = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 't', concurrency: 2 });
    for (let i = 0; i < 8; i++) {
      const fields = { MsgType: 'text', FromUserName: `u${i}`, Content: 'x', MsgId: String(9000 + i), CreateTime: String(Math.floor(Date.now() / 1000)) };
      const { id } = await inbox.accept({ fields, kind: 'text', dedupeKey: `k${i}` });
      inbox.schedule(id, `u:u${i}`);
    }
    await inbox.drain();
    expect(peak).to.equal(2);
    expect(await ds.getRepository(InboxEvent).countBy({ status: 'done' })).to.equal(8);
  });
});

describe('inbox processing while callbacks are being acknowledged', () => {
  it('processes one at a time while a batch of answers is queued or being written, then goes back to `concurrency`', async function () {
    const ds = await testDataSource();
    if (isSqlite(ds)) this.skip(); // SQLite runs transactions one at a time anyway
    await clearTables(ds);
    let active = 0;
    const peaks: number[] = [];
    const dispatcher = new CallbackDispatcher();
    dispatcher.onText(async () => {
      active++;
      peaks.push(active);
      await new Promise((r) => setTimeout(r, 60));
      active--;
      return 'handled';
    });
    const inbox = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 't', concurrency: 3 });
    const stored: Array<{ id: number; u: string }> = [];
    for (let i = 0; i < 12; i++) {
      const fields = { MsgType: 'text', FromUserName: `b${i}`, Content: 'x', MsgId: String(9500 + i), CreateTime: String(Math.floor(Date.now() / 1000)) };
      stored.push({ id: (await inbox.accept({ fields, kind: 'text', dedupeKey: `busy${i}` })).id, u: `u:b${i}` });
    }
    // Answers being written meanwhile (as under a burst): the writer reports itself busy.
    let answering = true;
    Object.defineProperty(inbox.writes, 'busy', { get: () => answering });
    for (const s of stored.slice(0, 6)) inbox.schedule(s.id, s.u);
    await new Promise((r) => setTimeout(r, 80));
    expect(Math.max(...peaks)).to.equal(1);
    answering = false;
    for (const s of stored.slice(6)) inbox.schedule(s.id, s.u);
    await inbox.drain();
    expect(Math.max(...peaks)).to.equal(3);
    expect(await ds.getRepository(InboxEvent).countBy({ status: 'done' })).to.equal(12);
  });
});
