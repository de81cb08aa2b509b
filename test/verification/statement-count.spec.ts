/**
 * Statements per request creation through the API (issue 14): a bound that fails when
 * someone adds a query per recipient, per card or per event, or a read that could be batched.
 * Counted at the driver (every statement, START TRANSACTION and COMMIT included).
 */
import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { cardOf } from '../helpers/inbox';
import { QueryCounter } from '../helpers/query-count';
import { OutboxMessage, VerificationEvent, VerificationRecipient } from '../../entities';

describe('verification: statements per request creation (issue 14)', () => {
  const env = directoryHarness(DirectoryMother.standard());
  let h: Harness;
  let api: Api;
  let qc: QueryCounter;
  beforeEach(async () => {
    h = env.h;
    api = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    qc = new QueryCounter(h.sys.dataSource);
  });
  afterEach(() => qc.detach());

  async function created(headers: Record<string, string> = {}): Promise<{ id: number; statements: string[] }> {
    qc.start();
    const res = await api.post('/verifications', VerificationMother.body(), headers);
    const statements = qc.stop();
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { id: res.body.id, statements };
  }

  it('one read for units, staff, template; the day counter; one INSERT each for the request, recipients, events and cards: 8 statements in all', async () => {
    await created(); // the first of the day creates the daily counter row
    const { id, statements } = await created();
    const outboxInserts = statements.filter((s) => /^INSERT INTO \W?outbox_messages/i.test(s));
    const reads = QueryCounter.work(statements).filter((s) => /^SELECT/i.test(s));
    expect(outboxInserts, statements.join('\n')).to.have.length(1);
    expect(reads, statements.join('\n')).to.have.length(1);
    expect(statements.length, statements.join('\n')).to.be.at.most(8);
    // The work is all there: two recipients (liaison, deputy A), their events and cards.
    const ds = h.sys.dataSource;
    expect(await ds.getRepository(VerificationRecipient).countBy({ requestId: id })).to.equal(2);
    expect((await ds.getRepository(VerificationEvent).findBy({ requestId: id })).map((e) => e.type).sort()).to.deep.equal(['created', 'notified']);
    expect(await ds.getRepository(OutboxMessage).countBy({ refType: 'verification_card' })).to.equal(4);
    await h.sys.settle();
    expect(cardOf(h, 'gaj.liaison', id), 'liaison card').to.exist;
    expect(cardOf(h, 'gaj.a', id), 'deputy A card').to.exist;
  });

  it('with an Idempotency-Key: three statements more (look-up, key row, stored answer)', async () => {
    await created();
    const { statements } = await created({ 'Idempotency-Key': 'count-1' });
    expect(statements.length, statements.join('\n')).to.be.at.most(11);
    qc.start();
    const again = await api.post('/verifications', VerificationMother.body(), { 'Idempotency-Key': 'count-1' });
    const replay = qc.stop();
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(replay.length, replay.join('\n')).to.equal(1);
  });
});
