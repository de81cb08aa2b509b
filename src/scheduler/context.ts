import { DataSource, EntityManager } from 'typeorm';
import { VerificationRecipient, VerificationRequest } from '../../entities';
import { Config } from '../config';
import { Logger } from '../logger';
import { isAppError } from '../errors';
import { WorkingCalendar } from '../calendar';
import { GroupChannel, sendToOfficeGroup } from '../wecom/messaging';
import { OpContext } from '../verification/service';

/** What the deadline machinery needs; built from ModuleDeps (or another DataSource in tests). */
export interface DeadlineDeps {
  dataSource: DataSource;
  /** Read at use, not at start: OFFICE_CHAT_ID / OFFICE_ROBOT_WEBHOOK, PUBLIC_URL, OFFICE_TZ. */
  config: Config;
  calendar: () => Promise<WorkingCalendar>;
  log: Logger;
}

/** Outbox ref types of this module. */
export const REF = {
  text: 'deadline_text',
  escalationCard: 'escalation_card',
  escalationCardUpdate: 'escalation_card_update',
  orderNotice: 'office_order_notice',
  group: 'office_group',
} as const;

export function opContext(d: DeadlineDeps, cal: WorkingCalendar, now: Date): OpContext {
  return { cal, now, publicUrl: d.config.publicUrl, tz: d.config.officeTz };
}

export const OPEN_STATUSES = ['pending', 'accepted'] as const;

export function isOpen(req: Pick<VerificationRequest, 'status'>): boolean {
  return req.status === 'pending' || req.status === 'accepted';
}

export async function recipientsOf(m: EntityManager, requestId: number): Promise<VerificationRecipient[]> {
  return m.getRepository(VerificationRecipient).find({ where: { requestId }, order: { id: 'ASC' } });
}

export function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A markdown message to the office group; null when no group is configured. */
export async function queueGroupMarkdown(
  m: EntityManager,
  config: Config,
  content: string,
  now: Date,
  ref: { id: string; dedupeKey?: string },
): Promise<{ channel: GroupChannel; outboxId: number } | null> {
  return sendToOfficeGroup(m, config, { msgtype: 'markdown', content }, now, { refType: REF.group, refId: ref.id, dedupeKey: ref.dedupeKey });
}

/** WECOM.md section 5: app chat markdown and robot text are capped near 2048/4096 bytes. */
export const GROUP_MESSAGE_BYTES = 2000;

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * A job's domain failure (e.g. the calendar has no data for this year yet) becomes a report
 * line instead of ending the sweep: the other jobs still run. Anything else is rethrown.
 */
export async function reportDomainErrors(log: Logger, job: string, fn: () => Promise<Array<Record<string, unknown>>>): Promise<Array<Record<string, unknown>>> {
  try {
    return await fn();
  } catch (e) {
    if (!isAppError(e)) throw e;
    log.error({ job, code: e.code, err: e.message }, 'scheduler job failed');
    return [{ result: 'error', code: e.code, error: e.message }];
  }
}
