import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { SendLog } from '../../entities';
import { clearTables, extraDataSource, testDataSource } from '../helpers/db';
import { Pacer, chatKey, kfKey, robotKey, userKey, type Reservation } from '../../src/wecom/pacer';

const T0 = Date.UTC(2025, 0, 6, 2, 0, 0);
const at = (ms: number) => new Date(T0 + ms);

describe('wecom pacer (shared send log)', () => {
  let ds: DataSource;
  let ds2: DataSource;

  before(async () => {
    ds = await testDataSource();
    ds2 = await extraDataSource();
  });
  after(async () => {
    await ds2.destroy();
  });
  beforeEach(() => clearTables(ds));

  it('lets 30 sends a minute through to one member, then answers when the oldest leaves the window', async () => {
    const p = new Pacer({ dataSource: ds, guardMs: 2000 });
    for (let i = 0; i < 30; i++) expect(await p.reserve(undefined, [userKey('alice')], at(i * 1000), i + 1)).to.deep.equal({ ok: true });
    const r = await p.reserve(undefined, [userKey('alice')], at(30_000));
    expect(r).to.deep.equal({ ok: false, retryAt: at(62_000) });
    // Another member is not affected.
    expect((await p.reserve(undefined, [userKey('bob')], at(30_000))).ok).to.equal(true);
    // At retryAt the first send has left the window (plus the guard).
    expect((await p.reserve(undefined, [userKey('alice')], at(61_999))).ok).to.equal(false);
    expect((await p.reserve(undefined, [userKey('alice')], at(62_000))).ok).to.equal(true);
    expect(await ds.getRepository(SendLog).countBy({ recipient: 'user:alice' })).to.equal(31);
  });

  it('treats userids case-insensitively, as WeCom does', async () => {
    const p = new Pacer({ dataSource: ds });
    for (let i = 0; i < 30; i++) await p.reserve(undefined, [userKey(i % 2 ? 'Alice' : 'alice')], at(i));
    expect((await p.reserve(undefined, [userKey('ALICE')], at(100))).ok).to.equal(false);
  });

  it('caps a member at 1000 an hour', async () => {
    const p = new Pacer({ dataSource: ds, guardMs: 0 });
    // 1000 sends spread over the last 50 minutes (3 s apart).
    const rows = Array.from({ length: 1000 }, (_, i) => ({ recipient: 'user:bob', sentAt: at(i * 3000), outboxId: null }));
    for (let i = 0; i < rows.length; i += 200) await ds.getRepository(SendLog).insert(rows.slice(i, i + 200));
    const r = await p.reserve(undefined, [userKey('bob')], at(3_000_000));
    expect(r).to.deep.equal({ ok: false, retryAt: at(3_600_000) });
    expect((await p.reserve(undefined, [userKey('bob')], at(3_600_000))).ok).to.equal(true);
  });

  it('paces a robot at 20 a minute and an app group chat at its safe rate; kf is only recorded', async () => {
    const p = new Pacer({ dataSource: ds, guardMs: 0 });
    const robot = robotKey('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc');
    expect(robot).not.to.contain('abc');
    for (let i = 0; i < 20; i++) expect((await p.reserve(undefined, [robot], at(i))).ok).to.equal(true);
    expect((await p.reserve(undefined, [robot], at(20))).ok).to.equal(false);
    for (let i = 0; i < 20; i++) expect((await p.reserve(undefined, [chatKey('office01')], at(i))).ok).to.equal(true);
    expect((await p.reserve(undefined, [chatKey('office01')], at(20))).ok).to.equal(false);
    for (let i = 0; i < 50; i++) expect((await p.reserve(undefined, [kfKey('wmC1')], at(i))).ok).to.equal(true);
    expect(await ds.getRepository(SendLog).countBy({ recipient: 'kf:wmC1' })).to.equal(50);
  });

  it('reserves all recipients of a message or none', async () => {
    const p = new Pacer({ dataSource: ds });
    for (let i = 0; i < 30; i++) await p.reserve(undefined, [userKey('carol')], at(i));
    const r = await p.reserve(undefined, [userKey('alice'), userKey('carol'), userKey('bob')], at(100));
    expect(r.ok).to.equal(false);
    expect(await ds.getRepository(SendLog).countBy({ recipient: 'user:alice' })).to.equal(0);
  });

  it('never lets two instances take the same slot (50 racing reservations, two DataSources)', async () => {
    const a = new Pacer({ dataSource: ds });
    const b = new Pacer({ dataSource: ds2 });
    const results: Reservation[] = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).reserve(undefined, [userKey('alice')], at(i * 10))));
    expect(results.filter((r) => r.ok)).to.have.length(30);
    expect(await ds.getRepository(SendLog).countBy({ recipient: 'user:alice' })).to.equal(30);
  });

  it('release() frees the slot of a send WeCom refused; old rows are purged', async () => {
    const p = new Pacer({ dataSource: ds, purgeEveryMs: 0 });
    await p.reserve(undefined, [userKey('alice')], at(0), 7);
    await p.release(7, at(0));
    expect(await ds.getRepository(SendLog).count()).to.equal(0);
    await p.reserve(undefined, [userKey('alice')], at(0), 8);
    await p.reserve(undefined, [userKey('bob')], at(3 * 3_600_000), 9);
    expect(await ds.getRepository(SendLog).count()).to.equal(1);
  });
});
