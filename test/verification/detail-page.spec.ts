import { expect } from 'chai';
import { startHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { PersonalDataRead, VerificationRequest } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother, idNumber } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { cardOf } from '../helpers/inbox';
import { seedDirectory } from '../helpers/seed';

/** SPEC 1 Art. 12: full personal data only for the two units and the office, every view logged. */
describe('verification: the detail page behind the card link (WeCom OAuth, Art. 12)', () => {
  let h: Harness;
  let rsj: Api;
  let id: number;
  const units = DirectoryMother.standard();

  before(async () => {
    h = await startHarness({ members: [...DirectoryMother.members(units), { userid: 'stranger', name: '路人' }] });
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.reset();
    h.clock.set('2026-11-26T09:00:00+08:00');
    await seedDirectory(h.sys.dataSource, units);
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    const res = await rsj.post('/verifications', VerificationMother.body());
    id = res.body.id;
    await h.sys.settle();
  });

  const get = (path: string, cookie?: string) => fetch(`${h.sys.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

  async function login(userid: string): Promise<string> {
    const first = await get(`/v/${id}`);
    expect(first.status).to.equal(302);
    const to = new URL(first.headers.get('location')!);
    const state = to.searchParams.get('state')!;
    const res = await get(`/v/login?code=${encodeURIComponent(h.emu.issueOAuthCode(userid))}&state=${encodeURIComponent(state)}`);
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal(`/v/${id}`);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).to.match(/httponly/i).and.match(/samesite=lax/i);
    return cookie.split(';')[0];
  }

  const reads = () => h.sys.dataSource.getRepository(PersonalDataRead).find({ order: { id: 'ASC' } });

  it('sends an unauthenticated visitor to WeCom OAuth (snsapi_base, signed state): here the emulator, which signs them in', async () => {
    const res = await get(`/v/${id}`);
    const to = new URL(res.headers.get('location')!);
    // The API is served from this machine, so the emulator's OAuth page stands in for WeCom's.
    expect(to.origin + to.pathname).to.equal(`${h.sys.config.wecom!.apiBase}/connect/oauth2/authorize`);
    expect(to.searchParams.get('appid')).to.equal(h.keys.corpId);
    expect(to.searchParams.get('redirect_uri')).to.equal('http://nocert.test/v/login');
    expect(to.searchParams.get('scope')).to.equal('snsapi_base');
    expect(to.searchParams.get('agentid')).to.equal(String(h.keys.agentId));
    expect(to.hash).to.equal('#wechat_redirect');
    expect(await reads()).to.have.length(0);
    // The emulator's page hands back a code for the chosen member; the server signs them in.
    to.hash = '';
    to.searchParams.set('userid', 'rsj.liaison');
    const back = new URL((await fetch(to, { redirect: 'manual' })).headers.get('location')!);
    expect(back.origin + back.pathname).to.equal('http://nocert.test/v/login');
    const signed = await get(`/v/login${back.search}`);
    expect(signed.status).to.equal(302);
    expect(signed.headers.get('location')).to.equal(`/v/${id}`);
  });

  it('shows the full data to a member of the issuing unit and logs the view', async () => {
    const cookie = await login('gaj.a');
    h.clock.set('2026-11-26T09:03:00+08:00');
    const res = await get(`/v/${id}`, cookie);
    expect(res.status).to.equal(200);
    const body = await res.text();
    expect(body).to.include('张小三').and.include(idNumber()).and.include('申请人是否有犯罪记录');
    const log = await reads();
    expect(log.map((r) => [r.requestId, r.reader, r.readerUnit, r.via, r.fields])).to.deep.equal([[id, 'gaj.a', 'GAJ', 'page', 'applicant_name,applicant_id_number,question']]);
    expect(log[0].at.toISOString()).to.equal('2026-11-26T01:03:00.000Z');
  });

  it('shows it to the requesting unit and to an office member; refuses anyone else without logging a read', async () => {
    expect((await get(`/v/${id}`, await login('rsj.b'))).status).to.equal(200);
    expect((await get(`/v/${id}`, await login('office.duty'))).status).to.equal(200);
    for (const outsider of ['scj.liaison', 'stranger']) {
      const res = await get(`/v/${id}`, await login(outsider));
      expect(res.status).to.equal(403);
      const body = await res.text();
      expect(body).not.to.include(idNumber());
      expect(body).not.to.include('张小三');
    }
    expect((await reads()).map((r) => r.reader)).to.deep.equal(['rsj.b', 'office.duty']);
  });

  it('refuses a bad OAuth code, a forged state and a tampered cookie', async () => {
    const state = new URL((await get(`/v/${id}`)).headers.get('location')!).searchParams.get('state')!;
    expect((await get(`/v/login?code=nope&state=${encodeURIComponent(state)}`)).status).to.equal(401);
    expect((await get(`/v/login?code=${h.emu.issueOAuthCode('gaj.a')}&state=v${id}.AAAAAAAAAAAAAAAAAAAAAA`)).status).to.equal(400);
    const cookie = await login('scj.liaison');
    const [name, value] = cookie.split('=');
    const [payload, mac] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'gaj.a', e: Date.now() + 3600_000 })).toString('base64url');
    const res = await get(`/v/${id}`, `${name}=${forged}.${mac}`);
    expect(res.status, 'a forged cookie is no session').to.equal(302);
    void payload;
    expect(await reads()).to.have.length(0);
  });

  it('lets the owner answer on the page (with the form token) and nobody else', async () => {
    await h.emu.clickButton('gaj.a', cardOf(h, 'gaj.a', id)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    const owner = await login('gaj.a');
    const page = await (await get(`/v/${id}`, owner)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
    const post = (cookie: string, form: Record<string, string>) =>
      fetch(`${h.sys.url}/v/${id}/act`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

    expect((await post(owner, { action: 'mismatch', text: '不符', csrf: 'x' })).status, 'no form token').to.equal(403);
    const other = await login('gaj.liaison');
    expect((await post(other, { action: 'match', text: '', csrf })).status, "another person's form token").to.equal(403);
    expect(await (await get(`/v/${id}`, other)).text(), 'no actions offered to a non-owner').not.to.include('name="csrf"');
    const empty = await post(owner, { action: 'mismatch', text: '  ', csrf });
    expect(empty.headers.get('location')).to.equal(`/v/${id}?error=verification_reason_required`);
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id })).status).to.equal('accepted');

    const ok = await post(owner, { action: 'mismatch', text: '出生日期与档案不符', csrf });
    expect(ok.status).to.equal(302);
    const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req).to.deep.include({ status: 'answered', result: 'mismatch', reply: '出生日期与档案不符' });
    await h.sys.settle();
    expect((await rsj.get(`/verifications/${id}`)).body.reply.result).to.equal('mismatch');
  });

  it('refuses a page action that is no longer open (taken meanwhile) and changes nothing', async () => {
    const cookie = await login('gaj.liaison');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await get(`/v/${id}`, cookie)).text())![1];
    await h.emu.clickButton('gaj.a', cardOf(h, 'gaj.a', id)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    const before = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    const res = await fetch(`${h.sys.url}/v/${id}/act`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'return', text: '不属于本单位职责', csrf }).toString(),
    });
    expect(res.headers.get('location')).to.equal(`/v/${id}?error=verification_invalid_state`);
    expect(await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id })).to.deep.equal(before);
  });

  it('lets a recipient return a pending request with its reason on the page', async () => {
    const cookie = await login('gaj.liaison');
    const page = await (await get(`/v/${id}`, cookie)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
    const res = await fetch(`${h.sys.url}/v/${id}/act`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'return', text: '不属于本单位职责', csrf }).toString(),
    });
    expect(res.status).to.equal(302);
    await h.sys.settle();
    const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
    expect(req).to.deep.include({ status: 'returned', assignee: 'gaj.liaison', returnReason: '不属于本单位职责' });
    expect(h.emu.cardState('gaj.a', cardOf(h, 'gaj.a', id)!.taskId)!.replace_name).to.equal('已由公安联络员退回');
    expect(h.emu.cardState('gaj.liaison', cardOf(h, 'gaj.liaison', id)!.taskId)!.replace_name).to.equal('已由公安联络员退回');
  });
});
