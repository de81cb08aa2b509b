import { EntityManager } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { enqueue, rewritePending } from './outbox';

/**
 * How to tell people: every message a module sends is written here, inside the caller's
 * transaction, as an outbox row (the dispatcher sends it later). Modules say who and what;
 * the API bodies (message/send, update_template_card, appchat/send, robot) are built here only.
 */

/** Outbox ref type of the reminder and warning texts the scheduler's jobs queue. */
export const REMINDER_TEXT_REF = 'deadline_text';

/** Outbox ref type of messages to the office group. */
export const OFFICE_GROUP_REF = 'office_group';

/** Outbox bookkeeping of a send: who asked (refType/refId) and its idempotency key. */
export interface MessageRef {
  refType?: string;
  refId?: string;
  /** Enqueueing the same key twice stores one row. */
  dedupeKey?: string;
}

/** "a|b|c" from one userid or several; blanks and repeats dropped. */
function touserOf(to: string | string[]): string {
  if (typeof to === 'string') return to;
  return [...new Set(to)].filter(Boolean).join('|');
}

/** A message/send body: text to one or more staff. */
export function textPayload(to: string | string[], content: string): object {
  return { touser: touserOf(to), msgtype: 'text', text: { content } };
}

/** A message/send body: a template card (cards/ JSON) to one or more staff. */
export function cardPayload(to: string | string[], card: object): object {
  return { touser: touserOf(to), msgtype: 'template_card', template_card: card };
}

/** A text message to one or more staff; nobody to tell -> nothing queued (null). */
export async function sendText(m: EntityManager, to: string | string[], content: string, now: Date, ref: MessageRef = {}): Promise<OutboxMessage | null> {
  const touser = touserOf(to);
  if (!touser) return null;
  return enqueue(m, { channel: 'message', payload: textPayload(touser, content), refType: ref.refType, refId: ref.refId, dedupeKey: ref.dedupeKey, now });
}

/** A template card (cards/ JSON) to one or more staff; nobody to tell -> nothing queued (null). */
export async function sendCard(m: EntityManager, to: string | string[], card: object, now: Date, ref: MessageRef = {}): Promise<OutboxMessage | null> {
  const touser = touserOf(to);
  if (!touser) return null;
  return enqueue(m, { channel: 'message', payload: cardPayload(touser, card), refType: ref.refType, refId: ref.refId, dedupeKey: ref.dedupeKey, now });
}

/**
 * A card queued but not sent yet (still pending) says something newer instead: the person
 * gets one card where two would have followed each other. false: it is on its way or sent.
 */
export async function rewriteUnsentCard(m: EntityManager, outboxId: number, to: string | string[], card: object, now: Date): Promise<boolean> {
  const touser = touserOf(to);
  if (!touser) return false;
  return rewritePending(m, outboxId, { channel: 'message', payload: cardPayload(touser, card), now });
}

/** A new card, or only the buttons greyed with a short text (WECOM.md section 4). */
export type CardChange = { card: object } | { replaceName: string };

/**
 * update_template_card with a response_code we hold: it works once, for 72 hours, and
 * changes the card of every userid listed.
 */
export async function updateCard(m: EntityManager, userids: string[], responseCode: string, change: CardChange, now: Date, ref: MessageRef = {}): Promise<OutboxMessage> {
  const body = 'card' in change ? { template_card: change.card } : { button: { replace_name: change.replaceName } };
  return enqueue(m, { channel: 'update_card', payload: { userids, response_code: responseCode, ...body }, refType: ref.refType, refId: ref.refId, dedupeKey: ref.dedupeKey, now });
}

/** Greys a card's buttons with a note; without people or a code there is nothing to update. */
export async function greyCard(m: EntityManager, userids: string[], responseCode: string, text: string, now: Date, ref: MessageRef = {}): Promise<OutboxMessage | null> {
  if (!userids.length || !responseCode) return null;
  return updateCard(m, userids, responseCode, { replaceName: text }, now, ref);
}

/** Where the office group is reached: OFFICE_CHAT_ID, else OFFICE_ROBOT_WEBHOOK. */
export interface OfficeGroupConfig {
  officeChatId: string | null;
  officeRobotWebhook: string | null;
}

export type GroupChannel = 'appchat' | 'robot';

/** The office group (WECOM.md section 5): the app chat when OFFICE_CHAT_ID is set, else the robot. */
export function officeGroup(config: OfficeGroupConfig): GroupChannel | null {
  if (config.officeChatId) return 'appchat';
  if (config.officeRobotWebhook) return 'robot';
  return null;
}

/**
 * A text or markdown message to the office group. Robot rows name the robot ('office'),
 * never its address: the key stays out of the database and the dispatcher maps the name.
 * Returns null when no group is configured: the caller records the fact instead.
 */
export async function sendToOfficeGroup(
  m: EntityManager,
  config: OfficeGroupConfig,
  msg: { msgtype: 'text' | 'markdown'; content: string },
  now: Date,
  ref: MessageRef = {},
): Promise<{ channel: GroupChannel; outboxId: number } | null> {
  const channel = officeGroup(config);
  if (!channel) return null;
  const body = msg.msgtype === 'text' ? { msgtype: 'text', text: { content: msg.content } } : { msgtype: 'markdown', markdown: { content: msg.content } };
  const row =
    channel === 'appchat'
      ? await enqueue(m, { channel: 'appchat', payload: { chatid: config.officeChatId, ...body }, refType: ref.refType, refId: ref.refId, dedupeKey: ref.dedupeKey, now })
      : await enqueue(m, { channel: 'robot', payload: { webhook: 'office', message: body }, refType: ref.refType, refId: ref.refId, dedupeKey: ref.dedupeKey, now });
  return { channel, outboxId: row.id };
}

/** A markdown message to the office group (ref type OFFICE_GROUP_REF); null when no group is configured. */
export async function queueGroupMarkdown(
  m: EntityManager,
  config: OfficeGroupConfig,
  content: string,
  now: Date,
  ref: { id: string; dedupeKey?: string },
): Promise<{ channel: GroupChannel; outboxId: number } | null> {
  return sendToOfficeGroup(m, config, { msgtype: 'markdown', content }, now, { refType: OFFICE_GROUP_REF, refId: ref.id, dedupeKey: ref.dedupeKey });
}

/** WECOM.md section 5: app chat markdown and robot text are capped near 2048/4096 bytes. */
export const GROUP_MESSAGE_BYTES = 2000;

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
