/**
 * WeChat Customer Service runtime (WECOM.md section 6): from kf_msg_or_event to replies.
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
 *    Items of several conversations share one transaction (batchSize) to save commits; a
 *    batch that fails is rolled back whole and its items run one transaction each.
 */
import crypto from 'crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { Complaint, KfConversation, KfInboundMessage, KfSyncCursor, Unit } from '../../entities';
import { AppError } from '../errors';
import { inTransaction, isSqlite, isUniqueViolation } from '../db/tx';
import { isLockConflict } from './tx-retry';
import { PassLoop } from '../wecom/pass-loop';
import { enqueue } from '../wecom/outbox';
import { WeComError } from '../wecom/errors';
import type { KfMsgItem, KfSyncMsgRequest, KfSyncMsgResult } from '../wecom/types';
import { WorkingCalendar, formatInZone } from '../calendar';
import type { Logger } from '../logger';
import { searchPublished } from '../exemptions/lookup';
import { Agency, ConversationState, Effect, EffectResultInput, ExemptionItem, FlowInput, Reply, step } from './flow';
import { CITIZEN, OFFICE, STATUS_SUMMARY } from './lifecycle-messages';
import { registerComplaint } from './lifecycle';
import { REF, RejectionGround, TerminationGround, isOpen } from './model';
import { KfWindow, flushPendingNotices, kfText, reconcileNotices, textToOffice } from './notify';

/** The one WeCom call the worker makes (WeComClient has it). */
export interface KfApi {
  kfSyncMsg(req: KfSyncMsgRequest): Promise<KfSyncMsgResult>;
}

export type ExemptionSearch = (m: EntityManager, q: string) => Promise<ExemptionItem[]>;

export interface KfWorkerDeps {
  dataSource: DataSource;
  api: KfApi;
  calendar: () => Promise<WorkingCalendar>;
  log: Logger;
  now: () => Date;
  instanceId: string;
  office: { chatId: string | null; robotWebhook: string | null };
  searchExemptions?: ExemptionSearch;
  /** How long a claim on an account or a conversation holds (default 60 s). */
  claimMs?: number;
  /** Tries before an item that keeps failing is set aside as failed (default 3). */
  maxAttempts?: number;
  /** Conversations handled at once (default 8; SQLite serialises anyway). */
  concurrency?: number;
  /** sync_msg limit (default 1000, WeCom's maximum). */
  pageLimit?: number;
  /** Pages per account per pass; the rest waits for the next pass (default 50). */
  maxPages?: number;
  /** Items (of whole conversations) handled in one transaction (default 8; 1 = one transaction per item). */
  batchSize?: number;
  /** Called after every pass (e.g. to wake the outbox for the replies it queued). */
  afterPass?: (r: KfRunResult) => void;
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

/** The callback token is valid for 10 minutes (WECOM.md section 6); after that we sync without it. */
export const KF_TOKEN_TTL_MS = 10 * 60_000;
const KF_ID_RE = /^[0-9A-Za-z_\-@.]{1,64}$/;
const HANDLED_EVENTS = new Set(['enter_session', 'user_recall_msg']);

/**
 * The dispatcher's kf handler: "sync needed" for this account, in the callback's
 * transaction. A callback naming no usable OpenKfId is logged and ignored.
 */
export async function recordKfSyncRequest(m: EntityManager, e: { openKfId: string; token: string }, now: Date, log: Logger): Promise<boolean> {
  const kf = (e.openKfId ?? '').trim();
  if (!KF_ID_RE.test(kf)) {
    log.warn({ openKfId: kf.slice(0, 64) }, 'kf callback without a usable OpenKfId ignored');
    return false;
  }
  const token = e.token && e.token.length <= 256 ? e.token : null;
  const set: Partial<Record<keyof KfSyncCursor, unknown>> = { requested: () => 'requested + 1', updatedAt: now };
  if (token) Object.assign(set, { token, tokenAt: now });
  // A plain read (no lock) first: an UPDATE of a missing row would take a gap lock (MySQL),
  // and then neither the insert below nor another first callback could get in.
  const exists = await m.query('SELECT 1 AS x FROM kf_sync_cursors WHERE open_kfid = ?', [kf]);
  if (!exists.length) {
    // The account's row is created outside the callback's transaction (MySQL): two first
    // callbacks racing on the gap would deadlock.
    const outside = isSqlite(m.connection) ? m : m.connection.manager;
    try {
      await outside
        .createQueryBuilder()
        .insert()
        .into(KfSyncCursor)
        .values({ openKfId: kf, cursor: null, token: null, tokenAt: null, requested: 0, synced: 0, claimedBy: null, claimedUntil: null, lastError: null, updatedAt: now })
        .updateEntity(false)
        .execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  await m.createQueryBuilder().update(KfSyncCursor).set(set as any).where('open_kfid = :k', { k: kf }).execute();
  return true;
}

interface StoredItem {
  msgid: string;
  openKfId: string;
  externalUserId: string;
  sendTime: Date;
  origin: number;
  msgtype: string;
  eventType: string | null;
  recallMsgid: string | null;
  payload: string;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A msg_list item in the shape we store; null for an item without a usable msgid. */
export function normaliseItem(item: KfMsgItem, syncing: string): StoredItem | null {
  const msgid = str(item?.msgid);
  if (!msgid || msgid.length > 128) return null;
  const ev = item.event && typeof item.event === 'object' ? item.event : undefined;
  const seconds = Number(item.send_time);
  return {
    msgid,
    openKfId: (str(item.open_kfid) || str(ev?.open_kfid) || syncing).slice(0, 64),
    externalUserId: (str(item.external_userid) || str(ev?.external_userid)).slice(0, 64),
    sendTime: new Date(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0),
    origin: Number(item.origin) || 0,
    msgtype: str(item.msgtype).slice(0, 30) || 'unknown',
    eventType: ev ? str(ev.event_type) || null : null,
    recallMsgid: ev ? str(ev.recall_msgid) || null : null,
    payload: JSON.stringify(item),
  };
}

/**
 * Out-of-order items: by send_time; within one second WeCom's own list order stands (its
 * msgids are random, so ordering ties by msgid would shuffle a quick "menu, then answer").
 * A msgid delivered twice in one page is kept once.
 */
export function orderBatch(items: StoredItem[]): StoredItem[] {
  const seen = new Set<string>();
  return items
    .map((item, pos) => ({ item, pos }))
    .sort((a, b) => a.item.sendTime.getTime() - b.item.sendTime.getTime() || a.pos - b.pos)
    .map((x) => x.item)
    .filter((i) => (seen.has(i.msgid) ? false : (seen.add(i.msgid), true)));
}

function initialStatus(i: StoredItem): KfInboundMessage['status'] {
  if (!i.externalUserId) return 'ignored';
  if (i.origin === 3) return 'new';
  if (i.origin === 4 && i.eventType && HANDLED_EVENTS.has(i.eventType)) return 'new';
  return 'ignored';
}

class ClaimLost extends Error {}

export class KfWorker {
  private readonly claimMs: number;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly pageLimit: number;
  private readonly maxPages: number;
  private readonly batchSize: number;
  private readonly me: string;
  private readonly worker: PassLoop<KfRunResult>;

  constructor(private readonly deps: KfWorkerDeps) {
    this.claimMs = deps.claimMs ?? 60_000;
    this.maxAttempts = deps.maxAttempts ?? 3;
    this.concurrency = Math.max(1, deps.concurrency ?? 8);
    this.pageLimit = deps.pageLimit ?? 1000;
    this.maxPages = deps.maxPages ?? 50;
    this.batchSize = Math.max(1, deps.batchSize ?? 8);
    this.me = `kf:${deps.instanceId}`.slice(0, 80);
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
    const { synced, stored } = await this.syncAll();
    const processed = await this.processAll();
    return { synced, stored, processed, reconciled };
  }

  // ---------------------------------------------------------------- sync

  private async syncAll(): Promise<{ synced: number; stored: number }> {
    const now = this.deps.now();
    const due = await this.deps.dataSource
      .getRepository(KfSyncCursor)
      .createQueryBuilder('c')
      .where('c.requested > c.synced AND (c.claimed_until IS NULL OR c.claimed_until < :now)', { now })
      .orderBy('c.updated_at', 'ASC')
      .limit(50)
      .getMany();
    let synced = 0;
    let stored = 0;
    for (const c of due) {
      const r = await this.syncAccount(c.openKfId);
      if (r !== null) {
        synced++;
        stored += r;
      }
    }
    return { synced, stored };
  }

  /** Syncs one account under a claim; null when another instance has it. */
  private async syncAccount(openKfId: string): Promise<number | null> {
    const ds = this.deps.dataSource;
    const now = this.deps.now();
    const claim = await ds
      .createQueryBuilder()
      .update(KfSyncCursor)
      .set({ claimedBy: this.me, claimedUntil: new Date(now.getTime() + this.claimMs) })
      .where('open_kfid = :k AND requested > synced AND (claimed_until IS NULL OR claimed_until < :now)', { k: openKfId, now })
      .execute();
    if (!claim.affected) return null;
    const row = await ds.getRepository(KfSyncCursor).findOneByOrFail({ openKfId });
    const log = this.deps.log.child({ openKfId });
    let cursor = row.cursor ?? undefined;
    let token = row.token && row.tokenAt && now.getTime() - row.tokenAt.getTime() < KF_TOKEN_TTL_MS ? row.token : undefined;
    let stored = 0;
    let done = false;
    let lastError: string | null = null;
    let cursorReset = false;
    try {
      for (let page = 0; page < this.maxPages; page++) {
        let res: KfSyncMsgResult;
        try {
          res = await this.deps.api.kfSyncMsg({ cursor, token, limit: this.pageLimit, open_kfid: openKfId });
        } catch (e) {
          if (e instanceof WeComError && e.errcode === 95007 && token) {
            // The callback token expired: sync_msg works without one (at a stricter rate).
            token = undefined;
            page--;
            continue;
          }
          if (e instanceof WeComError && e.errcode === 50100 && cursor && !cursorReset) {
            // The cursor is no longer valid: start over; msgid dedupe drops what we already hold.
            log.warn({}, 'kf cursor refused; syncing from the start');
            cursor = undefined;
            cursorReset = true;
            page--;
            continue;
          }
          if (e instanceof WeComError && e.errcode === 95000) {
            // Not one of our accounts (or deleted): ignore this callback, never loop on it.
            log.warn({ errcode: e.errcode }, 'kf sync for an unknown open_kfid ignored');
            lastError = `unknown open_kfid (errcode ${e.errcode})`;
            done = true;
            break;
          }
          throw e;
        }
        const n = await this.storePage(openKfId, res);
        stored += n;
        cursor = res.next_cursor || cursor;
        if (Number(res.has_more) !== 1) {
          done = true;
          break;
        }
      }
    } catch (e) {
      lastError = (e instanceof Error ? e.message : String(e)).slice(0, 500);
      log.warn({ err: lastError }, e instanceof ClaimLost ? 'kf sync claim lost' : 'kf sync failed; will retry');
    } finally {
      const values: Record<string, unknown> = { claimedBy: null, claimedUntil: null, lastError, updatedAt: this.deps.now() };
      if (done) values.synced = row.requested;
      await ds
        .createQueryBuilder()
        .update(KfSyncCursor)
        .set(values)
        .where('open_kfid = :k AND claimed_by = :me', { k: openKfId, me: this.me })
        .execute();
    }
    return stored;
  }

  /** One page: its new items and its next_cursor, in one transaction. */
  private async storePage(openKfId: string, res: KfSyncMsgResult): Promise<number> {
    const raw = Array.isArray(res.msg_list) ? res.msg_list : [];
    const items = orderBatch(raw.map((i) => normaliseItem(i, openKfId)).filter((i): i is StoredItem => i !== null));
    const now = this.deps.now();
    return inTransaction(this.deps.dataSource, async (m) => {
      const known = new Set<string>();
      for (let i = 0; i < items.length; i += 500) {
        const ids = items.slice(i, i + 500).map((x) => x.msgid);
        for (const r of await m.find(KfInboundMessage, { select: { msgid: true }, where: { msgid: In(ids) } })) known.add(r.msgid);
      }
      const fresh = items.filter((i) => !known.has(i.msgid));
      const status = new Map(fresh.map((i) => [i.msgid, initialStatus(i)]));
      // A message withdrawn before we handled it is never answered.
      for (const r of fresh.filter((i) => i.eventType === 'user_recall_msg' && i.recallMsgid)) {
        const target = r.recallMsgid as string;
        if (status.get(target) === 'new') status.set(target, 'recalled');
        else if (!status.has(target)) {
          const stored = await m.findOne(KfInboundMessage, { select: { id: true, status: true }, where: { msgid: target } });
          if (stored?.status === 'new') {
            await m.createQueryBuilder().update(KfInboundMessage).set({ status: 'recalled', processedAt: now }).where('id = :id AND status = :s', { id: stored.id, s: 'new' }).execute();
          }
        }
      }
      const rows = fresh.map((i) => ({
        msgid: i.msgid,
        openKfId: i.openKfId,
        externalUserId: i.externalUserId,
        sendTime: i.sendTime,
        origin: i.origin,
        msgtype: i.msgtype,
        payload: i.payload,
        status: status.get(i.msgid) as KfInboundMessage['status'],
        attempts: 0,
        receivedAt: now,
        processedAt: null,
        lastError: null,
      }));
      // updateEntity(false): no re-read of the defaults just written (TypeORM would SELECT them back on MySQL).
      for (let i = 0; i < rows.length; i += 100) await m.createQueryBuilder().insert().into(KfInboundMessage).values(rows.slice(i, i + 100)).updateEntity(false).execute();
      const people = new Map<string, { openKfId: string; externalUserId: string }>();
      for (const r of rows) if (r.status === 'new') people.set(`${r.openKfId}\u0000${r.externalUserId}`, { openKfId: r.openKfId, externalUserId: r.externalUserId });
      await this.ensureConversations(m, [...people.values()], now);
      const moved = await m
        .createQueryBuilder()
        .update(KfSyncCursor)
        .set({ cursor: res.next_cursor ? String(res.next_cursor).slice(0, 128) : null, updatedAt: now })
        .where('open_kfid = :k AND claimed_by = :me', { k: openKfId, me: this.me })
        .execute();
      if (moved.affected !== 1) throw new ClaimLost(`claim on ${openKfId} lost; page discarded`);
      return rows.length;
    });
  }

  /** ensureConversation for everyone a page names: one read for all, inserts only for the new ones. */
  private async ensureConversations(m: EntityManager, people: Array<{ openKfId: string; externalUserId: string }>, now: Date): Promise<void> {
    for (let i = 0; i < people.length; i += 200) {
      const part = people.slice(i, i + 200);
      const have = new Set(
        (await m.find(KfConversation, { select: { openKfId: true, externalUserId: true }, where: { openKfId: In([...new Set(part.map((p) => p.openKfId))]), externalUserId: In(part.map((p) => p.externalUserId)) } })).map(
          (c) => `${c.openKfId}\u0000${c.externalUserId}`,
        ),
      );
      for (const p of part) if (!have.has(`${p.openKfId}\u0000${p.externalUserId}`)) await this.ensureConversation(m, p.openKfId, p.externalUserId, now);
    }
  }

  private async ensureConversation(m: EntityManager, openKfId: string, externalUserId: string, now: Date): Promise<void> {
    if (await m.findOne(KfConversation, { select: { id: true }, where: { openKfId, externalUserId } })) return;
    try {
      await m
        .createQueryBuilder()
        .insert()
        .into(KfConversation)
        .values({ openKfId, externalUserId, state: null, expiresAt: null, lastCustomerAt: null, sentSince: 0, claimedBy: null, claimedUntil: null, createdAt: now, updatedAt: now })
        .updateEntity(false)
        .execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }

  // ---------------------------------------------------------------- handling

  private async processAll(): Promise<number> {
    const ds = this.deps.dataSource;
    // One read for the pass: the stored items to handle, oldest first, grouped per conversation.
    const rows = await ds.getRepository(KfInboundMessage).find({ where: { status: 'new' }, order: { id: 'ASC' }, take: 1000 });
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
      const env = { agencies: await this.agencies(), cal: await this.deps.calendar() };
      const lanes = Math.min(this.concurrency, mine.length);
      // Chunks of whole conversations, at most batchSize items each (a conversation with more
      // is a chunk of its own), spread so that every lane has work.
      const size = Math.max(1, Math.min(this.batchSize, Math.ceil(rows.length / lanes)));
      const chunks: KfInboundMessage[][][] = [];
      let chunk: KfInboundMessage[][] = [];
      let count = 0;
      for (const c of mine) {
        const items = byPerson.get(`${c.openKfId}\u0000${c.externalUserId}`) ?? [];
        if (chunk.length && count + items.length > size) {
          chunks.push(chunk);
          chunk = [];
          count = 0;
        }
        chunk.push(items);
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
    await ds
      .createQueryBuilder()
      .update(KfConversation)
      .set({ claimedBy: this.me, claimedUntil: new Date(now.getTime() + this.claimMs) })
      .where('id IN (:...ids) AND (claimed_until IS NULL OR claimed_until < :now)', { ids, now })
      .execute();
    const got = await repo.find({ select: { id: true, openKfId: true, externalUserId: true }, where: { id: In(ids), claimedBy: this.me } });
    const order = new Map(people.map((p, i) => [`${p.openKfId}\u0000${p.externalUserId}`, i]));
    return got.sort((a, b) => (order.get(`${a.openKfId}\u0000${a.externalUserId}`) ?? 0) - (order.get(`${b.openKfId}\u0000${b.externalUserId}`) ?? 0));
  }

  private async agencies(): Promise<Agency[]> {
    const units = await this.deps.dataSource.getRepository(Unit).find({ select: { code: true, name: true }, order: { code: 'ASC' } });
    return units.map((u) => ({ code: u.code, name: u.name }));
  }

  /**
   * Several claimed conversations' items in ONE transaction (each conversation's in order):
   * one commit for the lot instead of one per item. Exactly once still holds: every item is
   * marked done in the transaction that carries its effects. If the batch fails for any
   * reason nothing of it was written, and its items are handled again one transaction each
   * (processConversation), which counts attempts and sets a failing item aside.
   */
  private async processChunk(convs: KfInboundMessage[][], env: Env): Promise<number> {
    const items = convs.flat();
    if (items.length > 1) {
      try {
        await inTransaction(this.deps.dataSource, async (m) => {
          for (const row of items) await this.handleItem(m, row, env, this.deps.now());
        });
        return items.length;
      } catch (e) {
        this.deps.log.debug({ err: (e as Error).message, items: items.length }, 'kf batch rolled back; one transaction per item');
      }
    }
    let n = 0;
    for (const rows of convs) n += await this.processConversation(rows, env);
    return n;
  }

  /**
   * The stored items of one claimed conversation, oldest first (as read at the start of the
   * pass: what arrived since waits for the next pass, which starts at once after a busy one).
   * An item another instance handled meanwhile is skipped by processMessage's guard.
   */
  private async processConversation(batch: KfInboundMessage[], env: Env): Promise<number> {
    let n = 0;
    for (const row of batch) {
      if ((await this.processMessage(row, env)) === 'retry') return n;
      n++;
    }
    return n;
  }

  /** Exactly once: the item is marked done in the same transaction as everything it caused. */
  private async processMessage(row: KfInboundMessage, env: Env): Promise<'done' | 'failed' | 'retry'> {
    const ds = this.deps.dataSource;
    const now = this.deps.now();
    try {
      await inTransaction(ds, (m) => this.handleItem(m, row, env, now));
      return 'done';
    } catch (e) {
      // A deadlock or lock wait is the database's problem, not the item's: try again, uncounted.
      if (isLockConflict(e)) return 'retry';
      const attempts = row.attempts + 1;
      const failed = attempts >= this.maxAttempts;
      const message = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);
      await ds.getRepository(KfInboundMessage).update({ id: row.id, status: 'new' }, { attempts, lastError: message, status: failed ? 'failed' : 'new' });
      row.attempts = attempts;
      this.deps.log.error({ kfMessageId: row.id, attempts, err: message }, failed ? 'kf message failed for good' : 'kf message failed; will retry');
      return failed ? 'failed' : 'retry';
    }
  }

  /** One item inside the caller's transaction: marked done there, with everything it causes. */
  private async handleItem(m: EntityManager, row: KfInboundMessage, env: Env, now: Date): Promise<void> {
    const ds = this.deps.dataSource;
    const mark = await m
      .createQueryBuilder()
      .update(KfInboundMessage)
      .set({ status: 'done', processedAt: now, attempts: row.attempts + 1 })
      .where('id = :id AND status = :s', { id: row.id, s: 'new' })
      .execute();
    if (mark.affected !== 1) return;
    // Locked for the transaction (MySQL): a lifecycle notice taking a window slot waits for us.
    const find = () => {
      const qb = m.getRepository(KfConversation).createQueryBuilder('c').where('c.open_kfid = :k AND c.external_userid = :u', { k: row.openKfId, u: row.externalUserId });
      return (isSqlite(ds) ? qb : qb.setLock('pessimistic_write')).getOne();
    };
    let conv = await find();
    if (!conv) {
      await this.ensureConversation(m, row.openKfId, row.externalUserId, now);
      conv = (await find()) as KfConversation;
    }
    await this.handle(m, conv, row, env, now);
  }

  private async handle(m: EntityManager, conv: KfConversation, row: KfInboundMessage, env: Env, now: Date): Promise<void> {
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
      await flushPendingNotices(m, conv.openKfId, conv.externalUserId, now, () => window.take(now));
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
      const ctx = { agencies: env.agencies };
      const first = step(state, input, at, ctx);
      state = first.state;
      replies.push(...first.replies);
      const queue: Effect[] = [...first.effects];
      for (let i = 0; queue.length && i < 8; i++) {
        const effect = queue.shift() as Effect;
        const done = await this.perform(m, effect, conv, row, env, now);
        const next = step(state, done.result, at, ctx);
        state = next.state;
        replies.push(...next.replies, ...done.after);
        queue.push(...next.effects);
      }
    }

    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i] as Reply & Record<string, unknown>;
      if (welcomeCode && i === 0) {
        // enter_session: the one message send_msg_on_event allows (20 s, single use).
        await enqueue(m, { channel: 'kf_event', payload: { code: welcomeCode, ...reply }, refType: REF.reply, refId: String(row.id), now });
        continue;
      }
      if (!window.take(now)) {
        this.deps.log.warn({ kfMessageId: row.id, left: replies.length - i }, 'kf window closed: reply not sent');
        break;
      }
      // No dedupe key needed: this item is handled once, and the outbox sends each row once.
      await enqueue(m, { channel: 'kf', payload: { touser: conv.externalUserId, open_kfid: conv.openKfId, ...reply }, refType: REF.reply, refId: String(row.id), now });
    }
    await m.update(
      KfConversation,
      { id: conv.id },
      {
        state: state ? JSON.stringify(state) : null,
        expiresAt: state ? new Date(state.expiresAt) : null,
        lastCustomerAt: window.lastCustomerAt,
        sentSince: window.sentSince,
        updatedAt: now,
      },
    );
  }

  private async perform(m: EntityManager, effect: Effect, conv: KfConversation, row: KfInboundMessage, env: Env, now: Date): Promise<{ result: EffectResultInput; after: Reply[] }> {
    switch (effect.kind) {
      case 'file_complaint': {
        const d = effect.draft;
        const agencyCode = d.agencyCode && (await m.findOne(Unit, { select: { code: true }, where: { code: d.agencyCode } })) ? d.agencyCode : null;
        try {
          const res = await registerComplaint(
            m,
            {
              channel: 'kf',
              ground: d.ground,
              agencyCode,
              agencyName: d.agencyText,
              facts: d.facts,
              request: d.request,
              name: d.name,
              phone: d.phone,
              isProxy: d.proxy.isProxy,
              principalName: d.proxy.principalName ?? null,
              receivedAt: row.sendTime.getTime() > 0 ? row.sendTime : now,
              receivedBy: `kf:${conv.openKfId}`,
              openKfId: conv.openKfId,
              externalUserId: conv.externalUserId,
              sourceKey: draftKey(conv, effect.draftId, d),
            },
            { cal: env.cal, now, actor: { by: 'citizen', name: `kf:${conv.externalUserId}` } },
          );
          const after = res.original ? [kfText(CITIZEN.linked(res.complaint.number, res.original.number))] : [];
          return { result: { type: 'effect_result', kind: 'file_complaint', ok: true, number: res.complaint.number }, after };
        } catch (e) {
          // Refused before anything was written (validation): the citizen keeps the draft.
          if (e instanceof AppError && e.status < 500 && e.code !== 'conflict') {
            this.deps.log.warn({ kfMessageId: row.id, code: e.code }, 'chat complaint refused');
            return { result: { type: 'effect_result', kind: 'file_complaint', ok: false, reason: e.code }, after: [] };
          }
          throw e;
        }
      }
      case 'query_status': {
        // Only the citizen who filed it hears anything; "not yours" and "no such case" read the same.
        const c = await m.findOneBy(Complaint, { number: effect.number, externalUserId: conv.externalUserId });
        if (!c) return { result: { type: 'effect_result', kind: 'query_status', found: false }, after: [] };
        return { result: { type: 'effect_result', kind: 'query_status', found: true, status: c.status, summary: await statusSummary(m, c, env.cal) }, after: [] };
      }
      case 'query_exemption': {
        try {
          const items = await (this.deps.searchExemptions ?? defaultExemptionSearch)(m, effect.q);
          return { result: { type: 'effect_result', kind: 'query_exemption', items }, after: [] };
        } catch (e) {
          this.deps.log.warn({ err: (e as Error).message }, 'exemption search failed');
          return { result: { type: 'effect_result', kind: 'query_exemption', ok: false }, after: [] };
        }
      }
      case 'handoff': {
        const open = await m.find(Complaint, { select: { number: true, status: true }, where: { externalUserId: conv.externalUserId }, order: { id: 'DESC' }, take: 5 });
        const numbers = open.filter((c) => isOpen(c.status)).map((c) => c.number);
        const who = `…${conv.externalUserId.slice(-6)}`;
        await textToOffice(m, this.deps.office, OFFICE.handoff(conv.openKfId, who, numbers.length ? numbers.join('、') : null), now, `kf:${row.id}`);
        return { result: { type: 'effect_result', kind: 'handoff', ok: true }, after: [] };
      }
    }
  }
}

interface Env {
  agencies: Agency[];
  cal: WorkingCalendar;
}

/**
 * Idempotency key of a chat submission: the draft (flow's draftId) and a digest of what it
 * says, so a resubmitted draft registers once and two drafts begun in the same second do not merge.
 */
export function draftKey(conv: { openKfId: string; externalUserId: string }, draftId: string, draft: object): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(draft)).digest('base64url').slice(0, 16);
  return `kf:${conv.openKfId}:${conv.externalUserId}:${draftId}:${digest}`.slice(0, 190);
}

export function parseState(raw: string | null): ConversationState | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as ConversationState;
  } catch {
    return null;
  }
}

/** The published exemption list: what the chat's "is a certificate still required?" finds. */
export const defaultExemptionSearch: ExemptionSearch = async (m, q) => {
  const rows = await searchPublished(m, q, 6);
  return rows.map((r) => ({ serviceItem: r.serviceItem, certificate: r.certificate, method: r.method, issuerUnit: r.issuerUnit.name }));
};

/** The "办理情况" line of a status answer. */
export async function statusSummary(m: EntityManager, c: Complaint, cal: WorkingCalendar): Promise<string> {
  if (c.duplicateOf !== null) {
    const original = await m.findOne(Complaint, { select: { number: true }, where: { id: c.duplicateOf } });
    if (original) return STATUS_SUMMARY.linked(original.number);
  }
  switch (c.status) {
    case 'accepted':
      return c.dueAt ? STATUS_SUMMARY.accepted(formatInZone(cal, c.dueAt)) : STATUS_SUMMARY.registered;
    case 'extended':
      return c.dueAt ? STATUS_SUMMARY.extended(formatInZone(cal, c.dueAt)) : STATUS_SUMMARY.registered;
    case 'resolved':
      return STATUS_SUMMARY.resolved(c.result ?? '');
    case 'rejected':
      return STATUS_SUMMARY.rejected(c.closingGround as RejectionGround, c.closingReason);
    case 'terminated':
      return STATUS_SUMMARY.terminated(c.closingGround as TerminationGround, c.closingReason);
    default:
      return STATUS_SUMMARY.registered;
  }
}
