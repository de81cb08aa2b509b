import { expect } from 'chai';
import { Staff } from '../../entities';
import { ConsoleClient, consoleHarness } from './console-mother';

describe('console: the directory page (SPEC 1 Art. 6)', () => {
  const env = consoleHarness();

  it('the office sees every unit with A/B roles, who is away and the gaps; a unit user sees only their own', async () => {
    const h = env.h;
    await h.sys.dataSource.getRepository(Staff).update({ userid: 'gaj.a' }, { away: true, awayUntil: '2026-12-03' });
    await h.sys.dataSource.getRepository(Staff).delete({ userid: 'scj.b' });
    const office = new ConsoleClient(h);
    await office.login('office.duty');
    const html = await (await office.get('/console/directory')).text();
    expect(html).to.include('县人社局').and.include('县公安局').and.include('请假至 2026-12-03').and.include('联络员');
    expect(html).to.match(/县市场局：[^<]*(代办员不足 2 人|无 B 角)/);
    const unit = new ConsoleClient(h);
    await unit.login('rsj.liaison');
    const own = await (await unit.get('/console/directory')).text();
    expect(own).to.include('县人社局').and.not.include('县公安局');
  });
});
