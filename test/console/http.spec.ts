import { expect } from 'chai';
import { ConsoleSession, OfficeOrder, PersonalDataRead, VerificationEvent } from '../../entities';
import { startHarness, Harness } from '../helpers/system';
import { AUDITOR, ConsoleClient, consoleMembers, seedConsole } from './console-mother';

describe('console: sign-in, roles, CSRF and unit isolation over HTTP', () => {
  let h: Harness;
  let seeded: Awaited<ReturnType<typeof seedConsole>>;

  before(async () => {
    h = await startHarness({ members: consoleMembers() });
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.reset();
    seeded = await seedConsole(h);
  });

  it('sends a signed-out browser to sign-in, then through the emulator OAuth (snsapi_base, hex state) to the dashboard', async () => {
    const c = new ConsoleClient(h);
    const first = await c.get('/console/verifications');
    expect(first.status).to.equal(302);
    expect(first.headers.get('location')).to.equal('/console/login?next=%2Fconsole%2Fverifications');
    const start = await c.get('/console/login/start?via=oauth');
    const to = new URL(start.headers.get('location')!);
    expect(to.origin).to.equal(h.sys.config.wecom!.apiBase);
    expect(to.pathname).to.equal('/connect/oauth2/authorize');
    expect(to.searchParams.get('scope')).to.equal('snsapi_base');
    expect(to.searchParams.get('redirect_uri')).to.equal('http://nocert.test/console/login/callback');
    expect(to.searchParams.get('state')).to.match(/^[0-9a-f]{64}$/);
    expect(to.hash).to.equal('#wechat_redirect');

    const c2 = new ConsoleClient(h);
    const res = await c2.login('office.duty');
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/console/');
    const setCookie = res.headers.getSetCookie().find((x) => x.startsWith('nc_console='))!;
    expect(setCookie).to.match(/httponly/i).and.match(/samesite=lax/i).and.match(/path=\/console/i);
    expect(setCookie).not.to.match(/secure/i);
    const token = c2.cookies.get('nc_console')!;
    const rows = await h.sys.dataSource.getRepository(ConsoleSession).find();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ userid: 'office.duty', role: 'office', unitCode: 'OFFICE' });
    expect(rows[0].id).to.match(/^[0-9a-f]{64}$/).and.not.equal(token);

    const dash = await c2.get('/console/');
    expect(dash.status).to.equal(200);
    const csp = dash.headers.get('content-security-policy')!;
    expect(csp).to.include("script-src 'self'").and.include("default-src 'none'").and.not.include('unsafe-inline');
    const html = await dash.text();
    expect(html).to.include('今日待办协查').and.include(seeded.escalated.number).and.include('1 级上报');
    expect(html).not.to.match(/<script>(?!<)/);
  });

  it('signs in with the desktop QR-code login too', async () => {
    const c = new ConsoleClient(h);
    const start = await c.get('/console/login/start?via=qr');
    const to = new URL(start.headers.get('location')!);
    expect(to.pathname).to.equal('/wwlogin/sso/login');
    expect(to.searchParams.get('login_type')).to.equal('CorpApp');
    expect((await c.login('gaj.liaison', 'qr')).headers.get('location')).to.equal('/console/');
    expect((await c.get('/console/')).status).to.equal(200);
  });

  it('the emulator refuses a bad state or a foreign appid; the server refuses a state not made for this browser', async () => {
    const c = new ConsoleClient(h);
    const to = new URL((await c.get('/console/login/start?via=oauth')).headers.get('location')!);
    to.hash = '';
    to.searchParams.set('userid', 'office.duty');
    const bad = new URL(to);
    bad.searchParams.set('state', 'has-dash.and.dot');
    expect((await fetch(bad, { redirect: 'manual' })).status).to.equal(400);
    bad.searchParams.set('state', 'a'.repeat(129));
    expect((await fetch(bad, { redirect: 'manual' })).status).to.equal(400);
    const foreign = new URL(to);
    foreign.searchParams.set('appid', 'wwsomeoneelse');
    expect((await fetch(foreign, { redirect: 'manual' })).status).to.equal(400);
    // A code and state carried to another browser (login CSRF): no nonce cookie there.
    const back = new URL((await fetch(to, { redirect: 'manual' })).headers.get('location')!);
    const other = new ConsoleClient(h);
    expect((await other.get(`/console/login/callback${back.search}`)).status).to.equal(400);
    expect(await h.sys.dataSource.getRepository(ConsoleSession).count()).to.equal(0);
  });

  it('refuses a WeCom member who is neither in the directory nor an auditor', async () => {
    const res = await new ConsoleClient(h).login('stranger');
    expect(res.status).to.equal(403);
    expect(await res.text()).to.include('不在协查通讯录');
    expect(await h.sys.dataSource.getRepository(ConsoleSession).count()).to.equal(0);
  });

  it('a unit user sees only requests of their unit; another unit request is a 404 and no read is logged', async () => {
    const c = new ConsoleClient(h);
    await c.login('scj.liaison');
    const list = await (await c.get('/console/verifications')).text();
    expect(list).to.include(seeded.other.number).and.not.include(seeded.escalated.number);
    const filtered = await (await c.get(`/console/verifications?number=${seeded.escalated.number}`)).text();
    expect(filtered).not.to.include(`/console/verifications/${seeded.escalated.id}"`);
    expect((await c.get(`/console/verifications/${seeded.escalated.id}`)).status).to.equal(404);
    const mine = await c.get(`/console/verifications/${seeded.other.id}`);
    expect(mine.status).to.equal(200);
    expect(await mine.text()).to.include('张小三');
    const reads = await h.sys.dataSource.getRepository(PersonalDataRead).find();
    expect(reads.map((r) => [r.requestId, r.reader, r.readerUnit, r.via])).to.deep.equal([[seeded.other.id, 'scj.liaison', 'SCJ', 'console']]);
    // Not the office: no action forms, and a forged action is refused.
    const token = ConsoleClient.csrf(await (await c.get(`/console/verifications/${seeded.other.id}`)).text());
    expect((await c.post(`/console/verifications/${seeded.other.id}/actions`, { csrf: token, kind: 'urge', escalation: '1' })).status).to.equal(403);
  });

  it('a POST without the session CSRF token is refused with 403 and changes nothing; with it, 督办 is recorded', async () => {
    const c = new ConsoleClient(h);
    await c.login('office.duty');
    const page = await (await c.get(`/console/verifications/${seeded.escalated.id}`)).text();
    expect(page).to.include('督办').and.include('责成限时办结').and.include('约谈');
    const escalation = /name="escalation" value="(\d+)"/.exec(page)![1];
    const before = await h.sys.dataSource.getRepository(VerificationEvent).count();
    for (const csrf of [undefined, 'f'.repeat(64)]) {
      const res = await c.post(`/console/verifications/${seeded.escalated.id}/actions`, { ...(csrf ? { csrf } : {}), kind: 'urge', escalation });
      expect(res.status).to.equal(403);
    }
    expect(await h.sys.dataSource.getRepository(OfficeOrder).count()).to.equal(0);
    expect(await h.sys.dataSource.getRepository(VerificationEvent).count()).to.equal(before);

    const ok = await c.post(`/console/verifications/${seeded.escalated.id}/actions`, { csrf: ConsoleClient.csrf(page), kind: 'urge', escalation, note: '请尽快办理' });
    expect(ok.status).to.equal(302);
    expect(ok.headers.get('location')).to.equal(`/console/verifications/${seeded.escalated.id}?done=urge`);
    const orders = await h.sys.dataSource.getRepository(OfficeOrder).find();
    expect(orders.map((o) => [o.kind, o.actor, o.note])).to.deep.equal([['urge', 'office.duty', '请尽快办理']]);
    const after = await (await c.get(`/console/verifications/${seeded.escalated.id}?done=urge`)).text();
    expect(after).to.include('已督办').and.include('办公室督办');
  });

  it('an auditor reads everything but cannot act', async () => {
    const c = new ConsoleClient(h);
    await c.login(AUDITOR);
    const [row] = await h.sys.dataSource.getRepository(ConsoleSession).find();
    expect(row).to.include({ role: 'auditor', unitCode: null });
    const page = await c.get(`/console/verifications/${seeded.escalated.id}`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).not.to.include('name="kind"');
    const res = await c.post(`/console/verifications/${seeded.escalated.id}/actions`, { csrf: ConsoleClient.csrf(html), kind: 'urge', escalation: '1' });
    expect(res.status).to.equal(403);
    expect(await h.sys.dataSource.getRepository(OfficeOrder).count()).to.equal(0);
    expect((await h.sys.dataSource.getRepository(PersonalDataRead).find()).map((r) => [r.reader, r.readerUnit])).to.deep.equal([[AUDITOR, null]]);
  });

  it('signing out ends the session in the database', async () => {
    const c = new ConsoleClient(h);
    await c.login('office.duty');
    const token = ConsoleClient.csrf(await (await c.get('/console/')).text());
    expect((await c.post('/console/logout', { csrf: token })).status).to.equal(302);
    expect(await h.sys.dataSource.getRepository(ConsoleSession).count()).to.equal(0);
    expect((await c.get('/console/')).status).to.equal(302);
  });
});
