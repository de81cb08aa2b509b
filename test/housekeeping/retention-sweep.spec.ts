import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { IdempotencyKey, InboxEvent } from '../../entities';
import { run } from '../../src/cli';
import { collectJobs } from '../../src/modules';
import { clearTables, sharedTestUrl, testDataSource } from '../helpers/db';

const DAY = 86_400_000;

describe('housekeeping: the sweep prunes personal data after RETENTION_DAYS', () => {
  let ds: DataSource;
  const now = new Date('2027-03-01T02:00:00Z');
  beforeEach(async () => {
    ds = await testDataSource();
    await clearTables(ds);
  });

  let seq = 0;
  const inbox = (receivedAt: Date) =>
    ds.getRepository(InboxEvent).insert({ dedupeKey: `rs${++seq}`, kind: 'text', payload: '{"Content":"手机 13800000000"}', status: 'done', attempts: 1, receivedAt, processedAt: receivedAt, lastError: null });
  const idem = (createdAt: Date) => ds.getRepository(IdempotencyKey).insert({ scope: 'verifications|unit:RSJ', idemKey: `rs${++seq}`, requestHash: 'h'.repeat(64), statusCode: 201, response: '{}', createdAt });

  it('is one of the jobs every sweep runs', () => {
    const jobs = collectJobs({ dataSource: ds, config: { retentionDays: 180 } as never, calendar: async () => undefined as never, log: undefined as never, now: () => now });
    expect(jobs.map((j) => j.name)).to.include('retention');
  });

  it('`nocert scheduler run --now` prunes what is older than RETENTION_DAYS at that instant, and not a millisecond more', async () => {
    const cutoff = now.getTime() - 30 * DAY;
    await inbox(new Date(cutoff - 1));
    await inbox(new Date(cutoff));
    await idem(new Date(cutoff - 60_000));
    await idem(new Date(cutoff + 1));
    const out: string[] = [];
    // stdout carries the JSON lines; warnings (e.g. no office group configured) go to stderr.
    const io = { out: (s: string) => out.push(s), err: () => undefined };
    const env = { DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent', RETENTION_DAYS: '30' };
    expect(await run(['scheduler', 'run', '--now', now.toISOString()], env, io)).to.equal(0);
    const line = out.map((l) => JSON.parse(l)).find((l) => l.job === 'retention');
    expect(line).to.deep.equal({ job: 'retention', days: 30, inbox: 1, kfMessages: 0, idempotencyKeys: 1 });
    expect((await ds.getRepository(InboxEvent).find()).map((r) => r.receivedAt.getTime())).to.deep.equal([cutoff]);
    expect((await ds.getRepository(IdempotencyKey).find()).map((r) => r.createdAt.getTime())).to.deep.equal([cutoff + 1]);
    // The default period keeps them all.
    out.length = 0;
    expect(await run(['scheduler', 'run', '--now', now.toISOString()], { DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent' }, io)).to.equal(0);
    expect(out.map((l) => JSON.parse(l)).filter((l) => l.job === 'retention')).to.deep.equal([]);
  });
});
