import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { inTransaction } from '../../src/db/tx';
import { clearTables, extraDataSource, testDataSource } from '../helpers/db';
import { AGENT_ID, CORP_ID, KF_SECRET, SECRET, startEmulator, type EmulatorHarness } from '../sandbox/harness';
import { DbTokenProvider } from '../../src/wecom/token-cache';
import { WeComClient } from '../../src/wecom/client';
import { Pacer } from '../../src/wecom/pacer';
import { OutboxDispatcher, enqueue } from '../../src/wecom/outbox';
import { slowProxy } from '../helpers/slow-proxy';

const SEND = '/cgi-bin/message/send';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('wecom outbox: short claims, renewed while sending, taken back after a restart', () => {
  let ds: DataSource;
  let ds2: DataSource;
  let h: EmulatorHarness;

  before(async () => {
    ds = await testDataSource();
    ds2 = await extraDataSource();
  });
  after(async () => ds2.destroy());
  beforeEach(async () => {
    await clearTables(ds);
    h = await startEmulator({ members: undefined });
  });
  afterEach(async () => h.close());

  const now = () => new Date(h.clock.t);
  function dispatcher(dataSource: DataSource, instanceId: string, apiBase = h.base, claimMs?: number): OutboxDispatcher {
    const tokens = new DbTokenProvider({ dataSource, apiBase, corpId: CORP_ID, secrets: { app: SECRET, kf: KF_SECRET }, now, pollMs: 10, instanceId });
    const client = new WeComClient({ apiBase, corpId: CORP_ID, agentId: AGENT_ID, tokens, sleep: async () => undefined, random: () => 0.5 });
    return new OutboxDispatcher({ dataSource, client, pacer: new Pacer({ dataSource, now }), instanceId, now, random: () => 0, claimMs });
  }
  const add = (touser: string, content: string) => inTransaction(ds, (m) => enqueue(m, { channel: 'message', payload: { touser, msgtype: 'text', text: { content } }, now: now() }));
  const sends = () => h.emu.apiCalls().filter((c) => c.path === SEND);

  it('claims a row for 15 s by default', async () => {
    const r = await add('alice', 'claimed');
    // A slow send, so the claim can be read while it is held.
    const proxy = await slowProxy(h.base, 400);
    try {
      const slow = dispatcher(ds, 'c-1', proxy.url);
      const pass = slow.runOnce();
      await sleep(150);
      const held = await ds.getRepository(OutboxMessage).findOneByOrFail({ id: r.id });
      expect(held.status).to.equal('sending');
      expect(held.claimedUntil!.getTime() - h.clock.t).to.equal(15_000);
      await pass;
    } finally {
      await proxy.close();
    }
    expect(sends()).to.have.length(1);
  });

  it('renews its claim while a slow send is in flight, so a second dispatcher never takes the row', async () => {
    const r = await add('alice', 'slow network');
    const proxy = await slowProxy(h.base, 1200);
    try {
      const slow = dispatcher(ds, 'slow-1', proxy.url, 300);
      const pass = slow.runOnce();
      await sleep(100);
      // Time passes beyond the first claim; the renewal (every 100 ms) keeps it ahead.
      h.clock.t += 600;
      await sleep(250);
      const held = await ds.getRepository(OutboxMessage).findOneByOrFail({ id: r.id });
      expect(held.claimedBy).to.equal('slow-1');
      expect(held.claimedUntil!.getTime()).to.be.above(h.clock.t);
      expect(await dispatcher(ds2, 'other-2').runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
      expect(await pass).to.deep.equal({ sent: 1, failed: 0, deferred: 0 });
    } finally {
      await proxy.close();
    }
    expect(sends()).to.have.length(1);
    expect((await ds.getRepository(OutboxMessage).findOneByOrFail({ id: r.id })).status).to.equal('sent');
  });

  it('takes back at start the rows an earlier run under the same instance id left claimed, long before the claim ends', async () => {
    const a = await add('alice', 'left claimed 1');
    const b = await add('bob', 'left claimed 2');
    const c = await add('carol', 'claimed by a live twin');
    const repo = ds.getRepository(OutboxMessage);
    const until = new Date(h.clock.t + 15_000);
    await repo.update({ id: a.id }, { status: 'sending', claimedBy: 'node-a', claimedUntil: until, attempts: 1 });
    await repo.update({ id: b.id }, { status: 'sending', claimedBy: 'node-a', claimedUntil: until, attempts: 1 });
    await repo.update({ id: c.id }, { status: 'sending', claimedBy: 'node-b', claimedUntil: until, attempts: 1 });
    // A plain pass (tests, the CLI) leaves them alone; a started dispatcher takes its own back.
    expect(await dispatcher(ds, 'node-a').runOnce()).to.deep.equal({ sent: 0, failed: 0, deferred: 0 });
    const restarted = dispatcher(ds, 'node-a');
    restarted.start(20);
    try {
      for (let i = 0; i < 100 && (await repo.countBy({ status: 'sent' })) < 2; i++) await sleep(20);
    } finally {
      await restarted.stop();
    }
    const rows = await repo.find({ order: { id: 'ASC' } });
    expect(rows.map((x) => x.status)).to.deep.equal(['sent', 'sent', 'sending']);
    // Taken back as "tried before": a second try (the first may have reached WeCom).
    expect(rows[0].attempts).to.equal(2);
    expect(sends().map((s) => s.body.touser).sort()).to.deep.equal(['alice', 'bob']);
  });
});
