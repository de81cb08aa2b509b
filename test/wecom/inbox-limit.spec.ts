import { expect } from 'chai';
import { CallbackDispatcher } from '../../src/wecom/dispatcher';
import { Inbox } from '../../src/wecom/inbox';
import { silentLogger } from '../../src/logger';
import { InboxEvent } from '../../entities';
import { clearTables, testDataSource } from '../helpers/db';
import { isSqlite } from '../../src/db/tx';

/**
 * An inbox (MariaDB/MySQL only: SQLite runs transactions one at a time anyway) whose text
 * handler holds each callback holdMs and records how many were being processed at once, and
 * n member texts stored (not yet scheduled).
 */
async function countingInbox(ctx: Mocha.Context, concurrency: number, holdMs: number, n: number) {
  const ds = await testDataSource();
  if (isSqlite(ds)) ctx.skip();
  await clearTables(ds);
  let active = 0;
  const peaks: number[] = [];
  const dispatcher = new CallbackDispatcher();
  dispatcher.onText(async () => {
    peaks.push(++active);
    await new Promise((r) => setTimeout(r, holdMs));
    active--;
    return 'handled';
  });
  const inbox = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 't', concurrency });
  const stored: Array<{ id: number; sender: string }> = [];
  for (let i = 0; i < n; i++) {
    const fields = { MsgType: 'text', FromUserName: `u${i}`, Content: 'x', MsgId: String(9000 + i), CreateTime: String(Math.floor(Date.now() / 1000)) };
    stored.push({ id: (await inbox.accept({ fields, kind: 'text', dedupeKey: `k${i}` })).id, sender: `u:u${i}` });
  }
  const done = () => ds.getRepository(InboxEvent).countBy({ status: 'done' });
  return { inbox, stored, peak: () => Math.max(0, ...peaks), done };
}

describe('inbox processing concurrency', () => {
  it('processes at most `concurrency` callbacks at once; the rest wait in the table and all get done', async function () {
    const { inbox, stored, peak, done } = await countingInbox(this, 2, 30, 8);
    for (const s of stored) inbox.schedule(s.id, s.sender);
    await inbox.drain();
    expect(peak()).to.equal(2);
    expect(await done()).to.equal(8);
  });
});

describe('inbox processing while callbacks are being acknowledged', () => {
  it('processes one at a time while a batch of answers is queued or being written, then goes back to `concurrency`', async function () {
    const { inbox, stored, peak, done } = await countingInbox(this, 3, 60, 12);
    // Answers being written meanwhile (as under a burst): the writer reports itself busy.
    let answering = true;
    Object.defineProperty(inbox.writes, 'busy', { get: () => answering });
    for (const s of stored.slice(0, 6)) inbox.schedule(s.id, s.sender);
    await new Promise((r) => setTimeout(r, 80));
    expect(peak()).to.equal(1);
    answering = false;
    for (const s of stored.slice(6)) inbox.schedule(s.id, s.sender);
    await inbox.drain();
    expect(peak()).to.equal(3);
    expect(await done()).to.equal(12);
  });
});
