import { DataSource, EntityManager, In } from 'typeorm';
import { OutboxMessage } from '../../../entities/OutboxMessage';
import { claimLock, inTransaction, isSqlite, sqliteSerial } from '../../db/tx';
import { isRetryableLockError } from '../../db/errors';
import type { WeComLogger } from '../types';

/**
 * The dispatcher's claims on outbox rows: taking due rows (and rows of a crashed claimer),
 * renewing them while a pass sends, and taking back at start what an earlier run under the
 * same instance id left claimed.
 */
export interface ClaimContext {
  ds: DataSource;
  instanceId: string;
  batchSize: number;
  claimMs: number;
  now: () => Date;
  logger?: WeComLogger;
  /** One write, queued on SQLite (src/db/tx.ts). */
  write: <T>(fn: (m: EntityManager) => Promise<T>) => Promise<T>;
}

/** Claims a batch: rows of a crashed claimer first, then due rows, each for claimMs. */
export async function claimDue(c: ClaimContext, now: Date): Promise<OutboxMessage[]> {
  const until = new Date(now.getTime() + c.claimMs);
  if (isSqlite(c.ds)) return claimSqlite(c, now, until);
  try {
    return await claimMysql(c, now, until);
  } catch (e) {
    // Should not happen under READ COMMITTED; a pass that lost a deadlock just claims nothing.
    if (!isRetryableLockError(e)) throw e;
    c.logger?.warn({}, 'outbox claim lost a deadlock; next pass retries');
    return [];
  }
}

/**
 * MySQL/MariaDB: FOR UPDATE SKIP LOCKED in a READ COMMITTED transaction. Under REPEATABLE
 * READ the range scans also take gap locks, and two claimers moving rows into the
 * 'sending' range of ix_outbox_due then deadlock on each other's gaps.
 */
function claimMysql(c: ClaimContext, now: Date, until: Date): Promise<OutboxMessage[]> {
  return c.ds.transaction('READ COMMITTED', async (m) => {
    const qb = () => m.getRepository(OutboxMessage).createQueryBuilder('o');
    // Rows of a crashed claimer first, then due rows; each query walks ix_outbox_due.
    const stale = await claimLock(
      qb().where('o.status = :s AND o.claimed_until < :now', { s: 'sending', now }).orderBy('o.next_attempt_at', 'ASC').addOrderBy('o.id', 'ASC').limit(c.batchSize),
      c.ds,
    ).getMany();
    const room = c.batchSize - stale.length;
    const picked = room > 0 ? await laneFairDue(m, now, room) : [];
    const due = picked.length ? await claimLock(qb().where('o.id IN (:...ids) AND o.status = :p AND o.next_attempt_at <= :now', { ids: picked, p: 'pending', now }), c.ds).getMany() : [];
    // Another instance locked some of the picks first: fill up in due order instead of idling.
    if (due.length < picked.length) {
      const more = qb().where('o.status = :p AND o.next_attempt_at <= :now', { p: 'pending', now });
      if (due.length) more.andWhere('o.id NOT IN (:...got)', { got: due.map((r) => r.id) });
      due.push(...(await claimLock(more.orderBy('o.next_attempt_at', 'ASC').addOrderBy('o.id', 'ASC').limit(room - due.length), c.ds).getMany()));
    }
    due.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
    const rows = [...stale, ...due];
    if (!rows.length) return rows;
    await m
      .createQueryBuilder()
      .update(OutboxMessage)
      .set({ status: 'sending', claimedBy: c.instanceId, claimedUntil: until, attempts: () => 'attempts + 1' })
      .whereInIds(rows.map((r) => r.id))
      .execute();
    for (const r of rows) {
      r.status = 'sending';
      r.claimedBy = c.instanceId;
      r.claimedUntil = until;
      r.attempts += 1;
      r.version += 1;
    }
    return rows;
  });
}

/**
 * Due rows taken lane by lane: each recipient's oldest row first, then each one's second,
 * and so on, so a burst to a few members never fills a batch ahead of another member's
 * card. Rows with no pacing key are lanes of their own. Read without locks; the caller
 * locks what is still due (another instance may have taken some meanwhile).
 */
const LANE_ORDER_SQL = (concat: (a: string, b: string) => string) =>
  `ROW_NUMBER() OVER (PARTITION BY CASE WHEN recipients = '' THEN ${concat("'#'", 'id')} ELSE recipients END ORDER BY next_attempt_at, id)`;

async function laneFairDue(m: EntityManager, now: Date, limit: number): Promise<number[]> {
  const rows: Array<{ id: number | string }> = await m.query(
    `SELECT id FROM (SELECT id, next_attempt_at, ${LANE_ORDER_SQL((a, b) => `CONCAT(${a}, ${b})`)} AS rn
       FROM outbox_messages WHERE status = 'pending' AND next_attempt_at <= ?) t
     ORDER BY rn, next_attempt_at, id LIMIT ?`,
    [now, limit],
  );
  return rows.map((r) => Number(r.id));
}

/** SQLite: one atomic UPDATE ... RETURNING, so no read-then-write upgrade can fail. */
async function claimSqlite(c: ClaimContext, now: Date, until: Date): Promise<OutboxMessage[]> {
  const [sql, params] = c.ds.driver.escapeQueryWithParameters(
    `UPDATE "outbox_messages" SET "status" = 'sending', "claimed_by" = :me, "claimed_until" = :until,
       "attempts" = "attempts" + 1, "version" = "version" + 1
     WHERE "id" IN (SELECT "id" FROM (SELECT "id", "status", "next_attempt_at", ${LANE_ORDER_SQL((a, b) => `${a} || ${b}`)} AS rn FROM "outbox_messages"
       WHERE ("status" = 'sending' AND "claimed_until" < :now) OR ("status" = 'pending' AND "next_attempt_at" <= :now))
       ORDER BY CASE WHEN "status" = 'sending' THEN 0 ELSE 1 END, rn, "next_attempt_at", "id" LIMIT :limit)
     RETURNING "id"`,
    { me: c.instanceId, until, now, limit: c.batchSize },
  );
  const ids = await sqliteSerial(c.ds, () => inTransaction(c.ds, async (m) => (await m.query(sql, params)) as Array<{ id: number }>));
  if (!ids.length) return [];
  const rows = await c.ds.getRepository(OutboxMessage).findBy({ id: In(ids.map((r) => r.id)) });
  return rows.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
}

/**
 * Every third of the claim period, pushes out the claims this pass still holds (rows in
 * flight or waiting their turn), so a slow send never lets another dispatcher take a row
 * we are sending. The version is left as it is: our guarded writes stay valid.
 */
export function renewWhileSending(c: ClaimContext, rows: OutboxMessage[]): { stop(): void } {
  if (!rows.length) return { stop: () => undefined };
  let busy = false;
  const timer = setInterval(() => {
    const open = rows.filter((r) => r.status === 'sending' && r.claimedBy === c.instanceId);
    if (busy || !open.length) return;
    busy = true;
    const until = new Date(c.now().getTime() + c.claimMs);
    c.write((m) =>
      m
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ claimedUntil: until, version: () => 'version' } as any)
        .where('id IN (:...ids) AND status = :s AND claimed_by = :me', { ids: open.map((r) => r.id), s: 'sending', me: c.instanceId })
        .execute(),
    )
      .then(() => open.forEach((r) => r.status === 'sending' && (r.claimedUntil = until)))
      .catch((e) => c.logger?.warn({ err: (e as Error).message }, 'outbox claim renewal failed'))
      .finally(() => (busy = false));
  }, Math.max(50, Math.floor(c.claimMs / 3)));
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}

/** Rows 'sending' under our id from an earlier run: their claims end now, and the stale-claim path takes them (as tried before). */
export async function expireOwnClaims(c: ClaimContext, now: Date): Promise<number> {
  const res = await c.write((m) =>
    m
      .createQueryBuilder()
      .update(OutboxMessage)
      .set({ claimedUntil: new Date(now.getTime() - 1000) })
      .where('status = :s AND claimed_by = :me AND claimed_until >= :now', { s: 'sending', me: c.instanceId, now })
      .execute(),
  );
  return res.affected ?? 0;
}
