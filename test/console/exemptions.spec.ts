import { expect } from 'chai';
import { ExemptionApplication } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { ExemptionMother } from '../helpers/mothers/exemptions';
import type { Harness } from '../helpers/system';
import { AUDITOR, ConsoleClient, consoleHarness } from './console-mother';

describe('console: the exemption list (SPEC 2): review in the console, public search without sign-in', () => {
  let h: Harness;
  let office: Api;
  let appId: number;

  const env = consoleHarness();
  beforeEach(async () => {
    h = env.h;
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-list', 'RSJ', h.clock.now));
    const res = await rsj.post('/exemptions/applications', ExemptionMother.addBody());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    appId = res.body.id;
    await h.sys.settle();
  });

  const statusOf = async () => (await h.sys.dataSource.getRepository(ExemptionApplication).findOneByOrFail({ id: appId })).status;

  it('the office approves a pending application; once published, anyone finds it on the public page', async () => {
    const c = new ConsoleClient(h);
    await c.login('office.duty');
    const page = await (await c.get('/console/exemptions')).text();
    expect(page).to.include('失业保险金申领').and.include(`/console/exemptions/applications/${appId}/review`).and.include('清单尚未公布');
    // Return needs a comment (the module's rule): refused, nothing changes.
    const bad = await c.post(`/console/exemptions/applications/${appId}/review`, { csrf: ConsoleClient.csrf(page), decision: 'return' });
    expect(bad.headers.get('location')).to.equal('/console/exemptions?error=validation_failed');
    expect(await statusOf()).to.equal('pending');
    const ok = await c.post(`/console/exemptions/applications/${appId}/review`, { csrf: ConsoleClient.csrf(page), decision: 'approve' });
    expect(ok.headers.get('location')).to.equal('/console/exemptions?done=approve');
    expect(await statusOf()).to.equal('approved');

    const before = await fetch(`${h.sys.url}/exemptions?q=${encodeURIComponent('户籍证明')}`);
    expect(before.status).to.equal(200);
    expect(await before.text()).to.include('清单尚未公布');
    expect((await office.post('/exemptions/publish', {})).status).to.equal(201);
    const pub = await fetch(`${h.sys.url}/exemptions?q=${encodeURIComponent('户籍证明')}`);
    expect(pub.headers.get('content-security-policy')).to.include("default-src 'none'");
    const html = await pub.text();
    expect(html).to.include('失业保险金申领').and.include('第 1 版');
    expect(await (await fetch(`${h.sys.url}/exemptions?q=${encodeURIComponent('结婚证')}`)).text()).to.include('没有查到相关事项');
  });

  it('an auditor and a unit user cannot review; a missing CSRF token is refused', async () => {
    for (const who of [AUDITOR, 'rsj.liaison']) {
      const c = new ConsoleClient(h);
      await c.login(who);
      const page = await (await c.get('/console/exemptions')).text();
      expect(page).not.to.include('/review"');
      expect((await c.post(`/console/exemptions/applications/${appId}/review`, { csrf: ConsoleClient.csrf(page), decision: 'approve' })).status).to.equal(403);
    }
    const o = new ConsoleClient(h);
    await o.login('office.duty');
    expect((await o.post(`/console/exemptions/applications/${appId}/review`, { decision: 'approve' })).status).to.equal(403);
    expect(await statusOf()).to.equal('pending');
  });
});
