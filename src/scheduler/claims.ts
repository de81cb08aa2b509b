import { DataSource, EntityManager } from 'typeorm';
import { SchedulerClaim } from '../../entities';
import { inTransaction, isUniqueViolation } from '../db/tx';

/**
 * Exactly once for a job's unit of work (a week's summary, a meeting's reminder): insert the
 * claim first in the transaction that queues the messages. A unique violation means another
 * instance did it: the caller lets the transaction roll back (see isUniqueViolation).
 */
export async function claimOnce(m: EntityManager, key: string, job: string, now: Date, detail?: unknown): Promise<SchedulerClaim> {
  const row = m.getRepository(SchedulerClaim).create({ claimKey: key.slice(0, 190), job, at: now, detail: detail === undefined ? null : JSON.stringify(detail) });
  await m.getRepository(SchedulerClaim).insert(row);
  return row;
}

export async function isClaimed(m: EntityManager, key: string): Promise<boolean> {
  return (await m.getRepository(SchedulerClaim).countBy({ claimKey: key.slice(0, 190) })) > 0;
}

export async function setClaimDetail(m: EntityManager, claim: SchedulerClaim, detail: unknown): Promise<void> {
  await m.getRepository(SchedulerClaim).update({ id: claim.id }, { detail: JSON.stringify(detail) });
}

/**
 * Runs `send` once for `key`: the claim and what `send` queues commit together; null when
 * the key was claimed already (here or by another instance).
 */
export async function once<T>(ds: DataSource, key: string, job: string, now: Date, send: (m: EntityManager) => Promise<T>): Promise<T | null> {
  if (await isClaimed(ds.manager, key)) return null;
  try {
    return await inTransaction(ds, async (m) => {
      await claimOnce(m, key, job, now);
      return send(m);
    });
  } catch (e) {
    if (isUniqueViolation(e)) return null;
    throw e;
  }
}
