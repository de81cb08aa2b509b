import http from 'http';
import { AddressInfo } from 'net';
import { expect } from 'chai';
import Router from '@koa/router';
import { createApp } from '../../src/http/app';
import { createApiKey, principalOf } from '../../src/http/auth';
import { Metrics } from '../../src/metrics';
import { silentLogger } from '../../src/logger';
import { ApiKey } from '../../entities';
import { clearTables, testDataSource } from '../helpers/db';

describe('API keys', () => {
  let server: http.Server;
  let url: string;
  let clock = 1_000_000;
  before(async () => {
    const ds = await testDataSource();
    const r = new Router();
    r.get('/whoami', (ctx) => {
      ctx.body = principalOf(ctx);
    });
    const app = createApp({ dataSource: ds, log: silentLogger, metrics: new Metrics(), publicRouters: [], apiRouters: [r], ready: async () => undefined, apiKeyClock: () => clock });
    server = http.createServer(app.callback());
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/whoami`;
  });
  after(() => new Promise((r) => server.close(r)));
  beforeEach(async () => clearTables(await testDataSource()));

  const who = (key: string) => fetch(url, { headers: { authorization: `Bearer ${key}` } });

  it('acts as the office without a unit and as the unit with one', async () => {
    const ds = await testDataSource();
    const office = await createApiKey(ds, '办公室', null, new Date());
    const unit = await createApiKey(ds, '审批平台', 'GAJ', new Date());
    expect(await (await who(office)).json()).to.deep.equal({ kind: 'office', name: '办公室' });
    expect(await (await who(unit)).json()).to.deep.equal({ kind: 'unit', unitCode: 'GAJ', name: '审批平台' });
  });

  it('refuses a missing, malformed or unknown key with 401', async () => {
    expect((await fetch(url)).status).to.equal(401);
    expect((await fetch(url, { headers: { authorization: 'Basic abc' } })).status).to.equal(401);
    expect((await who('nk_doesnotexist')).status).to.equal(401);
  });

  it('stops accepting a revoked key once the 30 s cache has passed', async () => {
    const ds = await testDataSource();
    const key = await createApiKey(ds, '临时', null, new Date());
    expect((await who(key)).status).to.equal(200);
    await ds.getRepository(ApiKey).update({ name: '临时' }, { revokedAt: new Date() });
    clock += 29_000;
    expect((await who(key)).status).to.equal(200);
    clock += 2_000;
    expect((await who(key)).status).to.equal(401);
  });
});
