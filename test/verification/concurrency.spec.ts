import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { startHarness, Harness } from '../helpers/system';
import { extraDataSource } from '../helpers/db';
import { createApiKey } from '../../src/http/auth';
import { inTransaction } from '../../src/db/tx';
import { VerificationEvent, VerificationRecipient, VerificationRequest } from '../../entities';
import { handleClick, OpContext } from '../../src/verification/service';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { seedDirectory } from '../helpers/seed';

describe('verification: concurrency (first click wins, unique numbers, idempotent creates)', () => {
  let h: Harness;
  let rsj: Api;
  let other: DataSource;
  const units = DirectoryMother.standard();

  before(async () => {
    h = await startHarness({ members: DirectoryMother.members(units) });
    other = await extraDataSource();
  });
  after(async () => {
    await other.destroy();
    await h.close();
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set('2026-11-26T09:00:00+08:00');
    await seedDirectory(h.sys.dataSource, units);
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
  });

  it('numbers stay unique under 20 creates at once', async () => {
    const res = await Promise.all(Array.from({ length: 20 }, () => rsj.post('/verifications', VerificationMother.body())));
    expect(res.map((r) => r.status)).to.deep.equal(Array(20).fill(201));
    const numbers = res.map((r) => r.body.number).sort();
    expect(numbers).to.deep.equal(Array.from({ length: 20 }, (_, i) => `HC20261126-${String(i + 1).padStart(4, '0')}`));
  });

  it('one Idempotency-Key sent 8 times at once creates one request', async () => {
    const res = await Promise.all(Array.from({ length: 8 }, () => rsj.post('/verifications', VerificationMother.body(), { 'Idempotency-Key': 'same-key' })));
    expect(res.map((r) => r.status)).to.deep.equal(Array(8).fill(201));
    expect(new Set(res.map((r) => r.body.id)).size).to.equal(1);
    expect(await h.sys.dataSource.getRepository(VerificationRequest).count()).to.equal(1);
  });

  it('two clicks at once on two connections: exactly one owner', async () => {
    const created = await rsj.post('/verifications', VerificationMother.body());
    const id = created.body.id as number;
    const recipients = await h.sys.dataSource.getRepository(VerificationRecipient).find({ where: { requestId: id }, order: { id: 'ASC' } });
    const ctx: OpContext = { cal: await h.sys.calendar.get(), now: h.clock.now, publicUrl: 'http://nocert.test', tz: 'Asia/Shanghai' };
    const outcomes = await Promise.all(
      recipients.map((r, i) =>
        inTransaction(i === 0 ? h.sys.dataSource : other, (m) => handleClick(m, ctx, i === 0 ? 'accept' : 'return', { from: r.userid, requestId: id, taskId: r.taskId, responseCode: `rc-${i}` })),
      ),
    );
    expect(outcomes.filter((o) => o === 'late')).to.have.length(1);
    expect(outcomes.filter((o) => o === 'accepted' || o === 'returned')).to.have.length(1);
    const transitions = await h.sys.dataSource.getRepository(VerificationEvent).find({ where: { requestId: id } });
    expect(transitions.filter((e) => e.type === 'accepted' || e.type === 'returned')).to.have.length(1);
  });
});
