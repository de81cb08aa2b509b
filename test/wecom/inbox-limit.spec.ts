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
