import { expect } from 'chai';
import { Staff, Unit } from '../../entities';
import { ConsoleClient, consoleHarness, AUDITOR } from './console-mother';

describe('console: the directory, staff roles, absence and training records (SPEC 1 Art. 6)', () => {
  const env = consoleHarness();
  const staff = (userid: string) => env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid });

  it('the office sets a member A/B role, absence and training date through the CSRF form; the page shows them; the mobile is kept', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const dir = await (await office.get('/console/directory')).text();
    expect(dir).to.include('href="/console/directory/staff/rsj.liaison"').and.include('href="/console/directory/import"');
    const page = await (await office.get('/console/directory/staff/rsj.liaison')).text();
    expect(page).to.include('培训记录（第六条）').and.include('未记录');
    const csrf = ConsoleClient.csrf(page);
    const res = await office.post('/console/directory/staff/rsj.liaison', { csrf, role: 'liaison', ab: 'B', away: 'on', awayUntil: '2026-12-03', trainedOn: '2026-11-20' });
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/console/directory/staff/rsj.liaison?saved=1');
    const s = await staff('rsj.liaison');
    expect([s.ab, !!s.away, s.awayUntil, s.trainedOn, s.mobile, s.name, s.unitCode]).to.deep.equal(['B', true, '2026-12-03', '2026-11-20', '13800001111', s.name, 'RSJ']);
    const after = await (await office.get('/console/directory/staff/rsj.liaison?saved=1')).text();
    expect(after).to.include('已保存').and.include('2026-11-20').and.include('请假至 2026-12-03');
    expect(await (await office.get('/console/directory')).text()).to.include('2026-11-20');
    // The absence ends: unticked, the member is back.
    await office.post('/console/directory/staff/rsj.liaison', { csrf, role: 'liaison', ab: '', awayUntil: '', trainedOn: '2026-11-20' });
    const back = await staff('rsj.liaison');
    expect([back.ab, !!back.away, back.awayUntil, back.trainedOn]).to.deep.equal([null, false, null, '2026-11-20']);
  });

  it('bad input is refused with a Chinese message and changes nothing', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const csrf = ConsoleClient.csrf(await (await office.get('/console/directory/staff/gaj.a')).text());
    const before = await staff('gaj.a');
    for (const [form, text] of [
      [{ role: 'deputy', ab: 'A', trainedOn: '2026-13-01' }, '培训日期格式不正确'],
      [{ role: 'deputy', ab: 'A', trainedOn: '2027-01-05' }, '培训日期不能晚于今天'],
      [{ role: 'boss', ab: 'A' }, '职责无效'],
      [{ role: 'deputy', ab: 'C' }, 'A/B 角只能为'],
      [{ role: 'deputy', ab: 'A', away: 'on', awayUntil: '12/03' }, '请假日期格式不正确'],
    ] as Array<[Record<string, string>, string]>) {
      const res = await office.post('/console/directory/staff/gaj.a', { csrf, ...form });
      expect(res.status, text).to.equal(400);
      expect(await res.text()).to.include(text);
    }
    expect(await staff('gaj.a')).to.deep.equal(before);
  });

  it('an auditor and unit staff read but cannot change; another unit member reads as missing; no CSRF token is 403', async () => {
    const before = await staff('rsj.a');
    const auditor = new ConsoleClient(env.h);
    await auditor.login(AUDITOR);
    const page = await (await auditor.get('/console/directory/staff/rsj.a')).text();
    expect(page).to.include('只有办公室人员可以修改通讯录').and.not.include('name="trainedOn"');
    const res = await auditor.post('/console/directory/staff/rsj.a', { csrf: ConsoleClient.csrf(page), role: 'liaison', ab: '', trainedOn: '2026-11-01' });
    expect(res.status).to.equal(403);
    const unit = new ConsoleClient(env.h);
    await unit.login('rsj.liaison');
    const own = await (await unit.get('/console/directory/staff/rsj.a')).text();
    const csrf = ConsoleClient.csrf(own);
    expect((await unit.post('/console/directory/staff/rsj.a', { csrf, role: 'liaison', ab: '' })).status).to.equal(403);
    expect((await unit.get('/console/directory/staff/gaj.a')).status).to.equal(404);
    expect((await unit.post('/console/directory/staff/gaj.a', { csrf, role: 'liaison', ab: '' })).status).to.equal(404);
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    expect((await office.post('/console/directory/staff/rsj.a', { role: 'liaison', ab: '' })).status).to.equal(403);
    expect((await office.post('/console/directory/staff/rsj.a', { csrf: 'f'.repeat(64), role: 'liaison', ab: '' })).status).to.equal(403);
    expect(await staff('rsj.a')).to.deep.equal(before);
    expect(await env.h.sys.dataSource.getRepository(Unit).count()).to.equal(4);
  });
});
