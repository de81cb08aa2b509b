/**
 * WeChat Customer Service runtime (WECOM.md section 6): from kf_msg_or_event to replies.
 * Sync lives in kf-sync.ts, effects in kf-effects.ts; this file handles stored items.
 *
 * 1. The callback handler only records "sync needed" for the open_kfid (with the token) in
 *    the callback's own transaction: no WeCom call there.
 * 2. KfWorker.runOnce() claims an account (one instance at a time), pulls kf/sync_msg from
 *    the stored cursor while has_more == 1 (even past empty pages), and stores each page's
 *    new items together with its next_cursor in one transaction. Items are deduplicated by
 *    msgid and ordered by send_time (ties keep WeCom's list order) within a page.
 * 3. It then handles stored items per (open_kfid, external_userid), in order, each exactly
 *    once: conversation state -> flow.step -> effects (register, status, exemption list,
 *    handoff) -> new state + replies in the outbox, in the transaction that marks it done.
 *    Items of several conversations share one transaction (batchSize) and its batched reads
 *    and writes (kf-chunk.ts); a batch that fails is rolled back whole and its items run one
 *    transaction each.
 */
import { DataSource, EntityManager, In } from 'typeorm';
import { KfConversation, KfInboundMessage } from '../../entities';
import { inTransaction } from '../db/tx';
import { isRetryableLockError } from '../db/errors';
import { q, selectEntities } from '../db/fast-sql';
import { PassLoop } from '../wecom/pass-loop';
import { EnqueueMessage } from '../wecom/outbox';
import type { KfMsgItem, KfSyncMsgRequest, KfSyncMsgResult } from '../wecom/types';
import { WorkingCalendar } from '../calendar';
import type { Logger } from '../logger';
import { ConversationState, Effect, FlowContext, FlowInput, Reply, step } from './flow';
import { VocabularyCache } from './understand-store';
import { REF } from './model';
import { KfWindow, flushNotices, reconcileNotices } from './notify';
import { KfSync, str } from './kf-sync';
import { Env, ExemptionSearch, performEffect } from './kf-effects';
import { ChunkIO, ConvItems, ConvRef } from './kf-chunk';

// The module's index registers the callback handler from here.
export { recordKfSyncRequest } from './kf-sync';

/** The one WeCom call the worker makes (WeComClient has it). */
export interface KfApi {
  kfSyncMsg(req: KfSyncMsgRequest): Promise<KfSyncMsgResult>;
}

export interface KfWorkerDeps {
  dataSource: DataSource;
  api: KfApi;
  calendar: () => Promise<WorkingCalendar>;
  log: Logger;
  now: () => Date;
  instanceId: string;
  office: { chatId: string | null; robotWebhook: string | null; phone?: string | null; hours?: string };
  searchExemptions?: ExemptionSearch;
  /** How long a claim on an account or a conversation holds (default 60 s). */
  claimMs?: number;
  /** Tries before an item that keeps failing is set aside as failed (default 3). */
  maxAttempts?: number;
  /**
   * Chunks (transactions) handled at once (default 4; SQLite serialises anyway). Fewer, larger
   * chunks cost fewer statements per item (a chunk's reads and writes are shared, kf-chunk.ts).
   */
  concurrency?: number;
  /** sync_msg limit (default 1000, WeCom's maximum). */
  pageLimit?: number;
  /** Pages per account per pass; the rest waits for the next pass (default 50). */
  maxPages?: number;
  /** Items (of whole conversations) handled in one transaction (default 16; 1 = one transaction per item). */
  batchSize?: number;
  /** Called after every pass (e.g. to wake the outbox for the replies it queued). */
  afterPass?: (r: KfRunResult) => void;
  /** How often at most the cached units and terms are checked against the database (default 1 s; see VocabularyCache). */
  vocabularyCheckMs?: number;
}

export interface KfRunResult {
  /** Accounts synced. */
  synced: number;
  /** New items stored. */
  stored: number;
  /** Items handled. */
  processed: number;
  /** Queued notices whose outbox row finished. */
  reconciled: number;
}

export class KfWorker {
  private readonly claimMs: number;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly me: string;
  private readonly worker: PassLoop<KfRunResult>;
  private readonly sync: KfSync;
  private readonly vocabulary: VocabularyCache;

  constructor(private readonly deps: KfWorkerDeps) {
    this.vocabulary = new VocabularyCache(deps.dataSource, deps.vocabularyCheckMs);
    this.claimMs = deps.claimMs ?? 60_000;
    this.maxAttempts = deps.maxAttempts ?? 3;
    this.concurrency = Math.max(1, deps.concurrency ?? 4);
    this.batchSize = Math.max(1, deps.batchSize ?? 16);
    this.me = `kf:${deps.instanceId}`.slice(0, 80);
    this.sync = new KfSync(deps, { me: this.me, claimMs: this.claimMs, pageLimit: deps.pageLimit ?? 1000, maxPages: deps.maxPages ?? 50 });
    this.worker = new PassLoop(
      async () => {
        const r = await this.pass();
        this.deps.afterPass?.(r);
        return r;
      },
      (r) => r.synced + r.processed > 0,
      (e) => this.deps.log.error({ err: e.message }, 'kf worker pass failed'),
    );
  }

  /** One pass: follow sent notices, sync every account that asked, handle what was stored. Concurrent calls share one pass. */
  runOnce(): Promise<KfRunResult> {
    return this.worker.runOnce();
  }

  /** Runs passes until stop(): at once again after a pass that did something, else every intervalMs. */
  start(intervalMs = 1000): void {
    this.worker.start(intervalMs);
  }

  /** New work was queued: pass now rather than at the next interval. */
  nudge(): void {
    this.worker.nudge();
  }

  /** Graceful: the pass in flight finishes (its claims are released), no new pass starts. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  private async pass(): Promise<KfRunResult> {
    // A plain read first: most passes have no notice in flight and need no transaction.
    const queued = await this.deps.dataSource.query("SELECT 1 AS x FROM complaint_notices WHERE status = 'queued' LIMIT 1");
    const reconciled = queued.length ? await inTransaction(this.deps.dataSource, (m) => reconcileNotices(m, this.deps.now())) : 0;
    const { synced, stored } = await this.sync.syncAll();
    const processed = await this.processAll();
    return { synced, stored, processed, reconciled };
  }


  // ---------------------------------------------------------------- handling

  private async processAll(): Promise<number> {
    const ds = this.deps.dataSource;
    const m = ds.manager;
    // One read for the pass: the stored items to handle, oldest first, grouped per conversation.
    const rows = await selectEntities(m, KfInboundMessage, `${q(m, 'status')} = ?`, ['new'], `ORDER BY ${q(m, 'id')} ASC LIMIT 1000`);
    if (!rows.length) return 0;
    const byPerson = new Map<string, KfInboundMessage[]>();
    for (const r of rows) {
      const key = `${r.openKfId}\u0000${r.externalUserId}`;
      const list = byPerson.get(key);
      if (list) list.push(r);
      else if (byPerson.size < 500) byPerson.set(key, [r]);
    }
    const mine = await this.claimConversations([...byPerson.values()].map((l) => ({ openKfId: l[0].openKfId, externalUserId: l[0].externalUserId })));
    if (!mine.length) return 0;
    let processed = 0;
    try {
      const vocabulary = await this.vocabulary.get();
      const env: Env = { agencies: vocabulary.agencies, cal: await this.deps.calendar(), tables: vocabulary.tables };
      const lanes = Math.min(this.concurrency, mine.length);
      // Chunks of whole conversations, at most batchSize items each (a conversation with more
      // is a chunk of its own), spread so that every lane has work.
      const size = Math.max(1, Math.min(this.batchSize, Math.ceil(rows.length / lanes)));
      const chunks: ConvItems[][] = [];
      let chunk: ConvItems[] = [];
      let count = 0;
      for (const c of mine) {
        const items = byPerson.get(`${c.openKfId}\u0000${c.externalUserId}`) ?? [];
        if (chunk.length && count + items.length > size) {
          chunks.push(chunk);
          chunk = [];
          count = 0;
        }
        chunk.push({ conv: c, items });
        count += items.length;
      }
      if (chunk.length) chunks.push(chunk);
      let next = 0;
      const lane = async () => {
        while (next < chunks.length) {
          // Not `processed += await ...`: that would read `processed` before the await and lose other lanes' counts.
          const n = await this.processChunk(chunks[next++], env);
          processed += n;
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      await ds
        .createQueryBuilder()
        .update(KfConversation)
        .set({ claimedBy: null, claimedUntil: null })
        .where('id IN (:...ids) AND claimed_by = :me', { ids: mine.map((c) => c.id), me: this.me })
        .execute();
    }
    return processed;
  }

  /** One statement claims every free conversation of the pass (one processor per conversation, across instances). */
  private async claimConversations(people: Array<{ openKfId: string; externalUserId: string }>): Promise<KfConversation[]> {
    const ds = this.deps.dataSource;
    const now = this.deps.now();
    const repo = ds.getRepository(KfConversation);
    const wanted = new Set(people.map((p) => `${p.openKfId}\u0000${p.externalUserId}`));
    const accounts = [...new Set(people.map((p) => p.openKfId))];
    const users = [...new Set(people.map((p) => p.externalUserId))];
    const rows = (await repo.find({ select: { id: true, openKfId: true, externalUserId: true }, where: { openKfId: In(accounts), externalUserId: In(users) } })).filter((r) =>
      wanted.has(`${r.openKfId}\u0000${r.externalUserId}`),
    );
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const claimed = await ds
      .createQueryBuilder()
      .update(KfConversation)
      .set({ claimedBy: this.me, claimedUntil: new Date(now.getTime() + this.claimMs) })
      .where('id IN (:...ids) AND (claimed_until IS NULL OR claimed_until < :now)', { ids, now })
      .execute();
    // Every one claimed (the usual case): no need to read back which.
    const got = claimed.affected === ids.length ? rows : await repo.find({ select: { id: true, openKfId: true, externalUserId: true }, where: { id: In(ids), claimedBy: this.me } });
    const order = new Map(people.map((p, i) => [`${p.openKfId}\u0000${p.externalUserId}`, i]));
    return got.sort((a, b) => (order.get(`${a.openKfId}\u0000${a.externalUserId}`) ?? 0) - (order.get(`${b.openKfId}\u0000${b.externalUserId}`) ?? 0));
  }

  /**
   * Several claimed conversations' items in ONE transaction (each conversation's in order):
   * one commit for the lot instead of one per item, and the reads and writes the items share
   * batched (ChunkIO). Exactly once still holds: every item is marked done in the
   * transaction that carries its effects. If the batch fails for any reason nothing of it
   * was written, and its items are handled again one transaction each (processConversation),
   * which counts attempts and sets a failing item aside.
   */
  private async processChunk(chunk: ConvItems[], env: Env): Promise<number> {
    const items = chunk.reduce((n, c) => n + c.items.length, 0);
    if (items > 1) {
      try {
        await inTransaction(this.deps.dataSource, async (m) => {
          if (!(await this.handleChunk(m, chunk, env, this.deps.now()))) throw new Error('an item of the batch was handled elsewhere');
        });
        return items;
      } catch (e) {
        this.deps.log.debug({ err: (e as Error).message, items }, 'kf batch rolled back; one transaction per item');
      }
    }
    let n = 0;
    for (const c of chunk) n += await this.processConversation(c, env);
    return n;
  }

  /**
   * The stored items of one claimed conversation, oldest first (as read at the start of the
   * pass: what arrived since waits for the next pass, which starts at once after a busy one).
   * An item another instance handled meanwhile is skipped by ChunkIO.open's guard.
   */
  private async processConversation(c: ConvItems, env: Env): Promise<number> {
    let n = 0;
    for (const row of c.items) {
      if ((await this.processMessage(c.conv, row, env)) === 'retry') return n;
      n++;
    }
    return n;
  }

  /** Exactly once: the item is marked done in the same transaction as everything it caused. */
  private async processMessage(conv: ConvRef, row: KfInboundMessage, env: Env): Promise<'done' | 'failed' | 'retry'> {
    const ds = this.deps.dataSource;
    const now = this.deps.now();
    try {
      await inTransaction(ds, (m) => this.handleChunk(m, [{ conv, items: [row] }], env, now));
      return 'done';
    } catch (e) {
      // A deadlock or lock wait is the database's problem, not the item's: try again, uncounted.
      if (isRetryableLockError(e)) return 'retry';
      const attempts = row.attempts + 1;
      const failed = attempts >= this.maxAttempts;
      const message = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);
      await ds.getRepository(KfInboundMessage).update({ id: row.id, status: 'new' }, { attempts, lastError: message, status: failed ? 'failed' : 'new' });
      row.attempts = attempts;
      this.deps.log.error({ kfMessageId: row.id, attempts, err: message }, failed ? 'kf message failed for good' : 'kf message failed; will retry');
      return failed ? 'failed' : 'retry';
    }
  }

  /**
   * The chunk's items inside the caller's transaction: marked done there, each with
   * everything it causes, then the replies of all of them in one INSERT. false (nothing
   * done) when an item was handled elsewhere meanwhile.
   */
  private async handleChunk(m: EntityManager, chunk: ConvItems[], env: Env, now: Date): Promise<boolean> {
    const io = await ChunkIO.open(m, chunk, env.cal, now);
    if (!io) return false;
    for (const c of chunk) {
      const conv = await io.conversation(c.conv);
      for (const row of c.items) await this.handle(m, conv, row, env, now, io);
    }
    await io.flush();
    return true;
  }

  private async handle(m: EntityManager, conv: KfConversation, row: KfInboundMessage, env: Env, now: Date, io: ChunkIO): Promise<void> {
    const item = JSON.parse(row.payload) as KfMsgItem;
    // The flow's clock is when the citizen wrote (silence and expiry are measured between messages).
    const at = row.sendTime.getTime() > 0 ? row.sendTime : now;
    // The send window, counted here and written back once: the row is ours for the transaction.
    const window = new KfWindow(conv.lastCustomerAt, conv.sentSince);
    let input: FlowInput | null = null;
    let welcomeCode: string | null = null;
    if (row.origin === 3) {
      window.open(at);
      // Art. 10: what waited for the window goes first, before the conversation's reply.
      const pending = io.pendingNotices(conv);
      if (pending.length) {
        await io.flush();
        await flushNotices(m, pending, now, () => window.take(now));
      }
      if (item.msgtype === 'text') {
        const menuId = str(item.text?.menu_id);
        input = { type: 'text', content: str(item.text?.content), ...(menuId ? { menuId } : {}) };
      } else {
        input = { type: 'non_text', msgtype: row.msgtype };
      }
    } else if (row.origin === 4 && item.event?.event_type === 'enter_session') {
      input = { type: 'enter_session' };
      welcomeCode = str(item.event.welcome_code) || null;
    } else if (row.origin === 4 && item.event?.event_type === 'user_recall_msg') {
      input = { type: 'recall' };
    }

    let state = parseState(conv.state);
    const replies: Reply[] = [];
    if (input) {
      const o = this.deps.office;
      const ctx: FlowContext = {
        agencies: env.agencies,
        aliases: env.tables.aliases,
        synonyms: env.tables.synonyms,
        office: { channel: !!(o.chatId || o.robotWebhook), phone: o.phone ?? undefined, hours: o.hours },
        cases: input.type === 'text' ? await io.casesOf(conv.externalUserId) : [],
      };
      const first = step(state, input, at, ctx);
      state = first.state;
      replies.push(...first.replies);
      const queue: Effect[] = [...first.effects];
      // What an effect queues comes after the replies of the items before this one.
      if (queue.length) await io.flush();
      for (let i = 0; queue.length && i < 8; i++) {
        const effect = queue.shift() as Effect;
        const done = await performEffect(this.deps, m, effect, conv, row, env, now);
        const next = step(state, done.result, at, ctx);
        state = next.state;
        replies.push(...next.replies, ...done.after);
        queue.push(...next.effects);
        // It may have registered a case: the citizen's next text reads their cases again.
        io.forgetCases(conv.externalUserId);
      }
    }

    // The replies in order, written with the chunk's one INSERT (ChunkIO).
    const out: EnqueueMessage[] = [];
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i] as Reply & Record<string, unknown>;
      if (welcomeCode && i === 0) {
        // enter_session: the one message send_msg_on_event allows (20 s, single use).
        out.push({ channel: 'kf_event', payload: { code: welcomeCode, ...reply }, refType: REF.reply, refId: String(row.id), now });
        continue;
      }
      if (!window.take(now)) {
        this.deps.log.warn({ kfMessageId: row.id, left: replies.length - i }, 'kf window closed: reply not sent');
        break;
      }
      // No dedupe key needed: this item is handled once, and the outbox sends each row once.
      out.push({ channel: 'kf', payload: { touser: conv.externalUserId, open_kfid: conv.openKfId, ...reply }, refType: REF.reply, refId: String(row.id), now });
    }
    io.queue(out);
    // The row is ours for the transaction: the next item of the chunk starts from this state.
    io.setState(conv, {
      state: state ? JSON.stringify(state) : null,
      expiresAt: state ? new Date(state.expiresAt) : null,
      lastCustomerAt: window.lastCustomerAt,
      sentSince: window.sentSince,
      updatedAt: now,
    });
  }
}

export function parseState(raw: string | null): ConversationState | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as ConversationState;
  } catch {
    return null;
  }
}
