/**
 * Statements per complaint conversation step (issue 14): the kf worker's pass for one
 * citizen message (sync_msg stored, step, state and replies written), counted at the
 * driver. A bound that fails when someone adds a query per reply or per item.
 */
import { expect } from 'chai';
import { KfHarness, startKfHarness } from '../helpers/kf';
import { QueryCounter } from '../helpers/query-count';
import { GROUND_LABELS, T } from '../../src/complaints/messages';

describe('complaints: statements per conversation step (issue 14)', () => {
  let kh: KfHarness;
  let qc: QueryCounter;
  before(async () => {
    kh = await startKfHarness();
    qc = new QueryCounter(kh.h.sys.dataSource);
  });
  after(async () => {
    qc.detach();
    await kh.close();
  });
  beforeEach(async () => kh.reset());

  /**
   * The citizen writes (the callback is stored by its HTTP request, not counted); then one
   * settle is counted: the inbox item, sync_msg stored, the step with its state and replies,
   * and the replies sent. Each part's empty passes are in the count too.
   */
  async function step(u: string, content: string, menuId?: string): Promise<string[]> {
    await kh.h.emu.kfCustomerSays(kh.kf, u, content, menuId ? { menuId } : undefined);
    qc.start();
    await kh.h.sys.settle();
    const statements = qc.stop();
    await kh.settle();
    return statements;
  }

  /** The first round of the settle: up to the inbox poll of the next (idle) round. */
  function activeRound(statements: string[]): string[] {
    const polls = statements.map((s, i) => (/FROM \W?wecom_inbox\W? \W?i\W? WHERE/i.test(s) ? i : -1)).filter((i) => i >= 0);
    return polls.length > 1 ? statements.slice(0, polls[1]) : statements;
  }

  /** The kf worker's pass: from its first read (queued notices) to the release of its conversation claims. */
  function workerPass(round: string[]): string[] {
    const from = round.findIndex((s) => /FROM complaint_notices WHERE status = 'queued'/.test(s));
    const to = round.findIndex((s, i) => i > from && /^UPDATE \W?kf_conversations\W? SET \W?claimed_by\W? = \?, \W?claimed_until\W? = \?, .*\W?claimed_by\W? = \?$/.test(s));
    expect(from, round.join('\n')).to.be.at.least(0);
    expect(to, round.join('\n')).to.be.above(from);
    return round.slice(from, to + 1);
  }

  const outboxInserts = (statements: string[]) => statements.filter((s) => /^INSERT INTO \W?outbox_messages/i.test(s)).length;
  const conversationStatements = (statements: string[]) => statements.filter((s) => /kf_conversations/i.test(s)).length;

  it('a text answer: the kf worker pass (sync, step, state, one reply) takes at most 25 statements', async () => {
    const u = 'wmCount';
    await kh.say(u, '投诉举报', 'menu_complain');
    const before = kh.sent(u).length;
    const round = activeRound(await step(u, GROUND_LABELS.still_requires_certificate, 'ground_1'));
    expect(kh.sent(u).length).to.equal(before + 1);
    expect(kh.last(u)).to.contain(T.questions.agency);
    const pass = workerPass(round);
    if (process.env.SHOW) console.log(round.join('\n'));
    expect(pass.length, pass.join('\n')).to.be.at.most(25);
    expect(outboxInserts(round), round.join('\n')).to.equal(1);
    // Seen by the sync, found and claimed, read locked, its state written, released: no read-back of the claim.
    expect(conversationStatements(pass), pass.join('\n')).to.be.at.most(6);
  });

  it('a step with two replies writes both in one INSERT, and both are sent', async () => {
    const u = 'wmCount2';
    const said: Array<[string, string | undefined]> = [
      ['投诉举报', 'menu_complain'],
      [GROUND_LABELS.still_requires_certificate, 'ground_1'],
      ['县公安局', undefined],
      ['11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明。', undefined],
      ['希望不再要求提供居住证明，尽快办理。', undefined],
      ['张小三', undefined],
      ['13912345678', undefined],
    ];
    for (const [content, menuId] of said) await kh.say(u, content, menuId);
    const before = kh.sent(u).length;
    const round = activeRound(await step(u, '本人', 'proxy_self'));
    const got = kh.sent(u).slice(before);
    expect(got, JSON.stringify(got)).to.have.length(2);
    expect(outboxInserts(round), round.join('\n')).to.equal(1);
    const pass = workerPass(round);
    expect(pass.length, pass.join('\n')).to.be.at.most(25);
  });
});
