/**
 * Sync from WeCom (WECOM.md section 6): the callback records "sync needed" for an account;
 * the worker then pulls kf/sync_msg from the stored cursor under a claim and stores each
 * page's new items with its next_cursor in one transaction.
 */
import { EntityManager, In } from 'typeorm';
import { KfConversation, KfInboundMessage, KfSyncCursor } from '../../entities';
import { inTransaction, isSqlite, isUniqueViolation } from '../db/tx';
import { changeRows, insertRows, q, sqlValue } from '../db/fast-sql';
import { WeComError } from '../wecom/errors';
import type { KfMsgItem, KfSyncMsgResult } from '../wecom/types';
import type { Logger } from '../logger';
import type { KfWorkerDeps } from './kf-runtime';

/** The callback token is valid for 10 minutes (WECOM.md section 6); after that we sync without it. */
export const KF_TOKEN_TTL_MS = 10 * 60_000;
/**
 * WeCom may drop a kf_msg_or_event callback (DOC 90930), so every known account is also
 * pulled without a token (WeCom allows that at a lower rate) once this long has passed
 * since its last sync or callback.
 */
export const KF_PULL_EVERY_MS = 60_000;
const KF_ID_RE = /^[0-9A-Za-z_\-@.]{1,64}$/;
const HANDLED_EVENTS = new Set(['enter_session', 'user_recall_msg']);

/**
 * The dispatcher's kf handler: "sync needed" for this account, in the callback's
 * transaction. A callback naming no usable OpenKfId is logged and ignored. `known`: the
 * accounts whose row this process has seen (rows are never deleted), whose callbacks need
 * only the UPDATE.
 */
export async function recordKfSyncRequest(m: EntityManager, e: { openKfId: string; token: string }, now: Date, log: Logger, known?: Set<string>): Promise<boolean> {
  const kf = (e.openKfId ?? '').trim();
  if (!KF_ID_RE.test(kf)) {
    log.warn({ openKfId: kf.slice(0, 64) }, 'kf callback without a usable OpenKfId ignored');
    return false;
  }
  const token = e.token && e.token.length <= 256 ? e.token : null;
  const update = () =>
    changeRows(
      m,
      `UPDATE ${q(m, 'kf_sync_cursors')} SET ${q(m, 'requested')} = ${q(m, 'requested')} + 1, ${q(m, 'updated_at')} = ?${token ? `, ${q(m, 'token')} = ?, ${q(m, 'token_at')} = ?` : ''} WHERE ${q(m, 'open_kfid')} = ?`,
      token ? [at(m, now), token, at(m, now), kf] : [at(m, now), kf],
    );
  if (known?.has(kf)) {
    if ((await update()) === 1) return true;
    // The row is gone after all (a test wiped the table): write it here, in this transaction
    // (which holds the gap now, MySQL), then the request.
    known.delete(kf);
    try {
      await m.createQueryBuilder().insert().into(KfSyncCursor).values(newCursor(kf, now)).updateEntity(false).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    await update();
    return true;
  }
  // A plain read (no lock) first: an UPDATE of a missing row would take a gap lock (MySQL),
  // and then neither the insert below nor another first callback could get in.
  const exists = await m.query(`SELECT 1 AS x FROM ${q(m, 'kf_sync_cursors')} WHERE ${q(m, 'open_kfid')} = ?`, [kf]);
  if (!exists.length) {
    // The account's row is created outside the callback's transaction (MySQL): two first
    // callbacks racing on the gap would deadlock.
    const outside = isSqlite(m.connection) ? m : m.connection.manager;
    try {
      await outside
        .createQueryBuilder()
        .insert()
        .into(KfSyncCursor)
        .values(newCursor(kf, now))
        .updateEntity(false)
        .execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  await update();
  known?.add(kf);
  return true;
}

function newCursor(openKfId: string, now: Date): Partial<KfSyncCursor> {
  return { openKfId, cursor: null, token: null, tokenAt: null, requested: 0, synced: 0, claimedBy: null, claimedUntil: null, lastError: null, updatedAt: now };
}

function at(m: EntityManager, d: Date): unknown {
  return sqlValue(m, KfSyncCursor, 'updatedAt', d);
}

export interface StoredItem {
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

export function str(v: unknown): string {
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

export interface KfSyncOptions {
  me: string;
  claimMs: number;
  pageLimit: number;
  maxPages: number;
  /** The periodic pull's interval per account (default KF_PULL_EVERY_MS). */
  pullEveryMs?: number;
  /** After a failed sync the account waits min(base * 2^(failures-1), cap), plus up to 10% (defaults 5 s, 5 min). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
}

/**
 * Pulls every account that asked for a sync, under a claim per account. A sync that fails
 * (WeCom busy, -1 or 45009, our IP refused, 60020, the database) is not tried again at
 * once: the account's claimed_until, with no claimer, holds it back for a delay that
 * doubles with each failure in a row, for every instance.
 */
export class KfSync {
  /** Failures in a row per account in this instance (back to zero after a sync that completes). */
  private readonly failures = new Map<string, number>();

  constructor(private readonly deps: KfWorkerDeps, private readonly opts: KfSyncOptions) {}

  /** The wait after the n-th failure in a row. */
  backoffMs(n: number): number {
    const base = this.opts.backoffBaseMs ?? 5_000;
    const delay = Math.min(base * 2 ** Math.min(30, Math.max(0, n - 1)), this.opts.backoffCapMs ?? 5 * 60_000);
    return delay + Math.floor((this.opts.random ?? Math.random)() * delay * 0.1);
  }

  async syncAll(): Promise<{ synced: number; stored: number }> {
    const now = this.deps.now();
    const stale = this.staleBefore(now);
    const due = await this.deps.dataSource
      .getRepository(KfSyncCursor)
      .createQueryBuilder('c')
      .where('(c.requested > c.synced OR c.updated_at < :stale) AND (c.claimed_until IS NULL OR c.claimed_until < :now)', { now, stale })
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

  private staleBefore(now: Date): Date {
    return new Date(now.getTime() - (this.opts.pullEveryMs ?? KF_PULL_EVERY_MS));
  }

  /** Syncs one account under a claim; null when another instance has it. */
  private async syncAccount(openKfId: string): Promise<number | null> {
    const ds = this.deps.dataSource;
    const now = this.deps.now();
    const claim = await ds
      .createQueryBuilder()
      .update(KfSyncCursor)
      .set({ claimedBy: this.opts.me, claimedUntil: new Date(now.getTime() + this.opts.claimMs) })
      .where('open_kfid = :k AND (requested > synced OR updated_at < :stale) AND (claimed_until IS NULL OR claimed_until < :now)', { k: openKfId, now, stale: this.staleBefore(now) })
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
    let released = false;
    try {
      for (let page = 0; page < this.opts.maxPages; page++) {
        let res: KfSyncMsgResult;
        try {
          res = await this.deps.api.kfSyncMsg({ cursor, token, limit: this.opts.pageLimit, open_kfid: openKfId });
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
        // The last page releases the claim in its own transaction (no statement after it).
        const last = Number(res.has_more) !== 1;
        const n = await this.storePage(openKfId, res, last ? row.requested : null);
        stored += n;
        cursor = res.next_cursor || cursor;
        if (last) {
          done = true;
          released = true;
          break;
        }
      }
    } catch (e) {
      lastError = (e instanceof Error ? e.message : String(e)).slice(0, 500);
      log.warn({ err: lastError }, e instanceof ClaimLost ? 'kf sync claim lost' : 'kf sync failed; will retry');
    } finally {
      if (released) this.failures.delete(openKfId);
      else await this.release(openKfId, done ? row.requested : null, lastError);
    }
    return stored;
  }

  /** The claim released after a sync that did not end with its last page stored: synced when done, else held back after a failure. */
  private async release(openKfId: string, synced: number | null, lastError: string | null): Promise<void> {
    const log = this.deps.log.child({ openKfId });
    const at = this.deps.now();
    const values: Record<string, unknown> = { claimedBy: null, claimedUntil: null, lastError, updatedAt: at };
    if (synced !== null) {
      values.synced = synced;
      this.failures.delete(openKfId);
    } else if (lastError !== null) {
      const n = (this.failures.get(openKfId) ?? 0) + 1;
      this.failures.set(openKfId, n);
      const wait = this.backoffMs(n);
      values.claimedUntil = new Date(at.getTime() + wait);
      log.warn({ failures: n, retryInMs: wait }, 'kf sync backs off');
    }
    await this.deps.dataSource
      .createQueryBuilder()
      .update(KfSyncCursor)
      .set(values)
      .where('open_kfid = :k AND claimed_by = :me', { k: openKfId, me: this.opts.me })
      .execute();
  }

  /**
   * One page: its new items and its next_cursor, in one transaction. `synced` (the last
   * page): the account is marked synced up to that request count and its claim released
   * in the same statement.
   */
  private async storePage(openKfId: string, res: KfSyncMsgResult, synced: number | null): Promise<number> {
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
        .set({
          cursor: res.next_cursor ? String(res.next_cursor).slice(0, 128) : null,
          updatedAt: now,
          ...(synced === null ? {} : { synced, claimedBy: null, claimedUntil: null, lastError: null }),
        })
        .where('open_kfid = :k AND claimed_by = :me', { k: openKfId, me: this.opts.me })
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
      const missing = part.filter((p) => !have.has(`${p.openKfId}\u0000${p.externalUserId}`));
      if (!missing.length) continue;
      try {
        // One INSERT for everyone new; a row a racing twin wrote meanwhile sends us row by row.
        await insertRows(m, KfConversation, missing.map((p) => ({ openKfId: p.openKfId, externalUserId: p.externalUserId, state: null, expiresAt: null, lastCustomerAt: null, sentSince: 0, claimedBy: null, claimedUntil: null, createdAt: now, updatedAt: now })));
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        for (const p of missing) await ensureConversation(m, p.openKfId, p.externalUserId, now);
      }
    }
  }
}

/** The person's conversation row, created when missing (a racing twin's row stands). */
export async function ensureConversation(m: EntityManager, openKfId: string, externalUserId: string, now: Date): Promise<void> {
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
