import { DataSource, In, LessThan, ObjectLiteral, EntityTarget, FindOptionsWhere } from 'typeorm';
import { IdempotencyKey, InboxEvent, KfInboundMessage } from '../../entities';
import type { Job } from '../module';
import { sqliteSerial } from './tx';

export const DEFAULT_RETENTION_DAYS = 180;
const BATCH = 1000;

/**
 * Personal data kept only as long as it serves (PIPL Art. 19): raw callback payloads, raw
 * kf messages and stored API answers. Only rows whose work is finished go: an inbox row or
 * kf message still waiting to be processed stays whatever its age. Complaints, requests,
 * their events and ledgers are the records the rules require and live in other tables.
 */
export async function pruneExpired(ds: DataSource, now: Date, days = DEFAULT_RETENTION_DAYS): Promise<Record<string, number>> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  return {
    inbox: await prune(ds, InboxEvent, { status: In(['done', 'failed']), receivedAt: LessThan(cutoff) }),
    kfMessages: await prune(ds, KfInboundMessage, { status: In(['done', 'ignored', 'recalled', 'failed']), receivedAt: LessThan(cutoff) }),
    idempotencyKeys: await prune(ds, IdempotencyKey, { createdAt: LessThan(cutoff) }),
  };
}

/** Deletes in batches by id, so no statement holds locks on a large range for long. */
async function prune<E extends ObjectLiteral & { id: number }>(ds: DataSource, entity: EntityTarget<E>, where: FindOptionsWhere<E>): Promise<number> {
  const repo = ds.getRepository(entity);
  let total = 0;
  for (;;) {
    const rows = await repo.find({ select: { id: true } as never, where, order: { id: 'ASC' } as never, take: BATCH });
    if (!rows.length) return total;
    await sqliteSerial(ds, () => repo.delete(rows.map((r) => r.id)));
    total += rows.length;
    if (rows.length < BATCH) return total;
  }
}

/** The sweep's job: run(now) prunes what is older than the retention period. */
export function retentionJob(ds: DataSource, days = DEFAULT_RETENTION_DAYS): Job {
  return {
    name: 'retention',
    run: async (now) => {
      const pruned = await pruneExpired(ds, now, days);
      return Object.values(pruned).some((n) => n > 0) ? [{ job: 'retention', days, ...pruned }] : [];
    },
  };
}
