import { expect } from 'chai';
import { Staff, TrainingRecord } from '../../entities';
import { ConsoleClient, consoleHarness, AUDITOR } from './console-mother';

describe('console: training records (SPEC 1 Art. 6: the office keeps training records)', () => {
  const env = consoleHarness();
  const repo = () => env.h.sys.dataSource.getRepository(TrainingRecord);
  const staff = (userid: string) => env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid });

  it('the office records trainings one by one; the page lists them latest first and the directory shows the latest date', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const page = await (await office.get('/console/directory/staff/rsj.a')).text();
    expect(page).to.include('尚无培训记录').and.include('登记一次培训');
    const csrf = ConsoleClient.csrf(page);
    const first = await office.post('/console/directory/staff/rsj.a/training', { csrf, trainedOn: '2026-10-12', course: '协查系统操作培训' });
    expect(first.status).to.equal(302);
    expect(first.headers.get('location')).to.equal('/console/directory/staff/rsj.a?trained=1');
    await office.post('/console/directory/staff/rsj.a/training', { csrf, trainedOn: '2026-11-28', course: '无证明城市业务规则复训' });
    // An older training recorded later does not move the latest date back.
    await office.post('/console/directory/staff/rsj.a/training', { csrf, trainedOn: '2026-03-02', course: '新任联络员岗前培训' });
    const rows = await repo().find({ where: { userid: 'rsj.a' }, order: { trainedOn: 'DESC' } });
    expect(rows.map((r) => [r.trainedOn, r.course, r.unitCode])).to.deep.equal([
      ['2026-11-28', '无证明城市业务规则复训', 'RSJ'],
      ['2026-10-12', '协查系统操作培训', 'RSJ'],
      ['2026-03-02', '新任联络员岗前培训', 'RSJ'],
    ]);
    expect((await staff('rsj.a')).trainedOn).to.equal('2026-11-28');
    const after = await (await office.get('/console/directory/staff/rsj.a?trained=1')).text();
    expect(after).to.include('培训记录已登记');
    const order = ['无证明城市业务规则复训', '协查系统操作培训', '新任联络员岗前培训'].map((c) => after.indexOf(c));
    expect(order.every((i) => i > 0)).to.equal(true);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(await (await office.get('/console/directory')).text()).to.include('2026-11-28');
  });

  it('refuses a missing course, a bad or future date, another role and a missing CSRF token, changing nothing', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const csrf = ConsoleClient.csrf(await (await office.get('/console/directory/staff/gaj.a')).text());
    const before = await staff('gaj.a');
    for (const [form, text] of [
      [{ trainedOn: '2026-11-01', course: '' }, '请填写培训内容'],
      [{ trainedOn: '', course: '培训' }, '请填写培训日期'],
      [{ trainedOn: '2026-02-30', course: '培训' }, '培训日期格式不正确'],
      [{ trainedOn: '2027-01-05', course: '培训' }, '培训日期不能晚于今天'],
      [{ trainedOn: '2026-11-01', course: '课'.repeat(101) }, '请填写培训内容'],
    ] as Array<[Record<string, string>, string]>) {
      const res = await office.post('/console/directory/staff/gaj.a/training', { csrf, ...form });
      expect(res.status, text).to.equal(400);
      expect(await res.text()).to.include(text);
    }
    expect((await office.post('/console/directory/staff/gaj.a/training', { trainedOn: '2026-11-01', course: '培训' })).status).to.equal(403);
    const auditor = new ConsoleClient(env.h);
    await auditor.login(AUDITOR);
    const ap = await (await auditor.get('/console/directory/staff/gaj.a')).text();
    expect(ap).to.not.include('/training"');
    expect((await auditor.post('/console/directory/staff/gaj.a/training', { csrf: ConsoleClient.csrf(ap), trainedOn: '2026-11-01', course: '培训' })).status).to.equal(403);
    const unit = new ConsoleClient(env.h);
    await unit.login('rsj.liaison');
    const up = await (await unit.get('/console/directory/staff/rsj.a')).text();
    expect((await unit.post('/console/directory/staff/rsj.a/training', { csrf: ConsoleClient.csrf(up), trainedOn: '2026-11-01', course: '培训' })).status).to.equal(403);
    expect((await unit.post('/console/directory/staff/gaj.a/training', { csrf: ConsoleClient.csrf(up), trainedOn: '2026-11-01', course: '培训' })).status).to.equal(404);
    expect(await repo().count()).to.equal(0);
    expect(await staff('gaj.a')).to.deep.equal(before);
  });
});
