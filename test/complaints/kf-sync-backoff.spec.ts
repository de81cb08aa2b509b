/**
 * A failing kf sync backs off per account: WeCom's -1/45009/60020 or a database error
 * never make the worker call sync_msg again at once.
 */
import { expect } from 'chai';
import { KfSyncCursor } from '../../entities';
import { KfSync } from '../../src/complaints/kf-sync';
import { KfHarness, startKfHarness } from '../helpers/kf';

const SYNC = '/cgi-bin/kf/sync_msg';

describe('complaints: kf sync backs off per account on errors', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  const syncCalls = (kf = kh.kf) => kh.h.emu.apiCalls().filter((a) => a.path === SYNC && a.body.open_kfid === kf).length;
  const cursor = (kf = kh.kf) => kh.h.sys.dataSource.getRepository(KfSyncCursor).findOneByOrFail({ openKfId: kf });

  it('waits 5 s, 10 s, 20 s ... (capped) between tries while WeCom refuses, then catches up; other accounts go on', async () => {
    const other = kh.newAccount();
    // Injected errors answer whichever account calls next: one per try of ours.
    kh.h.emu.injectError(SYNC, 60020, 1);
    await kh.h.emu.kfCustomerSays(kh.kf, 'wmBackoff', '你好');
    await kh.h.sys.inbox.drain();
    for (let i = 0; i < 5; i++) await kh.worker.runOnce();
    expect(syncCalls()).to.equal(1);
    const first = await cursor();
    expect(first.lastError).to.match(/60020/);
    expect(first.claimedBy).to.equal(null);
    const wait1 = first.claimedUntil!.getTime() - kh.h.clock.now.getTime();
    expect(wait1).to.be.within(5_000, 5_500);

    // Another account is not held back by this one's failures.
    await kh.h.emu.kfCustomerSays(other, 'wmOther', '你好');
    await kh.settle();
    expect(kh.h.emu.kfSent('wmOther').filter((m) => m.open_kfid === other)).to.have.length(1);
    expect(syncCalls()).to.equal(1);

    // The client's own retries (3 tries for 45009) are used up first; the other account is idle now.
    kh.h.emu.injectError(SYNC, 45009, 3);
    kh.h.clock.advance(wait1 + 1);
    await kh.worker.runOnce();
    await kh.worker.runOnce();
    expect(syncCalls()).to.equal(4);
    expect((await cursor()).lastError).to.match(/45009/);
    const wait2 = (await cursor()).claimedUntil!.getTime() - kh.h.clock.now.getTime();
    expect(wait2).to.be.within(10_000, 11_000);

    kh.h.emu.injectError(SYNC, 60020, 1);
    kh.h.clock.advance(wait2 + 1);
    await kh.worker.runOnce();
    expect(syncCalls()).to.equal(5);
    const wait3 = (await cursor()).claimedUntil!.getTime() - kh.h.clock.now.getTime();
    expect(wait3).to.be.within(20_000, 22_000);

    // WeCom answers again: the account catches up and the backoff is forgotten.
    kh.h.clock.advance(wait3 + 1);
    await kh.settle();
    const done = await cursor();
    expect(done.synced).to.equal(done.requested);
    expect(done.lastError).to.equal(null);
    expect(done.claimedUntil).to.equal(null);
    expect(kh.sent('wmBackoff')).to.have.length(1);
  });

  it('caps the wait (5 min by default) and adds at most 10% jitter', () => {
    const top = new KfSync({} as never, { me: 'x', claimMs: 60_000, pageLimit: 1000, maxPages: 50, random: () => 0.999 });
    const low = new KfSync({} as never, { me: 'x', claimMs: 60_000, pageLimit: 1000, maxPages: 50, random: () => 0 });
    expect([1, 2, 3, 4, 7, 8, 50].map((n) => low.backoffMs(n))).to.deep.equal([5_000, 10_000, 20_000, 40_000, 300_000, 300_000, 300_000]);
    expect(top.backoffMs(1)).to.be.within(5_000, 5_500);
    expect(top.backoffMs(60)).to.be.within(300_000, 330_000);
  });
});
