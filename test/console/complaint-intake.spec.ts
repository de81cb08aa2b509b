import { expect } from 'chai';
import { Complaint, ComplaintEvent } from '../../entities';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { AUDITOR, ConsoleClient, consoleHarness } from './console-mother';

/** SPEC 3 Art. 5-10 in the console: complaints by phone or letter registered, passed on, and the complainant told. */
describe('console: registering a complaint received by phone or letter, passing it on, recording that the complainant was told', () => {
  const env = consoleHarness();
  const repo = () => env.h.sys.dataSource.getRepository(Complaint);

  it('the office registers a 12345 call; the complaint enters the workflow like one from WeChat', async () => {
    const c = new ConsoleClient(env.h);
    await c.login('office.duty');
    const list = await (await c.get('/console/complaints')).text();
    expect(list).to.include('href="/console/complaints/new"');
    const page = await (await c.get('/console/complaints/new')).text();
    const csrf = ConsoleClient.csrf(page);
    const b = ComplaintMother.hotline({ agencyCode: 'GAJ' });
    const res = await c.post('/console/complaints/new', { csrf, channel: b.channel, ground: b.ground, agencyCode: 'GAJ', facts: b.facts, request: b.request, name: b.name, phone: b.phone, receivedBy: '12345热线中心', receivedAt: '2026-12-01T09:15' });
    expect(res.status).to.equal(302);
    const rows = await repo().find();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ channel: 'hotline_12345', agencyCode: 'GAJ', status: 'registered', complainantName: '张小三' });
    expect(res.headers.get('location')).to.equal(`/console/complaints/${rows[0].id}?done=registered`);
    const detail = await (await c.get(res.headers.get('location')!)).text();
    expect(detail).to.include('已登记，进入受理流程').and.include(rows[0].number);
  });

  it('refuses missing facts, a bad phone, a time in the future, a proxy without the principal; nothing is registered', async () => {
    const c = new ConsoleClient(env.h);
    await c.login('office.duty');
    const csrf = ConsoleClient.csrf(await (await c.get('/console/complaints/new')).text());
    const b = ComplaintMother.hotline();
    const base = { csrf, channel: 'letter', ground: b.ground, agencyCode: '', facts: b.facts, request: b.request, name: b.name, phone: b.phone };
    for (const [over, text] of [
      [{ facts: '' }, '投诉内容'],
      [{ phone: '一二三' }, '联系电话'],
      [{ receivedAt: '2030-01-01T09:00' }, '收到时间'],
      [{ isProxy: 'on' }, '被代理人姓名'],
      [{ channel: 'kf' }, '收到渠道'],
      [{ agencyCode: '', agencyName: '' }, '被投诉单位'],
    ] as Array<[Record<string, string>, string]>) {
      const res = await c.post('/console/complaints/new', { ...base, ...over });
      expect(res.status, text).to.equal(400);
      expect(await res.text()).to.include(text);
    }
    expect(await repo().count()).to.equal(0);
    const auditor = new ConsoleClient(env.h);
    await auditor.login(AUDITOR);
    expect((await auditor.get('/console/complaints/new')).status).to.equal(403);
    const unit = new ConsoleClient(env.h);
    await unit.login('rsj.liaison');
    const uc = ConsoleClient.csrf(await (await unit.get('/console/complaints')).text());
    expect((await unit.post('/console/complaints/new', { ...base, csrf: uc })).status).to.equal(403);
    expect((await c.post('/console/complaints/new', { ...base, csrf: '' })).status).to.equal(403);
    expect(await repo().count()).to.equal(0);
  });

  it('the office passes a complaint to another unit, and after the result records how the complainant was told', async () => {
    const c = new ConsoleClient(env.h);
    await c.login('office.duty');
    const csrf = ConsoleClient.csrf(await (await c.get('/console/complaints/new')).text());
    const b = ComplaintMother.letter();
    const made = await c.post('/console/complaints/new', { csrf, channel: 'letter', ground: b.ground, agencyCode: '', agencyName: '县公安局', facts: b.facts, request: b.request, name: b.name, phone: b.phone });
    expect(made.status, await made.clone().text()).to.equal(302);
    const [row] = await repo().find();
    const page = await (await c.get(`/console/complaints/${row.id}`)).text();
    expect(page).to.include('转办给被投诉单位');
    const moved = await c.post(`/console/complaints/${row.id}/assign`, { csrf, agencyCode: 'RSJ' });
    expect(moved.headers.get('location')).to.equal(`/console/complaints/${row.id}?done=assign`);
    expect((await repo().findOneByOrFail({ id: row.id })).agencyCode).to.equal('RSJ');
    await c.post(`/console/complaints/${row.id}/accept`, { csrf });
    await c.post(`/console/complaints/${row.id}/resolve`, { csrf, result: '已责成窗口不再要求该证明，申请人已办结。', upheld: 'yes' });
    expect((await repo().findOneByOrFail({ id: row.id })).status).to.equal('resolved');
    // An empty "how" is refused and changes nothing.
    const bad = await c.post(`/console/complaints/${row.id}/delivered`, { csrf, how: '' });
    expect(bad.headers.get('location')).to.equal(`/console/complaints/${row.id}?error=validation_failed`);
    expect((await repo().findOneByOrFail({ id: row.id })).resultDelivered).to.equal(false);
    const told = await c.post(`/console/complaints/${row.id}/delivered`, { csrf, how: '电话告知' });
    expect(told.headers.get('location')).to.equal(`/console/complaints/${row.id}?done=delivered`);
    expect((await repo().findOneByOrFail({ id: row.id })).resultDelivered).to.equal(true);
    const events = await env.h.sys.dataSource.getRepository(ComplaintEvent).find({ where: { complaintId: row.id } });
    expect(events.map((e) => e.type)).to.include.members(['agency_assigned', 'result_delivered']);
    expect(await (await c.get(`/console/complaints/${row.id}`)).text()).to.not.include('记录已告知投诉人结果');
  });
});
