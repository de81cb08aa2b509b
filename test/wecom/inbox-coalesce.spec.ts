import { expect } from 'chai';
import { CallbackDispatcher } from '../../src/wecom/dispatcher';
import { Inbox, senderKeyOf } from '../../src/wecom/inbox';
import { dedupeKeyOf, kindOf } from '../../src/wecom/callback';
import { silentLogger } from '../../src/logger';
import { InboxEvent } from '../../entities';
import { clearTables, testDataSource } from '../helpers/db';
import { QueryCounter } from '../helpers/query-count';

/** kf "sync needed" rows wait a few milliseconds for company, then share one transaction. */
describe('inbox: kf callbacks of one account coalesce', () => {
  let n = 0;
  const kfCallback = (openKfId: string) => {
    n++;
    const fields = { ToUserName: 'wwcorp', CreateTime: String(1764120000 + n), MsgType: 'event', Event: 'kf_msg_or_event', Token: `token${n}`, OpenKfId: openKfId };
    return { fields, kind: kindOf(fields), dedupeKey: dedupeKeyOf(fields) };
  };

  async function setUp(coalesceMs?: number) {
    const ds = await testDataSource();
    await clearTables(ds);
    const calls: Array<{ token: string; inboxId: number }> = [];
    const dispatcher = new CallbackDispatcher();
    dispatcher.onKf(async (ev, ctx) => void calls.push({ token: ev.token, inboxId: ctx.inboxId }));
    const inbox = new Inbox({ dataSource: ds, dispatcher, log: silentLogger, instanceId: 't', ...(coalesceMs === undefined ? {} : { coalesceMs }) });
    const deliver = async (cb: ReturnType<typeof kfCallback>) => {
      const st = await inbox.accept(cb);
      inbox.schedule(st.id, senderKeyOf(cb.fields, st.id));
      return st.id;
    };
    const statuses = async (ids: number[]) => (await ds.getRepository(InboxEvent).findBy({})).filter((r) => ids.includes(r.id)).map((r) => r.status);
    return { ds, inbox, calls, deliver, statuses };
  }

  it('rows answered within the window are handled once together, with the newest token', async () => {
    const { inbox, calls, deliver, statuses } = await setUp(300);
    const ids = await Promise.all([1, 2, 3, 4].map(() => deliver(kfCallback('wkA'))));
    await inbox.drain();
    expect(calls).to.have.length(1);
    expect(calls[0].token).to.equal(`token${n}`);
    expect(await statuses(ids)).to.deep.equal(['done', 'done', 'done', 'done']);
  });

  it('without a window the first row is handled at once and the rest queue behind it', async () => {
    const { inbox, calls } = await setUp(0);
    const cbs = [kfCallback('wkA'), kfCallback('wkA'), kfCallback('wkA')];
    const stored = await Promise.all(cbs.map((cb) => inbox.accept(cb)));
    stored.forEach((st, i) => inbox.schedule(st.id, senderKeyOf(cbs[i].fields, st.id)));
    await inbox.drain();
    expect(calls.map((c) => c.token)).to.deep.equal([cbs[0].fields.Token, cbs[2].fields.Token]);
  });

  it('a row arriving after its window closed gets a window of its own; every row is done', async () => {
    const { inbox, calls, deliver, statuses } = await setUp(10);
    const first = await Promise.all([deliver(kfCallback('wkA')), deliver(kfCallback('wkA'))]);
    await new Promise((r) => setTimeout(r, 40));
    const later = await deliver(kfCallback('wkA'));
    await inbox.drain();
    expect(calls).to.have.length(2);
    expect(calls[1].inboxId).to.equal(later);
    expect(await statuses([...first, later])).to.deep.equal(['done', 'done', 'done']);
  });

  it('accounts coalesce apart: one handling per account', async () => {
    const { inbox, calls, deliver } = await setUp(300);
    await Promise.all([deliver(kfCallback('wkA')), deliver(kfCallback('wkB')), deliver(kfCallback('wkA'))]);
    await inbox.drain();
    expect(calls).to.have.length(2);
  });

  it('a stop during the window still handles the rows waiting in it', async () => {
    const { inbox, calls, deliver, statuses } = await setUp(30);
    const id = await deliver(kfCallback('wkA'));
    await inbox.stop();
    expect(calls).to.have.length(1);
    expect(await statuses([id])).to.deep.equal(['done']);
  });
});

describe('inbox: a callback stored alone', () => {
  it('takes its id from the INSERT: one statement, and the id is the stored row of its dedupe key', async () => {
    const ds = await testDataSource();
    await clearTables(ds);
    const inbox = new Inbox({ dataSource: ds, dispatcher: new CallbackDispatcher(), log: silentLogger, instanceId: 't' });
    const qc = new QueryCounter(ds);
    const ids: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const fields = { MsgType: 'text', FromUserName: `u${i}`, Content: 'x', MsgId: String(7100 + i), CreateTime: String(Math.floor(Date.now() / 1000)) };
        qc.start();
        const st = await inbox.accept({ fields, kind: 'text', dedupeKey: `alone${i}` });
        expect(qc.stop()).to.have.length(1);
        expect(st.duplicate).to.equal(false);
        ids.push(st.id);
      }
    } finally {
      qc.detach();
    }
    const rows = await ds.getRepository(InboxEvent).findBy({});
    expect(ids.map((id) => rows.find((r) => r.id === id)?.dedupeKey)).to.deep.equal(['alone0', 'alone1', 'alone2']);
    // Sent again, each is a duplicate answering the stored row's id.
    const again = await inbox.accept({ fields: { MsgType: 'text', FromUserName: 'u1' }, kind: 'text', dedupeKey: 'alone1' });
    expect(again).to.deep.equal({ id: ids[1], duplicate: true });
  });
});
