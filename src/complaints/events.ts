import { EntityManager } from 'typeorm';
import { ComplaintEvent } from '../../entities';
import { insertRows } from '../db/fast-sql';

export interface EventInput {
  type: string;
  actor: string;
  at: Date;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

/** Every transition and notable act on a case is an event: at, type, actor, from, to, reason. */
export async function addEvent(m: EntityManager, complaintId: number, e: EventInput): Promise<void> {
  await addEvents(m, [{ complaintId, ...e }]);
}

/** Several events in one multi-row INSERT, in order (their ids follow the list). */
export async function addEvents(m: EntityManager, events: Array<EventInput & { complaintId: number }>): Promise<void> {
  await insertRows(
    m,
    ComplaintEvent,
    events.map((e) => ({
      complaintId: e.complaintId,
      at: e.at,
      type: e.type,
      actor: e.actor.slice(0, 100),
      fromStatus: e.from ?? null,
      toStatus: e.to ?? null,
      reason: e.reason ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
    })),
  );
}
