import { EntityManager } from 'typeorm';
import { OutboxMessage, VerificationRecipient } from '../../entities';
import { enqueue, enqueueMany } from '../wecom/outbox';
import { cardPayload, sendText, updateCard } from '../wecom/messaging';

/** Outbox ref types of this module (the card-repair job and the deadline sweep read them). */
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
  await sendText(m, touser, content, now, { refType: REF.text, refId });
}

/** A card (template_card JSON) to one person. */
export async function queueCard(m: EntityManager, touser: string, card: object, now: Date, ref: { type: string; id: string }, dedupeKey?: string): Promise<OutboxMessage> {
  return enqueue(m, { channel: 'message', payload: cardPayload(touser, card), refType: ref.type, refId: ref.id, dedupeKey, now });
}

export interface CardToQueue {
  touser: string;
  card: object;
  ref: { type: string; id: string };
  /** When the card was queued, if not the call's `now` (cards of several requests created together). */
  at?: Date;
}

/** Several cards (template_card JSON) at once, in one multi-row INSERT (new task_ids: no dedupe keys). */
export async function queueCards(m: EntityManager, cards: CardToQueue[], now: Date): Promise<void> {
  await enqueueMany(
    m,
    cards.map((c) => ({ channel: 'message' as const, payload: cardPayload(c.touser, c.card), refType: c.ref.type, refId: c.ref.id, now: c.at ?? now })),
  );
}

/** Greys the buttons of one person's card with a short text, using a response_code we hold. */
export async function queueReplaceName(m: EntityManager, userid: string, responseCode: string, text: string, now: Date, refId: string): Promise<void> {
  await updateCard(m, [userid], responseCode, { replaceName: text }, now, { refType: REF.cardUpdate, refId });
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

/** Replaces one person's card with a whole new card (same task), using a response_code we hold (WECOM.md section 4). */
export async function queueCardUpdate(m: EntityManager, userid: string, responseCode: string, card: object, now: Date, refId: string): Promise<void> {
  await updateCard(m, [userid], responseCode, { card }, now, { refType: REF.cardUpdate, refId });
}
