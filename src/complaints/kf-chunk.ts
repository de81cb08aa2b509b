/**
 * What the kf worker reads and writes for one chunk (the items of several claimed
 * conversations, handled in one transaction), batched so that the chunk costs a fixed
 * number of statements instead of six per item:
 * - the items are marked done in one UPDATE;
 * - the conversations are read, and locked (MySQL), in one SELECT;
 * - their pending notices, and their citizens' recent cases, in one SELECT each;
 * - the replies of every item go out in one multi-row INSERT, and the conversations' new
 *   states in one UPDATE, at the end of the chunk, or earlier, before anything else is
 *   queued or done (a notice, an effect): the outbox keeps the order in which the items
 *   were handled, and an effect reads the conversations as the items before it left them.
 * Everything stays in the chunk's transaction: exactly once holds as for a single item.
 */
import { EntityManager } from 'typeorm';
import { Complaint, ComplaintNotice, KfConversation, KfInboundMessage } from '../../entities';
import { isSqlite } from '../db/tx';
import { changeRows, hydrate, placeholders, q, selectEntities, sqlValue } from '../db/fast-sql';
import { EnqueueMessage, enqueueMany } from '../wecom/outbox';
import { WorkingCalendar } from '../calendar';
import type { CaseRef } from './flow';
import { CASE_COLUMNS, caseRefOf, citizenCases } from './kf-effects';
import { ensureConversation } from './kf-sync';

/** A conversation claimed for the pass. */
export type ConvRef = Pick<KfConversation, 'id' | 'openKfId' | 'externalUserId'>;

/** One claimed conversation and its stored items of the pass, oldest first. */
export interface ConvItems {
  conv: ConvRef;
  items: KfInboundMessage[];
}

/** How many cases of a citizen the flow sees (newest first), as citizenCases reads them. */
const CASES = 10;

/** What a handled item leaves in its conversation's row. */
export type ConvState = Pick<KfConversation, 'state' | 'expiresAt' | 'lastCustomerAt' | 'sentSince' | 'updatedAt'>;
const STATE_COLUMNS: Array<[keyof ConvState, string]> = [
  ['state', 'state'],
  ['expiresAt', 'expires_at'],
  ['lastCustomerAt', 'last_customer_at'],
  ['sentSince', 'sent_since'],
  ['updatedAt', 'updated_at'],
];

export class ChunkIO {
  private readonly outbox: EnqueueMessage[] = [];
  /** New states not written yet, per conversation id, with how many items wrote them (the version moves by as many). */
  private readonly states = new Map<number, { values: ConvState; writes: number }>();
  private readonly cases = new Map<string, CaseRef[]>();

  private constructor(
    private readonly m: EntityManager,
    private readonly cal: WorkingCalendar,
    private readonly now: Date,
    private readonly locked: Map<number, KfConversation>,
    private readonly notices: ComplaintNotice[],
  ) {}

  /**
   * Marks the chunk's items done and reads what they need. null when some item was handled
   * elsewhere meanwhile (its claim expired): with one item, nothing is to be done; with
   * several, the caller rolls back and handles them one transaction each.
   */
  static async open(m: EntityManager, chunk: ConvItems[], cal: WorkingCalendar, now: Date): Promise<ChunkIO | null> {
    const items = chunk.flatMap((c) => c.items);
    const marked = await changeRows(
      m,
      `UPDATE ${q(m, 'kf_inbound_messages')} SET ${q(m, 'status')} = 'done', ${q(m, 'processed_at')} = ?, ${q(m, 'attempts')} = ${q(m, 'attempts')} + 1 WHERE ${q(m, 'id')} IN (${placeholders(items.length)}) AND ${q(m, 'status')} = 'new'`,
      [sqlValue(m, KfInboundMessage, 'processedAt', now), ...items.map((i) => i.id)],
    );
    if (marked !== items.length) return null;
    // Locked for the transaction (MySQL): a lifecycle notice taking a window slot waits for us.
    const ids = chunk.map((c) => c.conv.id);
    const convs = await selectEntities(m, KfConversation, `${q(m, 'id')} IN (${placeholders(ids.length)})`, ids, `ORDER BY ${q(m, 'id')}${isSqlite(m.connection) ? '' : ' FOR UPDATE'}`);
    // Pending notices go out when the citizen writes (origin 3); only then are they read.
    const writing = chunk.filter((c) => c.items.some((i) => i.origin === 3));
    const notices = writing.length ? await pendingNotices(m, writing.map((c) => c.conv)) : [];
    const io = new ChunkIO(m, cal, now, new Map(convs.map((c) => [c.id, c])), notices);
    // The flow sees the citizen's cases at every text.
    const texting = writing.filter((c) => c.items.some((i) => i.origin === 3 && i.msgtype === 'text')).map((c) => c.conv.externalUserId);
    await io.readCases([...new Set(texting)]);
    return io;
  }

  /** The conversation's row, read with the chunk (created again if it vanished since the claim). */
  async conversation(ref: ConvRef): Promise<KfConversation> {
    const have = this.locked.get(ref.id);
    if (have && have.openKfId === ref.openKfId && have.externalUserId === ref.externalUserId) return have;
    const find = () => {
      const qb = this.m.getRepository(KfConversation).createQueryBuilder('c').where('c.open_kfid = :k AND c.external_userid = :u', { k: ref.openKfId, u: ref.externalUserId });
      return (isSqlite(this.m.connection) ? qb : qb.setLock('pessimistic_write')).getOne();
    };
    let conv = await find();
    if (!conv) {
      await ensureConversation(this.m, ref.openKfId, ref.externalUserId, this.now);
      conv = (await find()) as KfConversation;
    }
    this.locked.set(conv.id, conv);
    return conv;
  }

  /** The conversation's notices still pending, oldest first (a queued one is marked so in memory). */
  pendingNotices(conv: ConvRef): ComplaintNotice[] {
    return this.notices.filter((n) => n.status === 'pending' && n.openKfId === conv.openKfId && n.externalUserId === conv.externalUserId);
  }

  /** The citizen's cases as citizenCases reads them, newest first. */
  async casesOf(externalUserId: string): Promise<CaseRef[]> {
    let cases = this.cases.get(externalUserId);
    if (!cases) this.cases.set(externalUserId, (cases = await citizenCases(this.m, externalUserId, this.cal)));
    return cases;
  }

  /**
   * An effect ran for this citizen (it may have registered a case for them): their cases are
   * read again when next needed. An effect changes no other citizen's cases as the flow sees
   * them (number, status, agency, due, closed): linking a duplicate changes neither.
   */
  forgetCases(externalUserId: string): void {
    this.cases.delete(externalUserId);
  }

  /** Replies to write with the chunk's INSERT. */
  queue(out: EnqueueMessage[]): void {
    this.outbox.push(...out);
  }

  /** The conversation's new state, written with the chunk's UPDATE; the row in memory (what the next item starts from) has it at once. */
  setState(conv: KfConversation, values: ConvState): void {
    Object.assign(conv, values, { version: conv.version + 1 });
    const had = this.states.get(conv.id);
    this.states.set(conv.id, { values, writes: (had?.writes ?? 0) + 1 });
  }

  /** Writes the queued replies and the new states now (before anything else is queued or done, and at the end of the chunk). */
  async flush(): Promise<void> {
    if (this.outbox.length) await enqueueMany(this.m, this.outbox.splice(0));
    if (!this.states.size) return;
    const m = this.m;
    const staged = [...this.states];
    this.states.clear();
    const v = (s: ConvState, p: keyof ConvState) => sqlValue(m, KfConversation, p, s[p]);
    const id = q(m, 'id');
    if (staged.length === 1) {
      const [[convId, { values, writes }]] = staged;
      await m.query(
        `UPDATE ${q(m, 'kf_conversations')} SET ${STATE_COLUMNS.map(([, c]) => `${q(m, c)} = ?`).join(', ')}, ${q(m, 'version')} = ${q(m, 'version')} + ? WHERE ${id} = ?`,
        [...STATE_COLUMNS.map(([p]) => v(values, p)), writes, convId],
      );
      return;
    }
    // Several conversations: one UPDATE, each column chosen per row by its id.
    const params: unknown[] = [];
    const cases = (value: (s: { values: ConvState; writes: number }) => unknown) => {
      for (const [convId, s] of staged) params.push(convId, value(s));
      return `CASE ${id}${' WHEN ? THEN ?'.repeat(staged.length)} END`;
    };
    const sets = STATE_COLUMNS.map(([p, c]) => `${q(m, c)} = ${cases((s) => v(s.values, p))}`);
    sets.push(`${q(m, 'version')} = ${q(m, 'version')} + ${cases((s) => s.writes)}`);
    await m.query(`UPDATE ${q(m, 'kf_conversations')} SET ${sets.join(', ')} WHERE ${id} IN (${placeholders(staged.length)})`, [...params, ...staged.map(([convId]) => convId)]);
  }

  /** One statement for several citizens: each one's newest cases, as citizenCases reads them. */
  private async readCases(users: string[]): Promise<void> {
    if (!users.length) return;
    if (users.length === 1) {
      await this.casesOf(users[0]);
      return;
    }
    const m = this.m;
    const cols = [...CASE_COLUMNS, 'external_userid'].map((c) => q(m, c)).join(', ');
    const one = (i: number) => `SELECT * FROM (SELECT ${cols} FROM ${q(m, 'complaints')} WHERE ${q(m, 'external_userid')} = ? ORDER BY ${q(m, 'id')} DESC LIMIT ${CASES}) ${q(m, `c${i}`)}`;
    const rows = hydrate(m, Complaint, await m.query(users.map((_, i) => one(i)).join(' UNION ALL '), users));
    for (const u of users) this.cases.set(u, []);
    // Each part comes out newest first; UNION ALL keeps no order between parts, so sort per citizen.
    const byUser = new Map<string, Complaint[]>();
    for (const c of rows) {
      const list = byUser.get(c.externalUserId as string) ?? [];
      list.push(c);
      byUser.set(c.externalUserId as string, list);
    }
    for (const [u, list] of byUser) this.cases.set(u, list.sort((a, b) => b.id - a.id).map((c) => caseRefOf(c, this.cal)));
  }
}

/** The pending notices of these conversations, oldest first, in one statement. */
async function pendingNotices(m: EntityManager, convs: ConvRef[]): Promise<ComplaintNotice[]> {
  const byAccount = new Map<string, string[]>();
  for (const c of convs) byAccount.set(c.openKfId, [...(byAccount.get(c.openKfId) ?? []), c.externalUserId]);
  const parts: string[] = [];
  const params: unknown[] = ['pending'];
  for (const [kf, users] of byAccount) {
    parts.push(`(${q(m, 'open_kfid')} = ? AND ${q(m, 'external_userid')} IN (${placeholders(users.length)}))`);
    params.push(kf, ...users);
  }
  return selectEntities(m, ComplaintNotice, `${q(m, 'status')} = ? AND (${parts.join(' OR ')})`, params, `ORDER BY ${q(m, 'id')} ASC`);
}
