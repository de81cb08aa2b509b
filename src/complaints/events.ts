import { EntityManager } from 'typeorm';
import { ComplaintEvent } from '../../entities';

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
  await m.insert(ComplaintEvent, {
    complaintId,
    at: e.at,
    type: e.type,
    actor: e.actor.slice(0, 100),
    fromStatus: e.from ?? null,
    toStatus: e.to ?? null,
    reason: e.reason ?? null,
    details: e.details ? JSON.stringify(e.details) : null,
  });
}
