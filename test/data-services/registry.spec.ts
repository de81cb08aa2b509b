import crypto from 'crypto';
import { expect } from 'chai';
import { DataService } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { unseal } from '../../src/data-services/seal';
import { sqlProblem, urlProblem } from '../../src/data-services/guards';
import { DataServiceMother } from '../helpers/mothers/data-services';

const KEY = crypto.randomBytes(32);

describe('data services: the registry (秒核)', () => {
  let h: Harness;
  let office: Api;
  let gaj: Api;
  let rsj: Api;
  const env = directoryHarness(SchedulerMother.units());
  beforeEach(async () => {
    h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = KEY;
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    gaj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'gaj', 'GAJ', h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
  });

  it('registers an http and a sql service with their secrets sealed, and lists them with figures', async () => {
    const a = await office.post('/data-services', DataServiceMother.http());
    expect(a.status, JSON.stringify(a.body)).to.equal(201);
    const b = await gaj.post('/data-services', DataServiceMother.sql());
    expect(b.status, JSON.stringify(b.body)).to.equal(201);
    const rows = await h.sys.dataSource.getRepository(DataService).find({ order: { id: 'ASC' } });
    expect(rows.map((r) => r.secretSealed).join()).not.to.include('a-long-shared-secret').and.not.to.include('pa55word');
    expect(unseal(KEY, rows[0].secretSealed)).to.equal('a-long-shared-secret-0123');
    expect(unseal(KEY, rows[1].secretSealed)).to.equal('mysql://reader:pa55word@10.1.2.3:3306/hukou');
    expect(() => unseal(crypto.randomBytes(32), rows[0].secretSealed)).to.throw();
    const list = await office.get('/data-services');
    expect(list.status).to.equal(200);
    expect(JSON.stringify(list.body)).not.to.include('pa55word').and.not.to.include('a-long-shared-secret');
    expect(list.body.services.map((s: any) => [s.id, s.kind, s.certificate, s.dsn])).to.deep.equal([
      [a.body.id, 'http', '无犯罪记录证明', null],
      [b.body.id, 'sql', '户籍证明', 'mysql://reader:***@10.1.2.3:3306/hukou'],
    ]);
    expect(list.body.services[0].figures).to.deep.equal({ calls: 0, automaticAnswers: 0, overridden: 0, fallbacks: 0, latencyMs: { p50: null, p99: null }, circuit: 'closed' });
    expect((await rsj.get('/data-services')).body.services).to.deep.equal([]);
    const again = await office.post('/data-services', DataServiceMother.http());
    expect(again.status).to.equal(409);
  });

  it('refuses a unit key registering for a certificate of another unit, and changes nothing', async () => {
    const res = await rsj.post('/data-services', DataServiceMother.http());
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal('forbidden');
    expect(await h.sys.dataSource.getRepository(DataService).count()).to.equal(0);
  });

  it('refuses a plain http address off this machine, and a query that is not one SELECT (422)', async () => {
    for (const url of ['http://10.0.0.8/verify', 'ftp://x.example/verify', 'http://user:pw@127.0.0.1/v']) {
      const res = await office.post('/data-services', DataServiceMother.http({ url }));
      expect(res.status, url).to.equal(422);
    }
    expect((await office.post('/data-services', DataServiceMother.http({ url: 'http://127.0.0.1:8080/verify' }))).status).to.equal(201);
    for (const query of [
      'DELETE FROM v_household WHERE id_number = :idNumber',
      'SELECT reply FROM v_household WHERE id_number = :idNumber; DROP TABLE v_household',
      'SELECT reply INTO OUTFILE "/tmp/x" FROM v_household WHERE id_number = :idNumber',
      'SELECT reply FROM v_household WHERE id_number = :idNumber FOR UPDATE',
      "SELECT reply FROM v_household WHERE id_number = '110' -- :idNumber",
      'WITH x AS (SELECT 1) SELECT * FROM x WHERE :idNumber = 1',
    ]) {
      const res = await office.post('/data-services', DataServiceMother.sql({ query }));
      expect(res.status, query).to.equal(422);
      expect(res.body.error.code).to.equal('validation_failed');
    }
    expect(await h.sys.dataSource.getRepository(DataService).count()).to.equal(1);
  });

  it('refuses to register without DATA_SERVICE_KEY, with a clear error', async () => {
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = null;
    const res = await office.post('/data-services', DataServiceMother.http());
    expect(res.status).to.equal(503);
    expect(res.body.error).to.deep.equal({ code: 'data_service_key_missing', message: 'DATA_SERVICE_KEY is not set: data services cannot be registered without a key to seal their secrets' });
  });

  it('guards: SELECT with a trailing semicolon and keywords inside literals pass; loopback forms pass', () => {
    expect(sqlProblem("SELECT reply FROM v WHERE id_number = :idNumber AND note <> 'delete;' ;")).to.equal(null);
    expect(sqlProblem('select reply, updated_at from v where id_number = :idNumber')).to.equal(null);
    expect(urlProblem('http://[::1]:9000/v')).to.equal(null);
    expect(urlProblem('http://localhost:9000/v')).to.equal(null);
    expect(urlProblem('http://127.0.0.2.nip.io/v')).to.not.equal(null);
  });
});
