/**
 * Statements per complaint conversation step (issue 14): the kf worker's pass for one
 * citizen message (sync_msg stored, step, state and replies written), counted at the
 * driver. A bound that fails when someone adds a query per reply or per item.
 */
import { expect } from 'chai';
import { KfHarness, startKfHarness } from '../helpers/kf';
import { QueryCounter } from '../helpers/query-count';
import { GROUND_LABELS, T } from '../../src/complaints/messages';
import { In } from 'typeorm';
import { InboxEvent, KfSyncCursor } from '../../entities';
import { dedupeKeyOf, kindOf } from '../../src/wecom/callback';
import { senderKeyOf } from '../../src/wecom/inbox';

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

  it('a text answer: the kf worker pass (sync, step, state, one reply) takes at most 23 statements', async () => {
    const u = 'wmCount';
    await kh.say(u, '投诉举报', 'menu_complain');
    const before = kh.sent(u).length;
    const round = activeRound(await step(u, GROUND_LABELS.still_requires_certificate, 'ground_1'));
    expect(kh.sent(u).length).to.equal(before + 1);
    expect(kh.last(u)).to.contain(T.questions.agency);
    const pass = workerPass(round);
    // 22 (25 before issue 14's batching), and a probe of the cached units and terms when a
    // second has passed (VocabularyCache).
    expect(pass.length, pass.join('\n')).to.be.at.most(23);
    expect(outboxInserts(round), round.join('\n')).to.equal(1);
    // Seen by the sync, found and claimed, read locked, its state written, released: no read-back of the claim.
    expect(conversationStatements(pass), pass.join('\n')).to.be.at.most(6);
  });

  it('twelve citizens at once: one kf pass, a fixed handful of statements per chunk and none per item', async () => {
    const people = Array.from({ length: 12 }, (_, i) => `wmMany${i}`);
    // Each message stored (callback, inbox), then one pass of this worker handles all twelve.
    const round = async (content: string, menuId: string) => {
      for (const u of people) await kh.h.emu.kfCustomerSays(kh.kf, u, content, { menuId });
      await kh.h.sys.inbox.drain();
      return kh.worker.runOnce();
    };
    expect((await round('投诉举报', 'menu_complain')).processed).to.equal(12);
    await kh.settle();
    const before = new Map(people.map((u) => [u, kh.sent(u).length]));
    qc.start();
    const r = await round(GROUND_LABELS.still_requires_certificate, 'ground_1');
    const all = qc.stop();
    expect(r.processed).to.equal(12);
    const pass = workerPass(all);
    await kh.settle();
    for (const u of people) {
      expect(kh.sent(u).length, u).to.equal((before.get(u) ?? 0) + 1);
      expect(kh.last(u), u).to.contain(T.questions.agency);
    }
    if (process.env.SHOW_STATEMENTS) console.log(pass.length, '\n' + pass.join('\n'));
    // Four lanes, chunks of three: each chunk marks, locks and reads once, writes its replies and states once.
    const count = (re: RegExp) => pass.filter((x) => re.test(x)).length;
    expect(count(/^INSERT INTO \W?outbox_messages/), pass.join('\n')).to.equal(4);
    expect(count(/^UPDATE \W?kf_conversations\W? SET \W?state/), pass.join('\n')).to.equal(4);
    expect(count(/^UPDATE \W?kf_inbound_messages/), pass.join('\n')).to.equal(4);
    expect(count(/FROM \W?complaints\W?/), pass.join('\n')).to.equal(4);
    // The units and terms are not read again (at most a probe of their counts, VocabularyCache).
    expect(count(/^SELECT \W?code\W?, \W?name\W? FROM \W?units|FROM \W?understanding_terms\W? ORDER BY/), pass.join('\n')).to.equal(0);
    // The sync (10 with the queued-notice check), reading and claiming the conversations (3),
    // four chunks of 8, the release: 46, and a probe of the cached units and terms when a
    // second has passed. Before the chunk batching the same pass took 101.
    expect(pass.length, pass.join('\n')).to.be.at.most(47);
  });

  it('kf callbacks of one account queued together: one transaction and one sync request for the lot, with the newest token', async () => {
    const inbox = kh.h.sys.inbox;
    const cbs = Array.from({ length: 6 }, (_, i) => {
      const fields = { ToUserName: 'wwcorp', CreateTime: String(1764120000 + i), MsgType: 'event', Event: 'kf_msg_or_event', Token: `token${i}`, OpenKfId: kh.kf };
      return { fields, kind: kindOf(fields), dedupeKey: dedupeKeyOf(fields) };
    });
    const stored = await Promise.all(cbs.map((cb) => inbox.accept(cb)));
    qc.start();
    // As the callback route does after each 200: the first waits for company (the coalescing
    // window), so all six share its transaction.
    stored.forEach((st, i) => inbox.schedule(st.id, senderKeyOf(cbs[i].fields, st.id)));
    await inbox.drain();
    const statements = qc.stop();
    const count = (re: RegExp) => statements.filter((x) => re.test(x)).length;
    expect(count(/^(START TRANSACTION|BEGIN)/), statements.join('\n')).to.equal(1);
    expect(count(/^UPDATE \W?kf_sync_cursors/), statements.join('\n')).to.equal(1);
    const cursor = await kh.h.sys.dataSource.getRepository(KfSyncCursor).findOneByOrFail({ openKfId: kh.kf });
    expect(cursor.token).to.equal('token5');
    expect(cursor.requested).to.equal(1);
    const rows = await kh.h.sys.dataSource.getRepository(InboxEvent).findBy({ id: In(stored.map((st) => st.id)) });
    expect(rows.map((r) => [r.status, r.attempts])).to.deep.equal(Array(6).fill(['done', 1]));
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
    expect(pass.length, pass.join('\n')).to.be.at.most(23);
  });
});
