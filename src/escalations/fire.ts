import { EntityManager } from 'typeorm';
import { OfficeOrder, VerificationRecipient, VerificationRequest } from '../../entities';
import { shortTime } from '../calendar';
import { isAway } from '../directory/rules';
import { ownerAndLiaisonsOf } from '../directory/who';
import { cardViewOf } from '../verification/service';
import { REF as VREF, parseTaskId, taskIdFor } from '../verification/notify';
import { verificationRequestCard } from '../../cards/verification.card';
import { cardPayload } from '../wecom/messaging';
import { uniq } from './deps';
import { escalate } from './escalations';
import { TEXT, unitItem } from './messages';
import { foldIntoCards } from './holder-cards';
import { PlannedStage } from './stages';
import { Ctx, Loaded, Writes } from './batch';

export interface Fired {
  sent: boolean;
  note: string | null;
  to: string[];
  escalationId?: number;
}

function ownerAndLiaisons(l: Loaded, req: VerificationRequest, today: string): string[] {
  return ownerAndLiaisonsOf(req, l.staffByUnit.get(req.issuerUnit) ?? [], today);
}

/**
 * Fires one due stage of one request. Reminders, backup pings and warnings only add rows to
 * the transaction's batch, and are handled synchronously (a sweep of a thousand requests
 * does not wait on a promise per request); the office's orders (texts folded into the cards
 * people hold) and escalations read and write on their own and return a promise.
 */
export function fire(c: Ctx, m: EntityManager, w: Writes, l: Loaded, req: VerificationRequest, s: PlannedStage, order: OfficeOrder | null): Fired | Promise<Fired> {
  switch (s.kind) {
    case 'reminder':
    case 'warning':
      return fireText(c, w, l, req, s);
    case 'backup':
      return backupPing(c, w, l, req, s);
    default:
      return fireWithDatabase(c, m, w, l, req, s, order);
  }
}

function stageTexts(w: Writes, req: VerificationRequest, s: PlannedStage, to: string[], text: string): void {
  for (const u of to) w.text(req, u, text, `stage:${req.id}:${s.stage}:${u}`);
}

function fireText(c: Ctx, w: Writes, l: Loaded, req: VerificationRequest, s: PlannedStage): Fired {
  const { d, now, today } = c;
  const due = shortTime(d.config.officeTz, req.dueAt);
  const rs = l.recipients.get(req.id) ?? [];
  const ui = unitItem(l.unitName.get(req.requesterUnit) ?? req.requesterUnit, req.serviceItem);
  if (s.kind === 'reminder') {
    // Art. 7: the liaison and deputy A (whoever got the card first); the owner once accepted.
    const to = req.status === 'pending' ? uniq(rs.filter((r) => r.reason === 'initial').map((r) => r.userid)) : ownerAndLiaisons(l, req, today);
    stageTexts(w, req, s, to, req.status === 'pending' ? TEXT.reminderPending(ui, req.number, due) : TEXT.reminderAccepted(ui, req.number, due));
    w.event(req, now, 'reminder_sent', { stage: s.stage, userids: to });
    return { sent: to.length > 0, note: to.length ? null : 'nobody_to_tell', to };
  }
  // The warning: everyone on the request, every card holder and the owner.
  const to = uniq([...(req.assignee ? [req.assignee] : []), ...rs.map((r) => r.userid)]);
  stageTexts(w, req, s, to, req.status === 'pending' ? TEXT.warningPending(ui, req.number, due) : TEXT.warningAccepted(ui, req.number, due));
  w.event(req, now, 'warning_sent', { stage: s.stage, userids: to });
  return { sent: to.length > 0, note: to.length ? null : 'nobody_to_tell', to };
}

async function fireWithDatabase(c: Ctx, m: EntityManager, w: Writes, l: Loaded, req: VerificationRequest, s: PlannedStage, order: OfficeOrder | null): Promise<Fired> {
  const { d, cal, now, today } = c;
  if (s.kind === 'order_reminder' || s.kind === 'order_warning') {
    const by = shortTime(d.config.officeTz, order!.completeBy!);
    const rs = l.recipients.get(req.id) ?? [];
    const ui = unitItem(l.unitName.get(req.requesterUnit) ?? req.requesterUnit, req.serviceItem);
    // Whoever holds the request: the owner, else every open card (B who covers included).
    const to = req.assignee ? ownerAndLiaisons(l, req, today) : uniq([...ownerAndLiaisons(l, req, today), ...rs.filter((r) => !r.closedAt).map((r) => r.userid)]);
    const text = s.kind === 'order_reminder' ? TEXT.orderReminder(ui, req.number, by) : TEXT.orderWarning(ui, req.number, by);
    // After the deadline, whoever holds a card of the request sees the stage on it; the others get the text.
    const folded = await foldIntoCards(m, d, cal, req, to, s.kind, now, s.stage);
    stageTexts(w, req, s, to.filter((u) => !folded.has(u)), text);
    w.event(req, now, s.kind === 'order_reminder' ? 'order_reminder_sent' : 'order_warning_sent', { stage: s.stage, orderId: order!.id, userids: to });
    return { sent: to.length > 0, note: null, to };
  }
  if (s.kind !== 'escalation1' && s.kind !== 'escalation2') throw new Error(`stage kind ${s.kind} is fired in the batch`);
  // Rare, and many things at once (record, cards, case): written directly.
  const r = await escalate(m, d, cal, req, { stage: s.stage, level: s.kind === 'escalation2' ? 2 : 1, order: s.kind === 'escalation2' ? order : null }, now);
  return { sent: true, note: r.escalation.groupState === 'none' ? 'group_not_configured' : null, to: uniq(r.told), escalationId: r.escalation.id };
}

/**
 * Backup ping (Art. 6, 7): deputy B gets the same 受理/退回 card when nobody acted by the
 * stage. The verification module already routes to B at creation when no A is present
 * (src/verification/service.ts routeRecipients); a B who already holds a card is skipped.
 * The card is one more VerificationRecipient with its own task_id (vr<id>_<ordinal>_0),
 * so the verification module's click handler and closeOpenCards treat it like any other.
 * The card is built once; several deputies B get it with their own task_id (and touser).
 */
function backupPing(c: Ctx, w: Writes, l: Loaded, req: VerificationRequest, s: PlannedStage): Fired {
  const { d, now, today } = c;
  if (req.status !== 'pending') return { sent: false, note: 'acted', to: [] };
  const rs = l.recipients.get(req.id) ?? [];
  const have = new Set(rs.map((r) => r.userid));
  const bs = (l.staffByUnit.get(req.issuerUnit) ?? []).filter((x) => x.role === 'deputy' && x.ab === 'B');
  if (!bs.length) return { sent: false, note: 'no_deputy_b', to: [] };
  const fresh = bs.filter((b) => !have.has(b.userid));
  if (!fresh.length) return { sent: false, note: 'deputy_b_already_has_card', to: [] };
  const here = fresh.filter((b) => !isAway(b, today));
  if (!here.length) return { sent: false, note: 'deputy_b_away', to: [] };
  let ordinal = rs.reduce((n, r) => Math.max(n, parseTaskId(r.taskId)?.ordinal ?? 0), -1) + 1;
  const view = cardViewOf(req, l.unitName, d.config.publicUrl, d.config.officeTz);
  const due = shortTime(d.config.officeTz, req.dueAt);
  // Why B got it: the A deputy is away today, or present and silent.
  const as = (l.staffByUnit.get(req.issuerUnit) ?? []).filter((x) => x.role === 'deputy' && x.ab === 'A');
  const aNames = as.map((a) => a.name).join('、');
  const why = !as.length ? TEXT.backupNoA : as.every((a) => isAway(a, today)) ? TEXT.backupAAway(aNames) : TEXT.backupASilent(aNames);
  let card = null as Record<string, unknown> | null;
  for (const b of here) {
    const taskId = taskIdFor(req.id, ordinal++, 0);
    // The same card for every B; task_id (in place: the key order stays the card's own) is each one's.
    card = card ? { ...card, task_id: taskId } : verificationRequestCard(view, taskId, now, TEXT.backupCardWhy(why));
    w.message({ channel: 'message', payload: cardPayload(b.userid, card), refType: VREF.card, refId: taskId, dedupeKey: `verif-card:${taskId}`, now });
    // The card's outbox row is found by its ref (verification_card, task_id) when its response_code is needed.
    w.recipients.push({ requestId: req.id, userid: b.userid, role: b.role, ab: b.ab, reason: 'backup', notifiedAt: now, taskId, cardSeq: 0, cardOutboxId: null, codeUsed: false, closedAt: null, outcome: null });
    w.text(req, b.userid, TEXT.backup(req.number, view.requesterUnitName, req.serviceItem, due, why), `stage:${req.id}:${s.stage}:${b.userid}`);
    // Keeps a later stage in the same transaction from seeing B twice.
    rs.push({ userid: b.userid, taskId, reason: 'backup' } as VerificationRecipient);
  }
  const to = here.map((b) => b.userid);
  w.event(req, now, 'backup_pinged', { stage: s.stage, userids: to });
  return { sent: true, note: null, to };
}
