import { expect } from 'chai';
import { ConsoleSession } from '../../entities';
import { startSystem, System } from '../../src/system';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { clearTables, testDataSource } from '../helpers/db';
import { startHarness } from '../helpers/system';
import { ConsoleClient, consoleMembers, seedConsole } from './console-mother';

describe('console: sandbox one-click sign-in, and Secure cookies behind HTTPS', () => {
  it('in sandbox mode one click signs in as the demo office member through the emulator OAuth', async () => {
    const ds = await testDataSource();
    await clearTables(ds);
    const sys: System = await startSystem({ config: loadConfig({ LOG_LEVEL: 'silent' }), dataSource: ds, log: silentLogger, workers: false, port: 0 });
    try {
      (sys.config as { publicUrl: string }).publicUrl = sys.url;
      const c = new ConsoleClient({ sys });
      const root = await c.get('/');
      expect(root.status).to.equal(302);
      expect(root.headers.get('location')).to.equal('/console/');
      const login = await (await c.get('/console/login')).text();
      expect(login).to.include('/console/login/sandbox?as=office.spj').and.include('/console/login/sandbox?as=audit.jw');
      const first = await c.get('/console/login/sandbox');
      const to = new URL(first.headers.get('location')!);
      expect(to.origin).to.equal(sys.emulatorUrl);
      expect(to.searchParams.get('userid')).to.equal('office.spj');
      to.hash = '';
      const back = new URL((await fetch(to, { redirect: 'manual' })).headers.get('location')!);
      expect(back.origin + back.pathname).to.equal(`${sys.url}/console/login/callback`);
      expect((await c.get(`/console/login/callback${back.search}`)).headers.get('location')).to.equal('/console/');
      const dash = await c.get('/console/');
      expect(dash.status).to.equal(200);
      expect(await dash.text()).to.include('办公室值班员');
      expect(await ds.getRepository(ConsoleSession).findOneByOrFail({ userid: 'office.spj' })).to.include({ role: 'office', unitCode: 'SPJ' });
    } finally {
      await sys.close();
      await clearTables(ds);
    }
  });

  it('outside sandbox mode the one-click route does not exist', async () => {
    const h = await startHarness({ members: consoleMembers() });
    try {
      await h.reset();
      expect((await fetch(`${h.sys.url}/console/login/sandbox`, { redirect: 'manual' })).status).to.equal(404);
    } finally {
      await h.close();
    }
  });

  it('marks the session cookie Secure when PUBLIC_URL is https (behind a TLS proxy)', async () => {
    const h = await startHarness({ members: consoleMembers(), env: { PUBLIC_URL: 'https://nocert.test' } });
    try {
      await h.reset();
      await seedConsole(h);
      const c = new ConsoleClient(h);
      c.headers = { 'x-forwarded-proto': 'https' };
      const res = await c.login('office.duty');
      expect(res.status).to.equal(302);
      const cookie = res.headers.getSetCookie().find((x) => x.startsWith('nc_console='))!;
      expect(cookie).to.match(/;\s*secure/i).and.match(/httponly/i).and.match(/samesite=lax/i);
    } finally {
      await h.close();
    }
  });
});
