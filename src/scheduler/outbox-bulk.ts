import { EntityManager } from 'typeorm';
import { OutboxMessage } from '../../entities';
import type { OutboxChannel } from '../../entities/OutboxMessage';
import { enqueue, recipientsOf } from '../wecom/outbox';
import { bulkInsert } from './bulk';

export interface Queued {
  channel: OutboxChannel;
  payload: Record<string, unknown>;
  refType: string;
  refId: string;
  dedupeKey: string;
}

/**
 * Writes outbox rows in the caller's transaction (STYLE.md #3). One row: the outbox's own
 * `enqueue` (dedupe-tolerant). Many: one multi-row INSERT shaped exactly as `enqueue` shapes
 * a row, so a sweep of a thousand reminders is a few statements, not thousands; a dedupe
 * collision then fails the statement and the caller retries item by item through `enqueue`.
 */
export async function queueAll(m: EntityManager, rows: Queued[], now: Date, bulk: boolean): Promise<void> {
  if (!rows.length) return;
  if (!bulk) {
    for (const r of rows) await enqueue(m, { channel: r.channel, payload: r.payload, refType: r.refType, refId: r.refId, dedupeKey: r.dedupeKey, now });
    return;
  }
  const values = rows.map((r) => {
    const joined = [...new Set(recipientsOf(r.channel, r.payload))].join('|');
    return {
      channel: r.channel,
      payload: JSON.stringify(r.payload),
      recipients: joined.length <= 1000 ? joined : '',
      dedupeKey: r.dedupeKey,
      refType: r.refType,
      refId: r.refId,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: now,
      claimedBy: null,
      claimedUntil: null,
      errcode: null,
      lastError: null,
      msgid: null,
      responseCode: null,
      response: null,
      createdAt: now,
      sentAt: null,
    };
  });
  await bulkInsert(m, OutboxMessage, values);
}
