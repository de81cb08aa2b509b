import sinon from 'sinon';
import { expect } from 'chai';
import { startHarness, Harness } from '../helpers/system';
import { LOGIN_LIMIT } from '../../src/verification/page';

const TOKEN = 'metrics-token-0123456789';

async function login(h: Harness, xff?: string): Promise<Response> {
  return fetch(`${h.sys.url}/v/login?state=x&code=y`, { headers: xff ? { 'x-forwarded-for': xff } : {}, redirect: 'manual' });
}

describe('behind no proxy (TRUST_PROXY=0), with METRICS_TOKEN', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { TRUST_PROXY: '0', METRICS_TOKEN: TOKEN } });
  });
  after(async () => h.close());

  it('limits /v/login per client; a forged X-Forwarded-For is no new client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT.limit + 3; i++) statuses.push((await login(h, `203.0.113.${i}`)).status);
    expect(statuses.slice(0, LOGIN_LIMIT.limit).every((s) => s !== 429)).to.equal(true);
    expect(statuses.slice(LOGIN_LIMIT.limit)).to.deep.equal([429, 429, 429]);
    const res = await login(h, '198.51.100.7');
    expect(res.status).to.equal(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('rate_limited');
  });

  it('answers /metrics only with the bearer token', async () => {
    for (const auth of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await fetch(`${h.sys.url}/metrics`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status, String(auth)).to.equal(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('unauthorized');
    }
    const ok = await fetch(`${h.sys.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.include('nocert_');
  });

  it('/readyz pings the database and does not rescan migrations on every hit', async () => {
    const spy = sinon.spy(h.sys.dataSource, 'showMigrations');
    const ping = sinon.spy(h.sys.dataSource, 'query');
    try {
      for (let i = 0; i < 5; i++) expect((await fetch(`${h.sys.url}/readyz`)).status).to.equal(200);
      expect(spy.callCount).to.be.at.most(1);
      expect(ping.getCalls().filter((c) => c.args[0] === 'SELECT 1')).to.have.length(5);
    } finally {
      spy.restore();
      ping.restore();
    }
  });
});

describe('behind one proxy (TRUST_PROXY=1)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { TRUST_PROXY: '1' } });
  });
  after(async () => h.close());

  it('keys the limit on the address the proxy saw, whatever the client prepended', async () => {
    for (let i = 0; i < LOGIN_LIMIT.limit; i++) expect((await login(h, `forged-${i}, 10.9.9.9`)).status).to.not.equal(429);
    expect((await login(h, 'forged-again, 10.9.9.9')).status).to.equal(429);
    expect((await login(h, '10.9.9.9')).status).to.equal(429);
    // Another client behind the same proxy is not affected.
    expect((await login(h, '10.9.9.8')).status).to.not.equal(429);
  });

  it('leaves /metrics open when METRICS_TOKEN is not set', async () => {
    expect((await fetch(`${h.sys.url}/metrics`)).status).to.equal(200);
  });
});
