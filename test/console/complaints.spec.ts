import { expect } from 'chai';
import { Complaint, ComplaintEvent, PersonalDataRead } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { ComplaintMother } from '../helpers/mothers/complaints';
import type { Harness } from '../helpers/system';
import { AUDITOR, ConsoleClient, consoleHarness } from './console-mother';

describe('console: the complaint workbench (SPEC 3 Art. 7-11)', () => {
  let h: Harness;
  let gaj: { id: number; number: string };
  let rsj: { id: number; number: string };

  const env = consoleHarness();
  beforeEach(async () => {
    h = env.h;
    const office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    const a = await office.post('/complaints', ComplaintMother.hotline({ agencyCode: 'GAJ' }));
    expect(a.status, JSON.stringify(a.body)).to.equal(201);
    const b = await office.post('/complaints', ComplaintMother.letter({ agencyCode: 'RSJ' }));
    expect(b.status, JSON.stringify(b.body)).to.equal(201);
    gaj = { id: a.body.id, number: a.body.number };
    rsj = { id: b.body.id, number: b.body.number };
    await h.sys.settle();
  });

  const status = async (id: number) => (await h.sys.dataSource.getRepository(Complaint).findOneByOrFail({ id })).status;

  it('the office lists, opens (logged), accepts and then resolves a complaint through the lifecycle', async () => {
    const c = new ConsoleClient(h);
    await c.login('office.duty');
    const list = await (await c.get('/console/complaints?status=registered')).text();
    expect(list).to.include(gaj.number).and.include(rsj.number);
    const page = await (await c.get(`/console/complaints/${gaj.id}`)).text();
    expect(page).to.include('张小三').and.include('13812345678').and.include('不予受理理由（第八条）').and.include('投诉内容不具体，无法核实');
    const reads = await h.sys.dataSource.getRepository(PersonalDataRead).find();
    expect(reads.map((r) => [r.subject, r.requestId, r.reader, r.via])).to.deep.equal([['complaint', gaj.id, 'office.duty', 'console']]);
    const csrf = ConsoleClient.csrf(page);
    const ok = await c.post(`/console/complaints/${gaj.id}/accept`, { csrf });
    expect(ok.headers.get('location')).to.equal(`/console/complaints/${gaj.id}?done=accept`);
    expect(await status(gaj.id)).to.equal('accepted');
    const events = await h.sys.dataSource.getRepository(ComplaintEvent).findBy({ complaintId: gaj.id, type: 'accepted' });
    expect(events.map((e) => e.actor)).to.deep.equal(['wecom:office.duty']);
    const after = await (await c.get(`/console/complaints/${gaj.id}?done=accept`)).text();
    expect(after).to.include('已受理。').and.include('办结');
    await c.post(`/console/complaints/${gaj.id}/resolve`, { csrf, result: '已责成窗口不再索要居住证明并办结。', upheld: 'yes' });
    expect(await status(gaj.id)).to.equal('resolved');
    // Art. 8: a rejection names its ground; `other` without a reason is refused by the lifecycle.
    const bad = await c.post(`/console/complaints/${rsj.id}/reject`, { csrf, ground: 'other' });
    expect(bad.headers.get('location')).to.match(new RegExp(`^/console/complaints/${rsj.id}\\?error=`));
    expect(await status(rsj.id)).to.equal('registered');
    await c.post(`/console/complaints/${rsj.id}/reject`, { csrf, ground: 'too_vague' });
    expect(await status(rsj.id)).to.equal('rejected');
  });

  it('refusals: another unit complaint is a 404, an auditor cannot act, a missing CSRF token changes nothing', async () => {
    const unit = new ConsoleClient(h);
    await unit.login('scj.liaison');
    expect((await unit.get(`/console/complaints/${gaj.id}`)).status).to.equal(404);
    expect(await (await unit.get('/console/complaints')).text()).not.to.include(gaj.number);
    const gajUser = new ConsoleClient(h);
    await gajUser.login('gaj.liaison');
    const own = await (await gajUser.get(`/console/complaints/${gaj.id}`)).text();
    expect(own).to.include(gaj.number).and.not.include('13812345678').and.not.include('name="ground"');
    expect((await gajUser.post(`/console/complaints/${gaj.id}/accept`, { csrf: ConsoleClient.csrf(own) })).status).to.equal(403);

    const auditor = new ConsoleClient(h);
    await auditor.login(AUDITOR);
    const seen = await (await auditor.get(`/console/complaints/${gaj.id}`)).text();
    expect(seen).to.include('13812345678').and.not.include(`/console/complaints/${gaj.id}/accept`);
    expect((await auditor.post(`/console/complaints/${gaj.id}/accept`, { csrf: ConsoleClient.csrf(seen) })).status).to.equal(403);

    const office = new ConsoleClient(h);
    await office.login('office.duty');
    expect((await office.post(`/console/complaints/${gaj.id}/accept`, {})).status).to.equal(403);
    expect(await status(gaj.id)).to.equal('registered');
  });
});
