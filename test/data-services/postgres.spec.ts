import crypto from 'crypto';
import { expect } from 'chai';
import { Client } from 'pg';
import { DataServiceLookup, VerificationRequest } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { createRequest } from '../helpers/scheduler';
import { idNumber } from '../helpers/mothers/verification';
import { DataServiceMother } from '../helpers/mothers/data-services';
import { callSqlService, toPositional } from '../../src/data-services/sql';

/** The PostgreSQL the tests use (.ci/run starts it); unreachable: these tests skip and say so. */
const PG_URL = process.env.TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** Tables of this run only: other runs may share the database. */
const T = `ds_pg_${process.pid}`;

async function pg<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('data services: a SQL service answers from a view of the unit\'s PostgreSQL database', function () {
  this.timeout(60_000);
  let h: Harness;
  let office: Api;
  let rsj: Api;
  const env = directoryHarness(SchedulerMother.units());
  const params = { idNumber: idNumber(), name: '张小三', certificate: '无犯罪记录证明', number: 'HC20261126-0001' };

  before(async function () {
    try {
      await pg((c) => c.query('SELECT 1'));
    } catch (e) {
      console.warn(`      PostgreSQL is not reachable at TEST_PG_URL (${PG_URL.replace(/:[^:@/]*@/, ':***@')}): ${(e as Error).message}; the PostgreSQL tests are skipped`);
      this.skip();
    }
    await pg(async (c) => {
      await c.query(`DROP VIEW IF EXISTS ${T}_v`);
      await c.query(`DROP TABLE IF EXISTS ${T}`);
      await c.query(`CREATE TABLE ${T} (id_number varchar(18) NOT NULL, name varchar(64) NOT NULL, convictions int NOT NULL)`);
      await c.query(`CREATE VIEW ${T}_v AS SELECT id_number, name, CASE WHEN convictions = 0 THEN 'consistent' ELSE 'inconsistent' END AS result, CASE WHEN convictions = 0 THEN '经比对，无犯罪记录' ELSE '经比对，有犯罪记录' END AS reply FROM ${T}`);
      await c.query(`INSERT INTO ${T} VALUES ($1, $2, 0), ($3, $4, 1)`, [idNumber(), '张小三', idNumber('11010519491231002'), '李某']);
      await c.query(`DROP SEQUENCE IF EXISTS ${T}_seq`);
      await c.query(`CREATE SEQUENCE ${T}_seq`);
    });
  });
  after(async () => {
    await pg(async (c) => {
      await c.query(`DROP VIEW IF EXISTS ${T}_v`);
      await c.query(`DROP TABLE IF EXISTS ${T}`);
      await c.query(`DROP SEQUENCE IF EXISTS ${T}_seq`);
    }).catch(() => undefined);
  });
  beforeEach(async () => {
    h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = crypto.randomBytes(32);
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
  });

  it('named parameters become $1.. outside literals and casts, each bound once', () => {
    const q = toPositional("SELECT reply, ':name' AS x, id_number::text FROM v WHERE id_number = :idNumber AND name = :name AND n <> :idNumber", params);
    expect(q.text).to.equal("SELECT reply, ':name' AS x, id_number::text FROM v WHERE id_number = $1 AND name = $2 AND n <> $1");
    expect(q.values).to.deep.equal([params.idNumber, '张小三']);
  });

  it('a row answers with its reply, a row saying inconsistent answers so, no row goes to people (unknown)', async () => {
    const reg = await office.post('/data-services', DataServiceMother.sql({ certificate: '无犯罪记录证明', dsn: PG_URL, query: `SELECT result, reply FROM ${T}_v WHERE id_number = :idNumber AND name = :name` }));
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
    const clean = await createRequest(rsj);
    const convicted = await createRequest(rsj, { applicant: { name: '李某', idNumber: idNumber('11010519491231002') } });
    const unknown = await createRequest(rsj, { applicant: { name: "王五' OR '1'='1", idNumber: idNumber() } });
    await h.sys.settle();
    const repo = h.sys.dataSource.getRepository(VerificationRequest);
    expect(await repo.findOneByOrFail({ id: clean.id })).to.deep.include({ status: 'answered', result: 'match', reply: '经比对，无犯罪记录' });
    expect(await repo.findOneByOrFail({ id: convicted.id })).to.deep.include({ status: 'answered', result: 'mismatch', reply: '经比对，有犯罪记录' });
    expect((await repo.findOneByOrFail({ id: unknown.id })).status).to.equal('pending');
    expect(await h.sys.dataSource.getRepository(DataServiceLookup).findOneByOrFail({ requestId: unknown.id })).to.deep.include({ status: 'fallback', result: 'unknown' });
    const listed = (await office.get('/data-services')).body.services.find((s: any) => s.id === reg.body.id);
    expect(listed.dsn).to.equal(PG_URL.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@'));
  });

  it('runs in a read-only transaction: a query that would write is refused by PostgreSQL itself', async () => {
    const out = await callSqlService(PG_URL, `SELECT nextval('${T}_seq')::text AS reply`, params);
    expect(out).to.deep.equal({ ok: false, failure: 'sql_25006' });
  });

  it('gives up at the statement timeout (a slow view)', async () => {
    const out = await callSqlService(PG_URL, 'SELECT pg_sleep(3)::text AS reply', params, 300);
    expect(out).to.deep.equal({ ok: false, failure: 'timeout' });
  });

  it('refuses at registration a query that is not a single SELECT, and registers nothing', async () => {
    const bad = [
      `WITH d AS (DELETE FROM ${T} RETURNING reply) SELECT reply FROM d WHERE :idNumber = :idNumber`,
      `SELECT reply FROM ${T}_v WHERE id_number = :idNumber; DROP TABLE ${T}`,
      `SELECT pg_sleep(10), reply FROM ${T}_v WHERE id_number = :idNumber`,
      `SELECT setval('${T}_seq', 1) AS reply WHERE :idNumber IS NOT NULL`,
    ];
    for (const query of bad) {
      const res = await office.post('/data-services', DataServiceMother.sql({ certificate: '无犯罪记录证明', dsn: PG_URL, query }));
      expect(res.status, query).to.equal(422);
      expect(res.body.error.message, query).to.match(/^query: /);
    }
    expect((await office.get('/data-services')).body.services).to.have.length(0);
    expect(await pg(async (c) => Number((await c.query(`SELECT count(*) AS n FROM ${T}`)).rows[0].n))).to.equal(2);
  });
});
