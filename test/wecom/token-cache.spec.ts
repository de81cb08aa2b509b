import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { WecomToken } from '../../entities';
import { clearTables, extraDataSource, testDataSource } from '../helpers/db';
import { AGENT_ID, CORP_ID, KF_SECRET, SECRET, startEmulator, type EmulatorHarness } from '../sandbox/harness';
import { DbTokenProvider, tokenCacheKey, type DbTokenProviderOptions } from '../../src/wecom/token-cache';
import { WeComClient } from '../../src/wecom/client';
import { WeComError, WeComFatalError } from '../../src/wecom/errors';

describe('wecom token cache (DbTokenProvider against the emulator)', () => {
  let ds: DataSource;
  let ds2: DataSource;
  let h: EmulatorHarness;

  before(async () => {
    ds = await testDataSource();
    ds2 = await extraDataSource();
  });
  after(async () => {
    await ds2.destroy();
  });
  beforeEach(async () => {
    await clearTables(ds);
    h = await startEmulator();
  });
  afterEach(() => h.close());

  const now = () => new Date(h.clock.t);
  const gettokens = () => h.emu.apiCalls().filter((c) => c.path === '/cgi-bin/gettoken');
  const provider = (dataSource: DataSource, over: Partial<DbTokenProviderOptions> = {}) =>
    new DbTokenProvider({ dataSource, apiBase: h.base, corpId: CORP_ID, secrets: { app: SECRET, kf: KF_SECRET }, now, pollMs: 10, ...over });
  const client = (tokens: DbTokenProvider) => new WeComClient({ apiBase: h.base, corpId: CORP_ID, agentId: AGENT_ID, tokens, sleep: async () => undefined });

  it('five concurrent getToken calls from two DataSources make exactly one gettoken call', async () => {
    const a = provider(ds, { instanceId: 'a' });
    const b = provider(ds2, { instanceId: 'b' });
    const c = provider(ds, { instanceId: 'c' });
    const tokens = await Promise.all([a.getToken('app'), b.getToken('app'), c.getToken('app'), b.getToken('app'), a.getToken('app')]);
    expect(new Set(tokens).size).to.equal(1);
    expect(gettokens()).to.have.length(1);
    // A fresh instance reads the shared row: still no second call.
    expect(await provider(ds2, { instanceId: 'd' }).getToken('app')).to.equal(tokens[0]);
    expect(gettokens()).to.have.length(1);
  });

  it('stores a hash of corpid+secret as the key, never the secret', async () => {
    await provider(ds).getToken('app');
    const rows = await ds.getRepository(WecomToken).find();
    expect(rows).to.have.length(1);
    expect(rows[0].cacheKey).to.equal(tokenCacheKey('app', CORP_ID, SECRET));
    expect(rows[0].cacheKey).to.match(/^app:[0-9a-f]{16}$/);
    expect(JSON.stringify(rows)).not.to.contain(SECRET);
    expect(rows[0].lockUntil).to.equal(null);
  });

  it('refreshes inside the last five minutes, at most once a minute, and takes the new token after expiry', async () => {
    const p = provider(ds);
    const first = await p.getToken('app');
    h.clock.advance((7200 - 600) * 1000);
    expect(await p.getToken('app')).to.equal(first);
    expect(gettokens()).to.have.length(1);

    h.clock.advance(400_000); // 200 s left: refresh early (WeCom answers the same token until it expires)
    expect(await provider(ds2).getToken('app')).to.equal(first);
    expect(gettokens()).to.have.length(2);
    h.clock.advance(30_000);
    expect(await p.getToken('app')).to.equal(first);
    expect(gettokens()).to.have.length(2);

    h.clock.advance(171_000); // expired
    const fresh = await p.getToken('app');
    expect(fresh).not.to.equal(first);
    expect(gettokens()).to.have.length(3);
    const row = await ds.getRepository(WecomToken).findOneByOrFail({ cacheKey: p.keyOf('app') });
    expect(row.expiresAt!.getTime()).to.equal(h.clock.t + 7200_000);
  });

  it('waits for another instance that holds the refresh lock and uses what it wrote', async () => {
    const key = tokenCacheKey('app', CORP_ID, SECRET);
    await ds.getRepository(WecomToken).insert({ cacheKey: key, accessToken: null, expiresAt: null, lockUntil: new Date(h.clock.t + 30_000), lockedBy: 'other', fatalErrcode: null, updatedAt: now() });
    const waiting = provider(ds2).getToken('app');
    await new Promise((r) => setTimeout(r, 100));
    await ds.getRepository(WecomToken).update({ cacheKey: key }, { accessToken: 'written-by-other', expiresAt: new Date(h.clock.t + 7_200_000), lockUntil: null, lockedBy: null, updatedAt: now() });
    expect(await waiting).to.equal('written-by-other');
    expect(gettokens()).to.have.length(0);
  });

  it('takes over when the refresher crashed and its lock ran out', async () => {
    const key = tokenCacheKey('app', CORP_ID, SECRET);
    await ds.getRepository(WecomToken).insert({ cacheKey: key, accessToken: null, expiresAt: null, lockUntil: new Date(h.clock.t + 30_000), lockedBy: 'crashed', fatalErrcode: null, updatedAt: now() });
    const waiting = provider(ds).getToken('app');
    await new Promise((r) => setTimeout(r, 60));
    h.clock.advance(31_000);
    expect(await waiting).to.be.a('string').with.length.above(20);
    expect(gettokens()).to.have.length(1);
  });

  it('invalidates on 40014 and retries once with a fresh token', async () => {
    const p = provider(ds);
    const c = client(p);
    const before = await p.getToken('app');
    h.emu.invalidateTokens();
    const r = await c.sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'after 40014' } });
    expect(r.errcode).to.equal(0);
    expect(gettokens()).to.have.length(2);
    const after = await p.getToken('app');
    expect(after).not.to.equal(before);
    const sends = h.emu.apiCalls().filter((x) => x.path === '/cgi-bin/message/send');
    expect(sends.map((x) => x.errcode)).to.deep.equal([40014, 0]);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
  });

  it('invalidates on 42001 (the shared row too) and retries once', async () => {
    const p = provider(ds);
    const other = provider(ds2);
    await p.getToken('app');
    h.emu.injectError('/cgi-bin/message/send', 42001);
    await client(p).sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'after 42001' } });
    expect(gettokens()).to.have.length(2);
    // The other instance reads the row the refresher wrote.
    await other.getToken('app');
    expect(gettokens()).to.have.length(2);
  });

  it('retries exactly once: a second 40014 is an error', async () => {
    const p = provider(ds);
    h.emu.injectError('/cgi-bin/message/send', 40014, 2);
    let err: unknown;
    try {
      await client(p).sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'x' } });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(WeComError);
    expect((err as WeComError).errcode).to.equal(40014);
    expect(h.emu.apiCalls().filter((x) => x.path === '/cgi-bin/message/send')).to.have.length(2);
  });

  it('stops for good after a wrong secret: no further gettoken from any instance', async () => {
    const bad = provider(ds, { secrets: { app: 'wrong-secret-value' } });
    let err: unknown;
    try {
      await bad.getToken('app');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(WeComFatalError);
    expect((err as WeComFatalError).errcode).to.equal(40001);
    for (const p of [bad, provider(ds2, { secrets: { app: 'wrong-secret-value' } })]) {
      let again: unknown;
      try {
        await p.getToken('app');
      } catch (e) {
        again = e;
      }
      expect(again).to.be.instanceOf(WeComFatalError);
    }
    expect(gettokens()).to.have.length(1);
    const row = await ds.getRepository(WecomToken).findOneByOrFail({ cacheKey: tokenCacheKey('app', CORP_ID, 'wrong-secret-value') });
    expect(row.fatalErrcode).to.equal(40001);
    // A corrected secret is a different row and works.
    expect(await provider(ds).getToken('app')).to.be.a('string');
    expect(gettokens()).to.have.length(2);
  });

  it('a client call with a wrong secret throws WeComFatalError without calling the API', async () => {
    const c = client(provider(ds, { secrets: { app: 'wrong-secret-value' } }));
    for (let i = 0; i < 3; i++) {
      let err: unknown;
      try {
        await c.sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'x' } });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(WeComFatalError);
    }
    expect(gettokens()).to.have.length(1);
    expect(h.emu.apiCalls().filter((x) => x.path === '/cgi-bin/message/send')).to.have.length(0);
  });

  it('keeps the kf token in its own row; without a kf secret kf calls share the app token', async () => {
    const both = provider(ds);
    const app = await both.getToken('app');
    const kf = await both.getToken('kf');
    expect(kf).not.to.equal(app);
    expect(await ds.getRepository(WecomToken).count()).to.equal(2);
    const appOnly = provider(ds2, { secrets: { app: SECRET } });
    expect(await appOnly.getToken('kf')).to.equal(app);
    expect(gettokens()).to.have.length(2);
  });
});
