import { expect } from 'chai';
import { startHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { Staff, Unit } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { Api } from '../helpers/api';
import { seedDirectory } from '../helpers/seed';

describe('directory API (PUT /api/v1/units/{code}, .../staff/{userid}; Art. 6 gaps)', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;

  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.reset();
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
  });

  it('the office creates and renames a unit and puts staff; the listing flags units below the minimum', async () => {
    let res = await office.put('/units/GAJ', { name: '县公安局' });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({ code: 'GAJ', name: '县公安局', isOffice: false, gaps: ['no_liaison', 'too_few_deputies', 'no_deputy_a', 'no_deputy_b'] });
    res = await office.put('/units/GAJ', { name: '县公安局（改）' });
    expect(res.status).to.equal(200);
    expect(res.body.name).to.equal('县公安局（改）');

    res = await office.put('/units/GAJ/staff/gaj.liaison', { name: '公安联络员', role: 'liaison', ab: null, mobile: '13800001111' });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({ userid: 'gaj.liaison', role: 'liaison', ab: null, mobile: '13800001111', away: false, awayToday: false });
    await office.put('/units/GAJ/staff/gaj.a', { name: '代办A', role: 'deputy', ab: 'A' });
    res = await office.put('/units/GAJ/staff/gaj.a', { name: '代办A', role: 'deputy', ab: 'A', away: true, awayUntil: '2026-11-30' });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ away: true, awayUntil: '2026-11-30', awayToday: true });

    await office.put('/units/OFFICE', { name: '联席会议办公室', isOffice: true });
    const list = await office.get('/units');
    expect(list.body.units).to.deep.equal([
      { code: 'GAJ', name: '县公安局（改）', isOffice: false, liaisons: 1, deputies: 1, deputiesA: 1, deputiesB: 0, gaps: ['too_few_deputies', 'no_deputy_b'] },
      { code: 'OFFICE', name: '联席会议办公室', isOffice: true, liaisons: 0, deputies: 0, deputiesA: 0, deputiesB: 0, gaps: [] },
    ]);
    const gaps = await office.get('/units?gaps=1');
    expect(gaps.body.units.map((u: any) => u.code)).to.deep.equal(['GAJ']);

    await office.put('/units/GAJ/staff/gaj.b', { name: '代办B', role: 'deputy', ab: 'B' });
    const one = await office.get('/units/GAJ');
    expect(one.body.gaps).to.deep.equal([]);
    expect(one.body.staff.map((s: any) => s.userid)).to.have.members(['gaj.liaison', 'gaj.a', 'gaj.b']);
  });

  it('a unit key reads its own unit only and cannot write', async () => {
    await seedDirectory(h.sys.dataSource, DirectoryMother.standard());
    const mine = await rsj.get('/units');
    expect(mine.body.units.map((u: any) => u.code)).to.deep.equal(['RSJ']);
    expect((await rsj.get('/units/RSJ')).status).to.equal(200);
    expect((await rsj.get('/units/GAJ')).status).to.equal(404);
    const put = await rsj.put('/units/RSJ', { name: 'x' });
    expect(put.status).to.equal(403);
    expect(put.body.error.code).to.equal('forbidden');
    expect((await h.sys.dataSource.getRepository(Unit).findOneByOrFail({ code: 'RSJ' })).name).to.equal('县人社局');
  });

  it('bad input: unknown unit 404, bad role / userid / date 422, and nothing stored', async () => {
    await office.put('/units/GAJ', { name: '县公安局' });
    let res = await office.put('/units/NOPE/staff/u1', { name: '某', role: 'liaison' });
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('unit_not_found');
    res = await office.put('/units/GAJ/staff/u1', { name: '某', role: 'boss' });
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('validation_failed');
    res = await office.put('/units/GAJ/staff/bad%20id', { name: '某', role: 'liaison' });
    expect(res.status).to.equal(422);
    res = await office.put('/units/GAJ/staff/u1', { name: '某', role: 'deputy', ab: 'C' });
    expect(res.status).to.equal(422);
    res = await office.put('/units/GAJ/staff/u1', { name: '某', role: 'deputy', awayUntil: '2026-02-30' });
    expect(res.status).to.equal(422);
    res = await office.put('/units/bad code!', { name: 'x' });
    expect(res.status).to.equal(422);
    expect(await h.sys.dataSource.getRepository(Staff).count()).to.equal(0);
    expect(await h.sys.dataSource.getRepository(Unit).count()).to.equal(1);
  });

  it('removes a person', async () => {
    await seedDirectory(h.sys.dataSource, DirectoryMother.standard());
    expect((await office.call('DELETE', '/units/GAJ/staff/gaj.b')).status).to.equal(204);
    expect((await office.call('DELETE', '/units/GAJ/staff/gaj.b')).status).to.equal(404);
    expect((await office.get('/units/GAJ')).body.gaps).to.deep.equal(['too_few_deputies', 'no_deputy_b']);
  });
});
