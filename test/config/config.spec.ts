import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../src/config';

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
    const p = problems({ PORT: 'eighty', DATABASE_URL: 'postgres://x/y', OFFICE_TZ: 'Mars/Olympus', WECOM_AES_KEY: 'short', OFFICE_CHAT_ID: 'has space' });
    expect(p).to.have.length(5);
    expect(p.map((l) => l.split(':')[0]).sort()).to.deep.equal(['DATABASE_URL', 'OFFICE_CHAT_ID', 'OFFICE_TZ', 'PORT', 'WECOM_AES_KEY']);
    for (const line of p) expect(line).to.not.include('\n');
  });

  it('requires every app setting once WECOM_CORP_ID is set (no secret has a default)', () => {
    const p = problems({ WECOM_CORP_ID: 'ww1234567890abcdef' });
    expect(p).to.have.members([
      'WECOM_AGENT_ID: is required when WECOM_CORP_ID is set',
      'WECOM_SECRET: is required when WECOM_CORP_ID is set',
      'WECOM_TOKEN: is required when WECOM_CORP_ID is set',
      'WECOM_AES_KEY: is required when WECOM_CORP_ID is set',
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', WECOM_CORP_ID: '' }).mode).to.equal('sandbox');
  });
});
