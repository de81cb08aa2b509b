import { EntityManager, In } from 'typeorm';
import { OutboxMessage, Staff, VerificationRecipient, VerificationRequest } from '../../entities';
import { enqueue } from '../wecom/outbox';
import { isAway } from '../directory/rules';

/** Outbox ref types of this module (the card-repair job and issue 4 read them). */
export const REF = {
  card: 'verification_card',
  cardUpdate: 'verification_card_update',
  notice: 'verification_notice',
  text: 'verification_text',
} as const;

/** WECOM.md section 4: a response_code works once, for 72 hours. */
export const RESPONSE_CODE_TTL_MS = 72 * 3600_000;
/** Margin so a code is not used in its last minutes while the update waits in the outbox. */
const CODE_MARGIN_MS = 10 * 60_000;

/** task_id: unique per app, [0-9A-Za-z_-@]; request id + recipient ordinal + card generation. */
export function taskIdFor(requestId: number, ordinal: number, seq: number): string {
  return `vr${requestId}_${ordinal}_${seq}`;
}

export function parseTaskId(taskId: string): { requestId: number; ordinal: number; seq: number } | null {
  const m = /^vr(\d+)_(\d+)_(\d+)$/.exec(taskId);
  return m ? { requestId: Number(m[1]), ordinal: Number(m[2]), seq: Number(m[3]) } : null;
}

export async function queueText(m: EntityManager, touser: string, content: string, now: Date, refId: string): Promise<void> {
  await enqueue(m, { channel: 'message', payload: { touser, msgtype: 'text', text: { content } }, refType: REF.text, refId, now });
}

/** A card (template_card JSON) to one person. */
export async function queueCard(m: EntityManager, touser: string, card: object, now: Date, ref: { type: string; id: string }, dedupeKey?: string): Promise<OutboxMessage> {
  return enqueue(m, { channel: 'message', payload: { touser, msgtype: 'template_card', template_card: card }, refType: ref.type, refId: ref.id, dedupeKey, now });
}

/** Greys the buttons of one person's card with a short text, using a response_code we hold. */
export async function queueReplaceName(m: EntityManager, userid: string, responseCode: string, text: string, now: Date, refId: string): Promise<void> {
  await enqueue(m, {
    channel: 'update_card',
    payload: { userids: [userid], response_code: responseCode, button: { replace_name: text } },
    refType: REF.cardUpdate,
    refId,
    now,
  });
}

/**
 * The response_code of a recipient's card send, when still usable: sent, unused, younger
 * than 72 h (WECOM.md section 4). null means "send a fresh card instead".
 */
export async function usableSendCode(m: EntityManager, r: VerificationRecipient, now: Date): Promise<string | null> {
  if (r.codeUsed) return null;
  const repo = m.getRepository(OutboxMessage);
  const row = r.cardOutboxId ? await repo.findOneBy({ id: r.cardOutboxId }) : await repo.findOne({ where: { refType: REF.card, refId: r.taskId }, order: { id: 'DESC' } });
  if (!row || row.status !== 'sent' || !row.responseCode || !row.sentAt) return null;
  if (now.getTime() - row.sentAt.getTime() >= RESPONSE_CODE_TTL_MS - CODE_MARGIN_MS) return null;
  return row.responseCode;
}

/**
 * Who hears about a result on the requesting side: the staff member who asked, and the
 * unit's liaisons present today (all liaisons if all are away), else its A deputies: the
 * liaison answers for the unit's requests even when a colleague asked.
 */
export async function requesterTargets(m: EntityManager, req: VerificationRequest, today: string): Promise<string[]> {
  const unit = await unitTargets(m, req, today);
  return req.requestedBy ? [...new Set([req.requestedBy, ...unit])] : unit;
}

async function unitTargets(m: EntityManager, req: VerificationRequest, today: string): Promise<string[]> {
  const staff = await m.getRepository(Staff).find({ where: { unitCode: req.requesterUnit, role: In(['liaison', 'deputy']) }, order: { userid: 'ASC' } });
  const liaisons = staff.filter((s) => s.role === 'liaison');
  const present = liaisons.filter((s) => !isAway(s, today));
  if (present.length) return present.map((s) => s.userid);
  if (liaisons.length) return liaisons.map((s) => s.userid);
  return staff.filter((s) => s.ab === 'A').map((s) => s.userid);
}

/** Replaces one person's card with a whole new card (same task), using a response_code we hold (WECOM.md section 4). */
export async function queueCardUpdate(m: EntityManager, userid: string, responseCode: string, card: object, now: Date, refId: string): Promise<void> {
  await enqueue(m, {
    channel: 'update_card',
    payload: { userids: [userid], response_code: responseCode, template_card: card },
    refType: REF.cardUpdate,
    refId,
    now,
  });
}
