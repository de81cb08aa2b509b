import { In } from 'typeorm';
import { DeadlineTracker, SchedulerState, VerificationRequest } from '../../entities';
import { inTransaction, isSqlite, isUniqueViolation } from '../db/tx';
import { DeadlineDeps, isOpen } from './deps';
import type { Line } from '../scheduler';

export const CURSOR_KEY = 'cursor.verification_requests';
/**
 * An id missing below a newer request may belong to a transaction not committed yet; once
 * the newer request is this old, the gap is taken as a rollback and the cursor passes it.
 */
export const GAP_GRACE_MS = 5 * 60_000;

export interface DiscoverOptions {
  batch?: number;
  rounds?: number;
}

/**
 * Starts a deadline tracker for every new verification request (the verification module
 * knows nothing of the scheduler). Reads `id > cursor` on the primary key, so each sweep
 * costs what was created since the last one. The cursor row is locked with SKIP LOCKED:
 * one instance discovers at a time, the others skip this step.
 */
export async function discoverRequests(d: DeadlineDeps, now: Date, opts: DiscoverOptions = {}): Promise<Line[]> {
  const batch = opts.batch ?? 1000;
  const rounds = opts.rounds ?? 5;
  const ds = d.dataSource;
  if (!(await ds.getRepository(SchedulerState).findOneBy({ key: CURSOR_KEY }))) {
    try {
      await inTransaction(ds, (m) => m.getRepository(SchedulerState).insert({ key: CURSOR_KEY, value: '0', updatedAt: now, updatedBy: null }));
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  try {
    return await scan(d, now, batch, rounds);
  } catch (e) {
    // A tracker created meanwhile by an office order: the next sweep scans again.
    if (isUniqueViolation(e)) return [{ action: 'discover_conflict' }];
    throw e;
  }
}

async function scan(d: DeadlineDeps, now: Date, batch: number, rounds: number): Promise<Line[]> {
  const ds = d.dataSource;
  return inTransaction(ds, async (m) => {
    const qb = m.getRepository(SchedulerState).createQueryBuilder('s').where('s.key = :k', { k: CURSOR_KEY });
    if (!isSqlite(ds)) qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    const row = await qb.getOne();
    if (!row) return [];
    let cursor = Number(row.value) || 0;
    let scanFrom = cursor;
    let contiguous = true;
    let tracked = 0;
    let seen = 0;
    for (let round = 0; round < rounds; round++) {
      const rows = await m
        .getRepository(VerificationRequest)
        .createQueryBuilder('r')
        .select(['r.id', 'r.status', 'r.dueAt', 'r.closedAt', 'r.createdAt'])
        .where('r.id > :c', { c: scanFrom })
        .orderBy('r.id', 'ASC')
        .limit(batch)
        .getMany();
      if (!rows.length) break;
      seen += rows.length;
      const ids = rows.map((r) => r.id);
      const existing = new Set((await m.getRepository(DeadlineTracker).find({ where: { requestId: In(ids) }, select: { requestId: true } })).map((t) => t.requestId));
      // Open requests are tracked; a closed one only if it closed late (it still makes a case).
      const fresh = rows.filter((r) => !existing.has(r.id) && (isOpen(r) || (r.closedAt !== null && r.closedAt.getTime() > r.dueAt.getTime() && r.status !== 'cancelled')));
      if (fresh.length) {
        const rowsToTrack = fresh.map((r) => ({ requestId: r.id, nextStageAt: now, state: 'active' as const, level: 0, orderId: null, failures: 0, lastError: null, createdAt: now, updatedAt: now }));
        for (let i = 0; i < rowsToTrack.length; i += 500) {
          await m.createQueryBuilder().insert().into(DeadlineTracker).values(rowsToTrack.slice(i, i + 500)).updateEntity(false).execute();
        }
        tracked += fresh.length;
      }
      for (const r of rows) {
        if (contiguous && (r.id === cursor + 1 || r.createdAt.getTime() <= now.getTime() - GAP_GRACE_MS)) cursor = r.id;
        else contiguous = false;
      }
      scanFrom = rows[rows.length - 1].id;
      if (rows.length < batch) break;
    }
    if (String(cursor) !== row.value) await m.getRepository(SchedulerState).update({ key: CURSOR_KEY }, { value: String(cursor), updatedAt: now });
    return tracked ? [{ action: 'tracking', requests: tracked, seen, cursor }] : [];
  });
}
