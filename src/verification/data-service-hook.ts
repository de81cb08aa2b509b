/**
 * Where a new request meets the issuing unit's data service (秒核, issue 15): the ordinary
 * cards of a digital request whose certificate has a service wait for the lookup (they go
 * out only when it falls back), and the lookup worker is woken once the creation commits.
 * The data-services module registers the wake-up; verification never imports it.
 */
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Staff, VerificationRecipient, VerificationRequest } from '../../entities';
import { CARD_TEXT } from './messages';
import { afterCommit } from '../db/tx';
import { verificationRequestCard } from '../../cards/verification.card';
import { REF, queueCard } from './notify';
import { OpContext, cardView, markRecipient } from './common';

const listeners = new WeakMap<DataSource, Set<() => void>>();

/** Calls fn after each commit that created a request whose cards wait for a lookup. Returns the unsubscribe. */
export function onLookupNeeded(ds: DataSource, fn: () => void): () => void {
  let set = listeners.get(ds);
  if (!set) listeners.set(ds, (set = new Set()));
  set.add(fn);
  return () => set!.delete(fn);
}

const fires = new WeakMap<DataSource, () => void>();

/** Wakes the lookup worker once the caller's transaction has committed (never before, never after a rollback). */
export function lookupNeeded(m: EntityManager): void {
  const ds = m.connection;
  if (!listeners.get(ds)?.size) return;
  let fire = fires.get(ds);
  if (!fire) fires.set(ds, (fire = () => listeners.get(ds)?.forEach((fn) => fn())));
  afterCommit(m, fire);
}

/**
 * The lookup fell back: each recipient still open gets the ordinary request card (same
 * task_id as it would have had at creation), saying why a person must answer (`note`).
 */
export async function sendWaitingCards(m: EntityManager, ctx: OpContext, req: VerificationRequest, note: string): Promise<string[]> {
  const open = await m.getRepository(VerificationRecipient).find({ where: { requestId: req.id, closedAt: IsNull() }, order: { id: 'ASC' } });
  const view = await cardView(m, ctx, req);
  // Deputy B stands in for A, as the creation would have said (src/verification/create.ts routeRecipients).
  const allA = open.some((r) => r.role === 'deputy' && r.ab === 'B') ? await m.getRepository(Staff).findBy({ unitCode: req.issuerUnit, role: 'deputy', ab: 'A' }) : [];
  const cover = allA.length ? CARD_TEXT.coverAway(allA.map((s) => s.name).join('、')) : CARD_TEXT.coverNoA;
  for (const r of open) {
    const why = r.role === 'deputy' && r.ab === 'B' ? `${note}｜${cover}` : note;
    await queueCard(m, r.userid, verificationRequestCard(view, r.taskId, ctx.now, why), ctx.now, { type: REF.card, id: r.taskId });
    await m.getRepository(VerificationRecipient).update({ id: r.id }, { notifiedAt: ctx.now });
  }
  return open.map((r) => r.userid);
}

/**
 * The system answered: the recipients' cards never went out, so they are closed with
 * `outcome` (the answer's own card-closing then skips them) and returned for the
 * automatic-answer card.
 */
export async function takeWaitingRecipients(m: EntityManager, req: VerificationRequest, outcome: string, now: Date): Promise<VerificationRecipient[]> {
  const open = await m.getRepository(VerificationRecipient).find({ where: { requestId: req.id, closedAt: IsNull() }, order: { id: 'ASC' } });
  for (const r of open) await markRecipient(m, req, r.userid, outcome, now);
  return open;
}
