import { EntityManager, In } from 'typeorm';
import { Escalation, OutboxMessage, VerificationRequest } from '../../entities';
import { inTransaction, isSqlite } from '../db/tx';
import { WorkingCalendar, officeMinutesBetween } from '../calendar';
import { escalationClosedCard } from '../../cards/escalation.card';
import { greyCard, sendCard } from '../wecom/messaging';
import type { Line } from '../scheduler';
import { DeadlineDeps, REF } from './deps';
import { escalationTaskId, escalationView } from './escalations';
import { CARD, formatLate } from './messages';

/** WECOM.md section 4: a response_code works once, for 72 hours; keep a margin for the outbox. */
const CODE_TTL_MS = 72 * 3600_000 - 10 * 60_000;

/**
 * The response_code of an escalation card's send, while usable: sent, younger than 72 h, and
 * not used yet by a close (clicks answer with codes of their own).
 */
async function sendCode(m: EntityManager, taskId: string, now: Date): Promise<string | null> {
  const repo = m.getRepository(OutboxMessage);
  const row = await repo.findOne({ where: { refType: REF.escalationCard, refId: taskId }, order: { id: 'DESC' } });
  if (!row || row.status !== 'sent' || !row.responseCode || !row.sentAt) return null;
  if (now.getTime() - row.sentAt.getTime() >= CODE_TTL_MS) return null;
  if (await repo.findOneBy({ refType: REF.escalationCardClose, refId: taskId })) return null;
  return row.responseCode;
}

/**
 * Closes every office member's card of an escalation with `outcome` (no buttons left): in
 * place through the send's response_code, else a fresh card without buttons.
 */
export async function closeEscalationCards(m: EntityManager, d: DeadlineDeps, cal: WorkingCalendar, e: Escalation, outcome: string, now: Date): Promise<void> {
  const members: string[] = e.officeMembers ? JSON.parse(e.officeMembers) : [];
  let view: Awaited<ReturnType<typeof escalationView>> | null = null;
  for (const [i, userid] of members.entries()) {
    const taskId = escalationTaskId(e.id, i);
    const code = await sendCode(m, taskId, now);
    if (code) {
      await greyCard(m, [userid], code, outcome, now, { refType: REF.escalationCardClose, refId: taskId, dedupeKey: `esc-close:${taskId}` });
    } else {
      view ??= await escalationView(m, d, cal, e, now);
      await sendCard(m, userid, escalationClosedCard(view, outcome, now), now, { refType: REF.escalationCardClose, refId: taskId, dedupeKey: `esc-close:${taskId}` });
    }
  }
  await m.getRepository(Escalation).update({ id: e.id }, { cardsClosedAt: now });
}

/** What a closed card says: the outcome and how late, from the original deadline in office time. */
export function closedOutcome(cal: WorkingCalendar, req: VerificationRequest): string {
  const late = req.closedAt ? formatLate(officeMinutesBetween(cal, req.dueAt, req.closedAt)) : '';
  if (req.status === 'answered') return CARD.closedAnswered(late);
  if (req.status === 'returned') return CARD.closedReturned(late);
  return CARD.closedButton;
}

/**
 * Escalation cards of requests that are done: closed on every office member's phone at the
 * next sweep (SPEC 1 Art. 11: nothing is left to urge). Rows claimed with SKIP LOCKED.
 */
export async function closeDoneCards(d: DeadlineDeps, now: Date, limit = 100): Promise<Line[]> {
  return inTransaction(d.dataSource, async (m) => {
    const due = await m
      .getRepository(Escalation)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .innerJoin(VerificationRequest, 'r', 'r.id = e.request_id AND r.status IN (:...done)', { done: ['answered', 'returned', 'cancelled'] })
      .where('e.cards_closed_at IS NULL')
      .orderBy('e.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number }>();
    if (!due.length) return [];
    // Only the escalation rows are locked (never the requests): a concurrent sweep skips them.
    const qb = m.getRepository(Escalation).createQueryBuilder('e').where('e.id IN (:...ids)', { ids: due.map((r) => Number(r.id)) }).andWhere('e.cards_closed_at IS NULL').orderBy('e.id', 'ASC');
    if (!isSqlite(d.dataSource)) qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    const rows = await qb.getMany();
    if (!rows.length) return [];
    const cal = await d.calendar();
    const reqs = new Map((await m.getRepository(VerificationRequest).findBy({ id: In(rows.map((r) => r.requestId)) })).map((r) => [r.id, r]));
    for (const e of rows) await closeEscalationCards(m, d, cal, e, closedOutcome(cal, reqs.get(e.requestId)!), now);
    return [{ action: 'escalation_cards_closed', escalations: rows.map((r) => r.id) }];
  });
}
