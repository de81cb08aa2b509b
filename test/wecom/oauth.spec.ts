/**
 * OAuth as WeCom checks it (WECOM.md section 8, DOC 91022, DOC 98152): `state` only
 * [a-zA-Z0-9], at most 128 bytes; a code of someone outside the corp answers an openid and
 * no userid, and the product refuses it with a clear page.
 */
import { expect } from 'chai';
import { ConsoleSession } from '../../entities';
import { startHarness, Harness } from '../helpers/system';
import { ConsoleClient, consoleMembers, seedConsole } from '../console/console-mother';
import { SessionSigner } from '../../src/verification/session';

describe('wecom: OAuth state and non-member codes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ members: consoleMembers() });
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.reset();
  });

  it('the detail page sends WeCom a state of letters and digits only (a hex MAC), and reads it back', async () => {
    const res = await fetch(`${h.sys.url}/v/12345`, { redirect: 'manual' });
    expect(res.status).to.equal(302);
    const to = new URL(res.headers.get('location')!);
    const state = to.searchParams.get('state')!;
    expect(state).to.match(/^[a-zA-Z0-9]{1,128}$/);
    const s = new SessionSigner('secret-for-state-tests');
    expect(s.readState(s.state(42))).to.equal(42);
    expect(s.state(42)).to.match(/^v42m[0-9a-f]{32}$/);
    expect(s.readState(s.state(42).replace('v42', 'v43'))).to.equal(null);
    expect(s.readState('v42.' + 'A'.repeat(22))).to.equal(null);
  });

  it('the detail page refuses a non-member code clearly (403), not as a failed sign-in', async () => {
    const to = new URL((await fetch(`${h.sys.url}/v/7`, { redirect: 'manual' })).headers.get('location')!);
    const code = h.emu.issueNonMemberOAuthCode('oOutsider9');
    const res = await fetch(`${h.sys.url}/v/login?code=${code}&state=${to.searchParams.get('state')}`, { redirect: 'manual' });
    expect(res.status).to.equal(403);
    expect(await res.text()).to.include('不是本单位企业微信的成员');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('nc_session='))).to.equal(false);
  });

  it('the console refuses a non-member signing in through the emulator\'s OAuth page (openid, no userid)', async () => {
    await seedConsole(h);
    const c = new ConsoleClient(h);
    const start = await c.get('/console/login/start?via=oauth');
    const to = new URL(start.headers.get('location')!);
    to.hash = '';
    to.searchParams.set('openid', 'oOutsider1');
    const back = await fetch(to, { redirect: 'manual' });
    expect(back.status).to.equal(302);
    const cb = new URL(back.headers.get('location')!);
    const res = await c.get(`/console/login/callback${cb.search}`);
    expect(res.status).to.equal(403);
    expect(await res.text()).to.include('不是本单位企业微信的成员');
    expect(await h.sys.dataSource.getRepository(ConsoleSession).count()).to.equal(0);
  });
});
