import { Brackets, EntityManager, In } from 'typeorm';
import { OutboxMessage, VerificationRecipient, VerificationRequest } from '../../entities';
import { WorkingCalendar } from '../calendar';
import { holderStatus } from '../verification/late-status';
import { inTransaction, isSqlite } from '../db/tx';
import { staffName, unitNames } from '../directory/who';
import { cardViewOf, closeOpenCards } from '../verification/service';
import { REF as VREF, RESPONSE_CODE_TTL_MS, parseTaskId, queueCard, queueReplaceName, taskIdFor, usableSendCode } from '../verification/notify';
import { verificationClosedCard } from '../../cards/verification.card';
import { CARD_TEXT, WITHDRAW_MINUTES } from '../verification/messages';
import { greyCard, rewriteUnsentCard, sendCard } from '../wecom/messaging';
import { recipientsOf } from '../wecom/outbox';
import { holderStatusCard, holderWatchCard } from '../../cards/holder-status.card';
import type { Line } from '../scheduler';
import { DeadlineDeps, REF } from './deps';
import { HOLDER, HolderStage } from './messages';

/**
 * One live card per (request, holder) instead of a text per deadline stage (issue 18 item 6:
 * the liaison of a late request got 14 messages). The holder's card is their own request
 * card (task `vr<id>_<ordinal>_<generation>`), so clicks, the first-click-wins rule and the
 * closing on an answer stay the verification module's.
 *
 * WeCom lets a response_code change a card once (WECOM.md section 4). A card rewritten in
 * place with a stage would keep its buttons with no code left, and nobody could close it
 * when the request is answered: a stale card. So, as the office's escalation cards keep
 * their send's code for the close (close-cards.job.ts), a stage greys the card in hand with
 * its code ("已更新，见新卡片", no buttons) and arrives as the card's next generation, which
 * shows the stage, how late from the original deadline in office time and the 责成 deadline,
 * with the buttons. One message per stage (the 责成 card and text are one now), and at any
 * time exactly one card with buttons per holder.
 *
 * Folded: whoever holds an open card of the request (liaison, A, the B who covers) while it
 * is pending, and the owner once accepted. Once accepted, the others told (the liaison whose
 * card the deputy's 受理 closed) get a read-only status card per stage instead of a text:
 * same lead and facts, who has it, no buttons (they do not hold the request, and a card
 * without buttons never goes stale). Anyone else (a request being returned) is told by
 * text as before.
 * Two stages before the first card went out (a 督办 in the minute the sweep reported 已超时,
 * WeCom slow) make one card: the unsent one is rewritten with the newer stage.
 * Returns the userids whose card now carries the stage.
 */
export async function foldIntoCards(m: EntityManager, d: DeadlineDeps, cal: WorkingCalendar, req: VerificationRequest, userids: string[], stage: HolderStage, now: Date, key: string): Promise<Set<string>> {
  const folded = new Set<string>();
  if (!userids.length || (req.status !== 'pending' && req.status !== 'accepted')) return folded;
  const rows = await m.getRepository(VerificationRecipient).find({ where: { requestId: req.id, userid: In(userids) }, order: { id: 'ASC' } });
  // Pending: every open card. Accepted: the owner's (its row was marked 已受理 by the click).
  const mine = rows.filter((r) => (req.status === 'pending' ? !r.closedAt : r.userid === req.assignee && (!r.closedAt || r.outcome === CARD_TEXT.acceptedBySelf)));
  if (!mine.length && req.status !== 'accepted') return folded;
  const view = cardViewOf(req, await unitNames(m, [req.requesterUnit, req.issuerUnit]), d.config.publicUrl, d.config.officeTz);
  const status = await holderStatus(m, cal, req, stage, now);
  const answer = req.status === 'accepted' ? { ownerName: await staffName(m, req.assignee) } : null;
  const repo = m.getRepository(VerificationRecipient);
  for (const r of mine) {
    if (folded.has(r.userid)) continue;
    // The card in hand not sent yet (two stages in the same sweep or minute, or WeCom slow):
    // nobody has seen it, so it takes the newer stage and remains the one card.
    if (r.cardOutboxId && (await rewriteUnsentCard(m, r.cardOutboxId, r.userid, holderStatusCard(view, r.taskId, now, status, answer), now))) {
      folded.add(r.userid);
      continue;
    }
    const dedupeKey = `hold:${req.id}:${key}:${r.userid}`;
    // The card in hand is greyed with the send's code (its one use) and the stage comes as the
    // next generation, whose code stays in reserve: every card with buttons can still be closed.
    const code = await usableSendCode(m, r, now);
    if (code) await greyCard(m, [r.userid], code, HOLDER.superseded, now, { refType: REF.holderCardUpdate, refId: r.taskId, dedupeKey: `${dedupeKey}:grey` });
    const seq = r.cardSeq + 1;
    const taskId = taskIdFor(req.id, parseTaskId(r.taskId)?.ordinal ?? 0, seq);
    const row = await sendCard(m, r.userid, holderStatusCard(view, taskId, now, status, answer), now, { refType: VREF.card, refId: taskId, dedupeKey });
    await repo.update({ id: r.id }, { taskId, cardSeq: seq, cardOutboxId: row?.id ?? null, codeUsed: false });
    folded.add(r.userid);
  }
  // Told but holding no card (the liaison once a deputy accepted): the same facts, read-only.
  if (answer) {
    const watch = holderWatchCard(view, now, status, answer.ownerName);
    for (const u of userids) {
      if (folded.has(u) || u === req.assignee) continue;
      const unsent = await m.getRepository(OutboxMessage).findOne({ where: { refType: REF.holderWatch, refId: String(req.id), recipients: recipientsOf('message', { touser: u }).join('|'), status: 'pending' }, order: { id: 'DESC' } });
      if (unsent && (await rewriteUnsentCard(m, unsent.id, u, watch, now))) {
        folded.add(u);
        continue;
      }
      await sendCard(m, u, watch, now, { refType: REF.holderWatch, refId: String(req.id), dedupeKey: `watch:${req.id}:${key}:${u}` });
      folded.add(u);
    }
  }
  return folded;
}

const OUTCOME: Record<string, string> = { answered: CARD_TEXT.answered, returned: CARD_TEXT.returnedBySelf, cancelled: CARD_TEXT.cancelled };

/**
 * Cards still open on a finished request (answered, returned, cancelled): the owner's card
 * after a typed answer, a card a stage rewrote. Each says the outcome without buttons at the
 * next sweep: through its send's code, else as a fresh card without buttons. The answerer's
 * 撤回 stays while its window is open.
 */
export async function closeHolderCards(d: DeadlineDeps, now: Date, limit = 200): Promise<Line[]> {
  return inTransaction(d.dataSource, async (m) => {
    const repo = m.getRepository(VerificationRecipient);
    const qb = repo
      .createQueryBuilder('c')
      .select('c.requestId', 'requestId')
      // Recently finished only: an older card's code has expired, and a fresh card about an old request would be noise.
      .innerJoin(VerificationRequest, 'r', 'r.id = c.request_id AND r.status IN (:...done) AND r.closed_at >= :since', { done: ['answered', 'returned', 'cancelled'], since: new Date(now.getTime() - RESPONSE_CODE_TTL_MS) })
      .where(new Brackets((w) => w.where('c.closed_at IS NULL').orWhere('(c.userid = r.assignee AND c.outcome = :acc)', { acc: CARD_TEXT.acceptedBySelf })))
      .groupBy('c.request_id')
      .orderBy('c.request_id', 'ASC')
      .limit(limit);
    const ids = (await qb.getRawMany<{ requestId: number | string }>()).map((x) => Number(x.requestId));
    if (!ids.length) return [];
    const rq = m.getRepository(VerificationRequest).createQueryBuilder('r').where('r.id IN (:...ids)', { ids });
    if (!isSqlite(d.dataSource)) rq.setLock('pessimistic_write').setOnLocked('skip_locked');
    const reqs = await rq.getMany();
    const cal = await d.calendar();
    const ctx = { cal, now, publicUrl: d.config.publicUrl, tz: d.config.officeTz };
    const closed: number[] = [];
    for (const req of reqs) {
      // The answerer may still take the answer back from the card.
      const keep = req.status === 'answered' && req.answeredAt && now.getTime() - req.answeredAt.getTime() <= WITHDRAW_MINUTES * 60_000 ? req.assignee : null;
      const text = OUTCOME[req.status] ?? CARD_TEXT.answered;
      const rows = await repo.find({ where: { requestId: req.id }, order: { id: 'ASC' } });
      const own = rows.find((r) => r.userid === req.assignee && r.closedAt && r.outcome === CARD_TEXT.acceptedBySelf && r.userid !== keep);
      if (!own && rows.every((r) => r.closedAt || r.userid === keep)) continue;
      await closeOpenCards(m, ctx, req, keep, text);
      if (own) {
        const code = await usableSendCode(m, own, now);
        if (code) await queueReplaceName(m, own.userid, code, text, now, own.taskId);
        else await queueCard(m, own.userid, verificationClosedCard(cardViewOf(req, await unitNames(m, [req.requesterUnit, req.issuerUnit]), ctx.publicUrl, ctx.tz), text, now), now, { type: VREF.notice, id: own.taskId });
        await repo.update({ id: own.id }, { outcome: text, ...(code ? { codeUsed: true } : {}) });
      }
      closed.push(req.id);
    }
    return closed.length ? [{ action: 'holder_cards_closed', requests: closed }] : [];
  });
}
