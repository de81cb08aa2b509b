import crypto from 'crypto';
import { expect } from 'chai';
import { DataServiceLookup, VerificationRequest } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { createRequest } from '../helpers/scheduler';
import { isMysqlRun, sharedTestUrl } from '../helpers/db';
import { idNumber } from '../helpers/mothers/verification';
import { DataServiceMother } from '../helpers/mothers/data-services';

describe('data services: a SQL service answers from a view of the unit\'s database (MariaDB)', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  const env = directoryHarness(SchedulerMother.units());

  before(function () {
    if (!isMysqlRun()) this.skip();
  });
  beforeEach(async () => {
    h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = crypto.randomBytes(32);
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
    const q = (sql: string, p: unknown[] = []) => h.sys.dataSource.query(sql, p);
    await q('DROP VIEW IF EXISTS ds_test_v_records');
    await q('DROP TABLE IF EXISTS ds_test_records');
    await q('CREATE TABLE ds_test_records (id_number VARCHAR(18) NOT NULL, name VARCHAR(64) NOT NULL, convictions INT NOT NULL) DEFAULT CHARSET utf8mb4');
    await q("CREATE VIEW ds_test_v_records AS SELECT id_number, name, CASE WHEN convictions = 0 THEN 'consistent' ELSE 'inconsistent' END AS result, CASE WHEN convictions = 0 THEN '经比对，无犯罪记录' ELSE '经比对，有犯罪记录' END AS reply FROM ds_test_records");
    await q('INSERT INTO ds_test_records VALUES (?, ?, 0), (?, ?, 1)', [idNumber(), '张小三', idNumber('11010519491231002'), '李某']);
  });
  afterEach(async () => {
    if (!h) return;
    await h.sys.dataSource.query('DROP VIEW IF EXISTS ds_test_v_records');
    await h.sys.dataSource.query('DROP TABLE IF EXISTS ds_test_records');
  });

  it('a row answers with its reply, a row saying inconsistent answers so, no row goes to people (unknown)', async () => {
    const reg = await office.post('/data-services', DataServiceMother.sql({ certificate: '无犯罪记录证明', dsn: sharedTestUrl(), query: 'SELECT result, reply FROM ds_test_v_records WHERE id_number = :idNumber AND name = :name' }));
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
    const clean = await createRequest(rsj);
    const convicted = await createRequest(rsj, { applicant: { name: '李某', idNumber: idNumber('11010519491231002') } });
    // A name the row does not carry: no row, and no guessing.
    const unknown = await createRequest(rsj, { applicant: { name: "王五' OR '1'='1", idNumber: idNumber() } });
    await h.sys.settle();
    const repo = h.sys.dataSource.getRepository(VerificationRequest);
    expect(await repo.findOneByOrFail({ id: clean.id })).to.deep.include({ status: 'answered', result: 'match', reply: '经比对，无犯罪记录' });
    expect(await repo.findOneByOrFail({ id: convicted.id })).to.deep.include({ status: 'answered', result: 'mismatch', reply: '经比对，有犯罪记录' });
    expect((await repo.findOneByOrFail({ id: unknown.id })).status).to.equal('pending');
    expect(await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: unknown.id })).to.deep.include({ status: 'fallback', result: 'unknown' });
  });

  it('an unreachable database falls back to people', async () => {
    await office.post('/data-services', DataServiceMother.sql({ certificate: '无犯罪记录证明', dsn: 'mysql://reader:x@127.0.0.1:1/none', query: 'SELECT reply FROM v WHERE id_number = :idNumber' }));
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id })).status).to.equal('pending');
    expect((await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: r.id })).failure).to.match(/^sql_/);
  });
});
