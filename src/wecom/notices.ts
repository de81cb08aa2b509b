import { EntityManager } from 'typeorm';
import { Config } from '../config';
import { enqueue } from './outbox';

/** Outbox ref type of the reminder and warning texts the scheduler's jobs queue. */
export const REMINDER_TEXT_REF = 'deadline_text';

/** One text message, idempotent by its key (a retried item never queues it twice). */
export async function queueText(m: EntityManager, touser: string, content: string, now: Date, ref: { type: string; id: string; dedupeKey: string }): Promise<void> {
  await enqueue(m, { channel: 'message', payload: { touser, msgtype: 'text', text: { content } }, refType: ref.type, refId: ref.id, dedupeKey: ref.dedupeKey, now });
}

export type GroupChannel = 'appchat' | 'robot';

/** Outbox ref type of messages to the office group. */
export const OFFICE_GROUP_REF = 'office_group';

/** The office group (WECOM.md section 5): the app chat when OFFICE_CHAT_ID is set, else the robot. */
export function officeGroup(config: Config): GroupChannel | null {
  if (config.officeChatId) return 'appchat';
  if (config.officeRobotWebhook) return 'robot';
  return null;
}

/**
 * A markdown message to the office group. Robot rows name the robot ('office'), never
 * its address (the key stays out of the database; src/system.ts maps the name).
 * Returns null when no group is configured: the caller records the fact instead.
 */
export async function queueGroupMarkdown(
  m: EntityManager,
  config: Config,
  content: string,
  now: Date,
  ref: { id: string; dedupeKey?: string },
): Promise<{ channel: GroupChannel; outboxId: number } | null> {
  const channel = officeGroup(config);
  if (!channel) return null;
  const row =
    channel === 'appchat'
      ? await enqueue(m, { channel: 'appchat', payload: { chatid: config.officeChatId, msgtype: 'markdown', markdown: { content } }, refType: OFFICE_GROUP_REF, refId: ref.id, dedupeKey: ref.dedupeKey, now })
      : await enqueue(m, { channel: 'robot', payload: { webhook: 'office', message: { msgtype: 'markdown', markdown: { content } } }, refType: OFFICE_GROUP_REF, refId: ref.id, dedupeKey: ref.dedupeKey, now });
  return { channel, outboxId: row.id };
}

/** WECOM.md section 5: app chat markdown and robot text are capped near 2048/4096 bytes. */
export const GROUP_MESSAGE_BYTES = 2000;

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
