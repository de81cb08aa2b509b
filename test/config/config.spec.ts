import { expect } from 'chai';
import { loadConfig, ConfigError, maskDatabaseUrl } from '../../src/config';

const live = {
  WECOM_CORP_ID: 'ww1234567890abcdef',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's3cr3t-s3cr3t-s3cr3t',
  WECOM_TOKEN: 'tok123',
  WECOM_AES_KEY: 'a'.repeat(43),
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs in sandbox mode with contract defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.mode).to.equal('sandbox');
    expect(c.port).to.equal(3000);
    expect(c.databaseUrl).to.equal('sqlite:data/nocert.sqlite');
    expect(c.publicUrl).to.equal('http://localhost:3000');
    expect(c.officeTz).to.equal('Asia/Shanghai');
    expect(c.wecom).to.equal(null);
  });

  it('reads a live configuration; the kf secret defaults to the app secret, never to a constant', () => {
    const c = loadConfig({ ...live, PORT: '8080', DATABASE_URL: 'mysql://u:p@db:3306/nocert' });
    expect(c.mode).to.equal('live');
    expect(c.port).to.equal(8080);
    expect(c.wecom?.agentId).to.equal(1000002);
    expect(c.wecom?.kfSecret).to.equal(live.WECOM_SECRET);
    expect(c.wecom?.apiBase).to.equal('https://qyapi.weixin.qq.com');
    expect(c.publicUrl).to.equal('http://localhost:8080');
  });

  it('reports every bad value at once, one line naming each variable', () => {
    const p = problems({ ...live, PORT: 'eighty', DATABASE_URL: 'postgres://x/y', OFFICE_TZ: 'Mars/Olympus', WECOM_AES_KEY: 'short', OFFICE_CHAT_ID: 'has space' });
    expect(p).to.have.length(5);
    expect(p.map((l) => l.split(':')[0]).sort()).to.deep.equal(['DATABASE_URL', 'OFFICE_CHAT_ID', 'OFFICE_TZ', 'PORT', 'WECOM_AES_KEY']);
    for (const line of p) expect(line).to.not.include('\n');
  });

  it('requires every app setting once any WECOM_* variable is set (no secret has a default)', () => {
    const p = problems({ WECOM_CORP_ID: 'ww1234567890abcdef' });
    expect(p.map((l) => l.split(':')[0])).to.have.members(['WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_AES_KEY']);
    for (const line of p) expect(line).to.include('is required in live mode (set: WECOM_CORP_ID)');
  });

  it('refuses a partial WeCom configuration instead of falling back to sandbox mode', () => {
    // A secrets file that did not mount: everything but the corp id.
    const { WECOM_CORP_ID: _omit, ...rest } = live;
    expect(problems(rest)).to.deep.equal([`WECOM_CORP_ID: is required in live mode (set: WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN, WECOM_AES_KEY)`]);
    // Only the API base (or only the kf secret) set is not sandbox mode either.
    expect(problems({ WECOM_API_BASE: 'http://127.0.0.1:9' })).to.have.length(5);
  });

  it('names a misspelt WECOM_* variable and what it leaves missing', () => {
    const { WECOM_CORP_ID, ...rest } = live;
    const p = problems({ ...rest, WECOM_CORPID: WECOM_CORP_ID });
    expect(p).to.have.length(2);
    expect(p[0]).to.match(/^WECOM_CORPID: is not a known setting/);
    expect(p[1]).to.match(/^WECOM_CORP_ID: is required in live mode/);
  });

  it('refuses sandbox mode on a MySQL database, unless a tool asks for it', () => {
    const p = problems({ DATABASE_URL: 'mysql://nocert:hunter2@db:3306/nocert' });
    expect(p).to.have.length(1);
    expect(p[0]).to.match(/^DATABASE_URL: a MySQL database needs the WeCom settings/);
    expect(p[0]).to.not.include('hunter2');
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/nocert' }, { allowSandboxOnMysql: true }).mode).to.equal('sandbox');
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).mode).to.equal('sandbox');
  });

  it('masks the database password for banners and logs', () => {
    expect(maskDatabaseUrl('mysql://nocert:hunter2@db:3306/nocert')).to.equal('mysql://nocert:***@db:3306/nocert');
    expect(maskDatabaseUrl('mysql://root@127.0.0.1:3306/test')).to.equal('mysql://root@127.0.0.1:3306/test');
    expect(maskDatabaseUrl('sqlite:data/nocert.sqlite')).to.equal('sqlite:data/nocert.sqlite');
  });

  it('reads TRUST_PROXY, METRICS_TOKEN and RETENTION_DAYS with safe defaults', () => {
    const d = loadConfig({});
    expect(d.trustProxy).to.equal(0);
    expect(d.metricsToken).to.equal(null);
    expect(d.retentionDays).to.equal(180);
    const c = loadConfig({ TRUST_PROXY: '2', METRICS_TOKEN: 'm'.repeat(20), RETENTION_DAYS: '365' });
    expect([c.trustProxy, c.metricsToken, c.retentionDays]).to.deep.equal([2, 'm'.repeat(20), 365]);
    expect(problems({ TRUST_PROXY: 'yes', RETENTION_DAYS: '1' }).map((l) => l.split(':')[0]).sort()).to.deep.equal(['RETENTION_DAYS', 'TRUST_PROXY']);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', WECOM_CORP_ID: '' }).mode).to.equal('sandbox');
  });
});
