/**
 * Request creation shares transactions under load (issue 14, src/verification/create-batch.ts):
 * requests opened at the same moment are numbered and written together, and each answer
 * still names a request that is durable and wholly its own.
 */
import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { QueryCounter } from '../helpers/query-count';
import { isMysqlRun } from '../helpers/db';
import { OutboxMessage, VerificationEvent, VerificationRecipient, VerificationRequest } from '../../entities';
import { parseTaskId } from '../../src/verification/notify';
import { CreateInput, RequestPlan, planRequest } from '../../src/verification/create';
import { CreationBatcher } from '../../src/verification/create-batch';
import type { Actor, OpContext } from '../../src/verification/common';

describe('verification: creations at the same moment share a transaction (issue 14)', () => {
  const env = directoryHarness(DirectoryMother.standard());
  let h: Harness;
  let api: Api;
  beforeEach(async () => {
    h = env.h;
    api = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
  });

  const number = (n: number) => `HC20261126-${String(n).padStart(4, '0')}`;
  /** Planned (checked and routed, not written) requests of RSJ, one per applicant name. */
  async function plansFor(names: string[]): Promise<RequestPlan[]> {
    const ctx: OpContext = { cal: await h.sys.calendar.get(), now: h.clock.now, publicUrl: 'http://nocert.test', tz: 'Asia/Shanghai' };
    const actor: Actor = { kind: 'api', name: 'rsj-system', unitCode: 'RSJ' };
    const body = (name: string) => ({ ...VerificationMother.body({ applicant: { name, idNumber: VerificationMother.body().applicant.idNumber } }), category: 'digital' }) as CreateInput;
    return Promise.all(names.map((name) => planRequest(h.sys.dataSource.manager, ctx, actor, body(name), async () => null)));
  }

  it('30 at once: fewer commits than requests, gap-free numbers, and each answer names its own request, recipients, events and cards', async () => {
    const qc = new QueryCounter(h.sys.dataSource);
    qc.start();
    const names = Array.from({ length: 30 }, (_, i) => `申请人${i}`);
    const res = await Promise.all(names.map((name) => api.post('/verifications', VerificationMother.body({ applicant: { name, idNumber: VerificationMother.body().applicant.idNumber } }))));
    const statements = qc.stop();
    qc.detach();
    expect(res.map((r) => r.status)).to.deep.equal(Array(30).fill(201));
    expect(res.map((r) => r.body.number).sort()).to.deep.equal(Array.from({ length: 30 }, (_, i) => number(i + 1)));
    // MariaDB: the requests queue while a batch's round trips are out. (SQLite writes
    // synchronously, so a batch may be done before the next request is read; the test
    // below shows batching there deterministically.)
    const commits = statements.filter((s) => /^COMMIT/i.test(s)).length;
    if (isMysqlRun()) expect(commits, 'commits').to.be.within(1, 29);

    const ds = h.sys.dataSource;
    for (const [i, r] of res.entries()) {
      // The id and number answered belong to the row that carries this caller's applicant.
      const row = await ds.getRepository(VerificationRequest).findOneByOrFail({ id: r.body.id });
      expect(row.number).to.equal(r.body.number);
      expect(row.applicantName).to.equal(names[i]);
      const recipients = await ds.getRepository(VerificationRecipient).findBy({ requestId: row.id });
      expect(recipients.map((x) => x.userid).sort()).to.deep.equal(['gaj.a', 'gaj.liaison']);
      for (const x of recipients) expect(parseTaskId(x.taskId)?.requestId).to.equal(row.id);
      expect((await ds.getRepository(VerificationEvent).findBy({ requestId: row.id })).map((e) => e.type).sort()).to.deep.equal(['created', 'notified']);
      const cards = await ds.getRepository(OutboxMessage).findBy({ refType: 'verification_card', refId: recipients[0].taskId });
      expect(cards).to.have.length(1);
      expect(cards[0].payload).to.include(row.number);
    }
  });

  it('requests submitted in the same turn of the event loop: one transaction, one counter step, one INSERT per table', async () => {
    const ds = h.sys.dataSource;
    const plans = await plansFor(['甲', '乙', '丙', '丁', '戊']);
    const batcher = new CreationBatcher(ds);
    const qc = new QueryCounter(ds);
    qc.start();
    const created = await Promise.all(plans.map((p) => batcher.submit(p)));
    const statements = qc.stop();
    qc.detach();
    expect(batcher.stats).to.deep.equal({ batches: 1, items: 5, failedBatches: 0 });
    expect(created.map((c) => c.request.number)).to.deep.equal([1, 2, 3, 4, 5].map(number));
    expect(statements.filter((s) => /^COMMIT/i.test(s)), statements.join('\n')).to.have.length(1);
    expect(statements.filter((s) => /daily_counters/.test(s)), statements.join('\n')).to.have.length(1);
    for (const table of ['verification_requests', 'verification_recipients', 'verification_events', 'outbox_messages']) {
      expect(statements.filter((s) => new RegExp(`^INSERT INTO \\W?${table}\\W`).test(s)), table).to.have.length(1);
    }
    expect(await ds.getRepository(OutboxMessage).countBy({ refType: 'verification_card' })).to.equal(10);
  });

  describe('a request the database refuses', () => {
    const trigger = 'nocert_test_refuse';
    beforeEach(async () => {
      const ds = h.sys.dataSource;
      if (isMysqlRun()) {
        await ds.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON verification_requests FOR EACH ROW BEGIN IF NEW.applicant_name = '拒绝' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by test'; END IF; END`);
      } else {
        await ds.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON verification_requests WHEN NEW.applicant_name = '拒绝' BEGIN SELECT RAISE(ABORT, 'refused by test'); END`);
      }
    });
    afterEach(async () => {
      await h.sys.dataSource.query(`DROP TRIGGER IF EXISTS ${trigger}`);
    });

    it('fails alone: the others of its batch are created, the numbers stay gap-free, nothing of it is left', async () => {
      const bodies = Array.from({ length: 12 }, (_, i) => VerificationMother.body({ applicant: { name: i === 5 ? '拒绝' : `申请人${i}`, idNumber: VerificationMother.body().applicant.idNumber } }));
      const res = await Promise.all(bodies.map((b) => api.post('/verifications', b)));
      expect(res.map((r) => r.status)).to.deep.equal(bodies.map((_, i) => (i === 5 ? 500 : 201)));
      expect(res.filter((r) => r.status === 201).map((r) => r.body.number).sort()).to.deep.equal(Array.from({ length: 11 }, (_, i) => number(i + 1)));
      const ds = h.sys.dataSource;
      expect(await ds.getRepository(VerificationRequest).count()).to.equal(11);
      expect(await ds.getRepository(VerificationRecipient).count()).to.equal(22);
      expect(await ds.getRepository(OutboxMessage).countBy({ refType: 'verification_card' })).to.equal(22);
      const next = await api.post('/verifications', VerificationMother.body());
      expect(next.body.number).to.equal(number(12));
    });

    it('in one batch for sure (same turn of the event loop): it is rejected, the three others resolve with numbers 0001-0003', async () => {
      const ds = h.sys.dataSource;
      const plans = await plansFor(['甲', '拒绝', '乙', '丙']);
      const batcher = new CreationBatcher(ds);
      const out = await Promise.allSettled(plans.map((p) => batcher.submit(p)));
      expect(out.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(out.flatMap((o) => (o.status === 'fulfilled' ? [o.value.request.number] : []))).to.deep.equal([1, 2, 3].map(number));
      expect((await ds.getRepository(VerificationRequest).find({ order: { id: 'ASC' } })).map((r) => r.applicantName)).to.deep.equal(['甲', '乙', '丙']);
    });
  });
});
