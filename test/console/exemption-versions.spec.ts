import http from 'http';
import { expect } from 'chai';
import { ExemptionComment, ExemptionEntry, ExemptionVersion } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { ExemptionMother } from '../helpers/mothers/exemptions';
import type { Harness } from '../helpers/system';
import { AUDITOR, ConsoleClient, consoleHarness } from './console-mother';

describe('console: the working list, publishing, versions and their diff, public comments (SPEC 2 Art. 5, 11, 12)', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let appId: number;

  const env = consoleHarness();
  beforeEach(async () => {
    h = env.h;
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-list', 'RSJ', h.clock.now));
    const res = await rsj.post('/exemptions/applications', ExemptionMother.addBody());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    appId = res.body.id;
    await h.sys.settle();
  });

  const versions = () => h.sys.dataSource.getRepository(ExemptionVersion).find({ order: { number: 'ASC' } });
  const signedIn = async (who: string) => {
    const c = new ConsoleClient(h);
    await c.login(who);
    return c;
  };
  const approve = async (id: number) => expect((await office.post(`/exemptions/applications/${id}/review`, { decision: 'approve' })).status).to.equal(200);
  const text = async (c: ConsoleClient, url: string) => {
    const res = await c.get(url);
    expect(res.status, url).to.equal(200);
    return res.text();
  };

  it('an empty working list cannot be published: refused in Chinese, no version', async () => {
    const c = await signedIn('office.duty');
    const page = await text(c, '/console/exemptions/draft');
    expect(page).to.include('清单尚未公布，以下条目将作为第 1 版公布').and.include('工作清单共 0 项').and.include('action="/console/exemptions/publish"');
    const res = await c.post('/console/exemptions/publish', { csrf: ConsoleClient.csrf(page), note: '首版' });
    expect(res.headers.get('location')).to.equal('/console/exemptions/draft?error=list_empty');
    expect(await text(c, res.headers.get('location')!)).to.include('工作清单为空，没有可公布的内容。');
    expect(await versions()).to.have.length(0);
  });

  it('the office sees the approved change in the draft diff, publishes it, is refused an unchanged republish without confirming, and compares versions', async () => {
    await approve(appId);
    const c = await signedIn('office.duty');
    let page = await text(c, '/console/exemptions/draft');
    expect(page).to.include('工作清单共 1 项').and.include('新增（1）').and.include('失业保险金申领');
    const csrf = ConsoleClient.csrf(page);

    let res = await c.post('/console/exemptions/publish', { csrf, note: '首次公布' });
    expect(res.headers.get('location')).to.equal('/console/exemptions/versions?published=1');
    page = await text(c, res.headers.get('location')!);
    expect(page).to.include('已公布第 1 版，公众查询页面已可查到。').and.include('首次公布').and.include('href="/api/v1/exemptions/versions/1/export"').and.include('office.duty');
    const [v1] = await versions();
    expect(v1).to.include({ number: 1, entryCount: 1, added: 1, note: '首次公布', publishedBy: 'office.duty' });
    const pub = await (await fetch(`${h.sys.url}/exemptions?q=${encodeURIComponent('户籍证明')}`)).text();
    expect(pub).to.include('失业保险金申领').and.include('第 1 版');
    // the export link is the API's, and answers a workbook
    const xlsx = await fetch(`${h.sys.url}/api/v1/exemptions/versions/1/export`);
    expect(xlsx.status).to.equal(200);
    expect(xlsx.headers.get('content-type')).to.include('spreadsheetml');

    // nothing changed: refused unless confirmed
    expect(await text(c, '/console/exemptions/draft')).to.include('与已公布的第 1 版相比').and.include('与最新公布版本相比没有变化。');
    res = await c.post('/console/exemptions/publish', { csrf, note: '' });
    expect(res.headers.get('location')).to.equal('/console/exemptions/draft?error=unchanged');
    expect(await text(c, res.headers.get('location')!)).to.include('请勾选确认后再提交');
    expect(await versions()).to.have.length(1);
    res = await c.post('/console/exemptions/publish', { csrf, confirmUnchanged: '1' });
    expect(res.headers.get('location')).to.equal('/console/exemptions/versions?published=2');

    // a change to the entry: the draft shows the field before and after
    const entry = await h.sys.dataSource.getRepository(ExemptionEntry).findOneByOrFail({ serviceItem: '失业保险金申领' });
    const ch = await rsj.post('/exemptions/applications', ExemptionMother.changeBody(entry.id));
    expect(ch.status, JSON.stringify(ch.body)).to.equal(201);
    await approve(ch.body.id);
    page = await text(c, '/console/exemptions/draft');
    expect(page).to.include('变更（1）').and.include('<del>部门核验</del>').and.include('<ins>数据共享</ins>').and.not.include('新增（');
    expect((await c.post('/console/exemptions/publish', { csrf, note: '改为数据共享' })).headers.get('location')).to.equal('/console/exemptions/versions?published=3');

    // the default comparison: the newest against the one before
    page = await text(c, '/console/exemptions/versions');
    expect(page).to.include('第 2 版 → 第 3 版').and.include('<del>部门核验</del>');
    page = await text(c, '/console/exemptions/versions?from=1&to=2');
    expect(page).to.include('第 1 版 → 第 2 版').and.include('与最新公布版本相比没有变化。');
    page = await text(c, '/console/exemptions/versions?from=3&to=1');
    expect(page).to.include('第 3 版 → 第 1 版').and.include('<option value="3" selected>');
    const missing = await c.get('/console/exemptions/versions?from=1&to=9');
    expect(missing.status).to.equal(404);
    expect(await missing.text()).to.include('没有这个版本。');
    const bad = await c.get('/console/exemptions/versions?from=abc&to=1');
    expect(bad.status).to.equal(400);
  });

  it('unit staff and auditors read the draft and the versions without forms; their POSTs and a missing CSRF token are refused, nothing changed', async () => {
    await approve(appId);
    await office.post('/exemptions/publish', {});
    const cm = await h.sys.dataSource.getRepository(ExemptionComment).save({ entryId: null, content: '建议增加说明', name: null, contact: null, status: 'new', readBy: null, createdAt: h.clock.now });
    for (const who of [AUDITOR, 'rsj.liaison']) {
      const c = await signedIn(who);
      const draft = await text(c, '/console/exemptions/draft');
      expect(draft, who).to.include('工作清单共 1 项').and.not.include('action="/console/exemptions/publish"');
      expect(await text(c, '/console/exemptions/versions')).to.include('第 1 版');
      const csrf = ConsoleClient.csrf(draft);
      expect((await c.post('/console/exemptions/publish', { csrf, confirmUnchanged: '1' })).status, who).to.equal(403);
      expect((await c.post(`/console/exemptions/comments/${cm.id}/read`, { csrf })).status, who).to.equal(403);
    }
    const unit = await signedIn('rsj.liaison');
    expect((await unit.get('/console/exemptions/comments')).status).to.equal(403);
    expect(await text(unit, '/console/exemptions/draft')).not.to.include('/console/exemptions/comments');
    const auditor = await signedIn(AUDITOR);
    const list = await text(auditor, '/console/exemptions/comments');
    expect(list).to.include('建议增加说明').and.include('未读').and.not.include('/read"');
    const o = await signedIn('office.duty');
    expect((await o.post('/console/exemptions/publish', { confirmUnchanged: '1' })).status).to.equal(403);
    expect((await o.post(`/console/exemptions/comments/${cm.id}/read`, {})).status).to.equal(403);
    expect(await versions()).to.have.length(1);
    expect((await h.sys.dataSource.getRepository(ExemptionComment).findOneByOrFail({ id: cm.id })).status).to.equal('new');
  });

  /** fetch may not send an Origin of another site: a raw request does, as a browser would from a foreign page. */
  const crossSite = () =>
    new Promise<number>((resolve, reject) => {
      const body = 'content=%E8%B7%A8%E7%AB%99';
      const req = http.request(`${h.sys.url}/exemptions/comments`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });

  it('the public comments on the public page; the office sees it newest first, unread, and marks it read', async () => {
    const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${h.sys.url}/exemptions/comments`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });
    h.clock.advance(5 * 60_000); // a fresh rate-limit window
    const page = await (await fetch(`${h.sys.url}/exemptions`)).text();
    expect(page).to.include('action="/exemptions/comments"').and.include('意见内容（必填，1000 字以内）');

    let res = await form({ content: '  ' });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.include('意见内容不能为空');
    expect(await crossSite()).to.equal(403);
    res = await form({ content: 'x'.repeat(1001) });
    expect(res.status).to.equal(400);
    expect(await h.sys.dataSource.getRepository(ExemptionComment).count()).to.equal(0);

    res = await form({ content: '第一条意见', name: '张三', contact: '13800000000' }, { origin: h.sys.url });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/exemptions?sent=1#h-comment');
    expect(await (await fetch(`${h.sys.url}/exemptions?sent=1`)).text()).to.include('意见已收到，感谢您的参与。');
    expect((await form({ content: '第二条意见' })).status).to.equal(303);

    const c = await signedIn('office.duty');
    let list = await text(c, '/console/exemptions/comments');
    expect(list.indexOf('第二条意见')).to.be.greaterThan(0).and.lessThan(list.indexOf('第一条意见'));
    expect(list).to.include('张三').and.include('13800000000');
    const first = await h.sys.dataSource.getRepository(ExemptionComment).findOneByOrFail({ content: '第一条意见' });
    expect((await c.post('/console/exemptions/comments/999999/read', { csrf: ConsoleClient.csrf(list) })).status).to.equal(404);
    res = await c.post(`/console/exemptions/comments/${first.id}/read`, { csrf: ConsoleClient.csrf(list) });
    expect(res.headers.get('location')).to.equal('/console/exemptions/comments?done=read');
    list = await text(c, res.headers.get('location')!);
    expect(list).to.include('已标记为已读。').and.include('已读（办公室值班）').and.not.include(`/comments/${first.id}/read"`);
    const saved = await h.sys.dataSource.getRepository(ExemptionComment).findOneByOrFail({ id: first.id });
    expect(saved.status).to.equal('read');
    expect(saved.readBy).to.be.a('string').and.not.equal('');
    // the API lists the same comments
    const api = await office.get('/exemptions/comments');
    expect(api.body.comments.map((x: { content: string; status: string }) => [x.content, x.status])).to.deep.equal([
      ['第二条意见', 'new'],
      ['第一条意见', 'read'],
    ]);
  });

  it('the page form and POST /api/v1/exemptions/comments share one rate limit per client', async () => {
    h.clock.advance(60 * 60_000); // past the other tests' windows (the limiter lives as long as the server)
    for (let i = 0; i < 10; i++) expect((await fetch(`${h.sys.url}/api/v1/exemptions/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: `意见 ${i}` }) })).status).to.equal(201);
    const res = await fetch(`${h.sys.url}/exemptions/comments`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'content=%E5%A4%9A' });
    expect(res.status).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.greaterThan(0);
    expect(await res.text()).to.include('提交过于频繁，请稍后再试。');
    expect(await h.sys.dataSource.getRepository(ExemptionComment).count()).to.equal(10);
  });
});
