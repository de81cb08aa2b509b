/**
 * kf credentials end to end (WECOM.md section 6): since 2023-12-01 WeCom refuses the kf
 * system secret for new corps, so the server runs kf on the self-built app's token. The
 * emulator here refuses the kf secret, as such a corp's WeCom would.
 */
import { expect } from 'chai';
import { startKfHarness, KfHarness } from '../helpers/kf';

describe('wecom: kf runs on the app token', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  it('a citizen conversation syncs and replies with the app token only; the kf secret is never asked for', async () => {
    kh.kf = kh.newAccount();
    const replies = await kh.say('wmCredCitizen', '你好');
    expect(replies.length).to.be.greaterThan(0);
    const calls = kh.h.emu.apiCalls();
    const gettoken = calls.filter((c) => c.path === '/cgi-bin/gettoken');
    expect(gettoken.length).to.be.greaterThan(0);
    for (const g of gettoken) expect(g.query.corpsecret).to.equal(kh.h.keys.secret);
    const kfCalls = calls.filter((c) => c.path.startsWith('/cgi-bin/kf/'));
    expect(kfCalls.map((c) => c.path)).to.include.members(['/cgi-bin/kf/sync_msg', '/cgi-bin/kf/send_msg']);
    for (const c of kfCalls) expect(c.errcode).to.equal(0);
  });

  it('a kf callback WeCom dropped is caught up by the periodic pull within a minute (DOC 90930)', async () => {
    kh.h.emu.setCallbackRetry('network_only');
    await kh.say('wmDropped', '你好');
    const before = kh.sent('wmDropped').length;
    kh.h.emu.dropCallbacks(1);
    const said = await kh.h.emu.kfCustomerSays(kh.kf, 'wmDropped', '投诉');
    expect(said.dropped).to.equal(true);
    await kh.settle();
    expect(kh.sent('wmDropped')).to.have.length(before);
    kh.h.clock.advance(30_000);
    await kh.settle();
    expect(kh.sent('wmDropped')).to.have.length(before);
    const callbacks = kh.h.emu.callbacks().length;
    kh.h.clock.advance(31_000);
    await kh.settle();
    expect(kh.sent('wmDropped').length).to.be.greaterThan(before);
    expect(kh.h.emu.callbacks()).to.have.length(callbacks);
  });
});
