import { DataSource, EntityManager, In } from 'typeorm';
import { Staff, Unit, VerificationRecipient, VerificationRequest } from '../../entities';
import { Config } from '../config';
import { Logger } from '../logger';
import { isAppError } from '../errors';
import { WorkingCalendar } from '../calendar';
import { enqueue } from '../wecom/outbox';
import { isAway } from '../directory/rules';
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

export async function unitNames(m: EntityManager, codes: string[]): Promise<Map<string, string>> {
  const uniq = [...new Set(codes.filter(Boolean))];
  if (!uniq.length) return new Map();
  const units = await m.getRepository(Unit).findBy({ code: In(uniq) });
  return new Map(units.map((u) => [u.code, u.name]));
}

export async function staffNames(m: EntityManager, userids: Array<string | null>): Promise<Map<string, string>> {
  const uniq = [...new Set(userids.filter((u): u is string => !!u))];
  if (!uniq.length) return new Map();
  const staff = await m.getRepository(Staff).findBy({ userid: In(uniq) });
  return new Map(staff.map((s) => [s.userid, s.name]));
}

/** Present first; when everyone is away, everyone (somebody must hear it). */
function preferPresent(staff: Staff[], today: string): Staff[] {
  const present = staff.filter((s) => !isAway(s, today));
  return present.length ? present : staff;
}

/** Staff of the office (units flagged isOffice): they act on escalations. */
export async function officeMembers(m: EntityManager, today: string): Promise<Staff[]> {
  const units = await m.getRepository(Unit).findBy({ isOffice: true });
  if (!units.length) return [];
  const staff = await m.getRepository(Staff).find({ where: { unitCode: In(units.map((u) => u.code)) }, order: { userid: 'ASC' } });
  return preferPresent(staff, today);
}

export async function isOfficeMember(m: EntityManager, userid: string): Promise<Staff | null> {
  const s = await m.getRepository(Staff).findOneBy({ userid });
  if (!s) return null;
  const u = await m.getRepository(Unit).findOneBy({ code: s.unitCode });
  return u?.isOffice ? s : null;
}

export async function unitLiaisons(m: EntityManager, unitCode: string, today: string): Promise<Staff[]> {
  const staff = await m.getRepository(Staff).find({ where: { unitCode, role: 'liaison' }, order: { userid: 'ASC' } });
  return preferPresent(staff, today);
}

/** The issuing unit's accountable people now: the owner once accepted, and its liaisons. */
export async function ownerAndLiaisons(m: EntityManager, req: VerificationRequest, today: string): Promise<string[]> {
  const liaisons = (await unitLiaisons(m, req.issuerUnit, today)).map((s) => s.userid);
  return uniq([...(req.assignee ? [req.assignee] : []), ...liaisons]);
}

export async function recipientsOf(m: EntityManager, requestId: number): Promise<VerificationRecipient[]> {
  return m.getRepository(VerificationRecipient).find({ where: { requestId }, order: { id: 'ASC' } });
}

export function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** One text message, idempotent by its key (a retried item never queues it twice). */
export async function queueText(m: EntityManager, touser: string, content: string, now: Date, refId: string, dedupeKey: string): Promise<void> {
  await enqueue(m, { channel: 'message', payload: { touser, msgtype: 'text', text: { content } }, refType: REF.text, refId, dedupeKey, now });
}

export type GroupChannel = 'appchat' | 'robot';

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
      ? await enqueue(m, { channel: 'appchat', payload: { chatid: config.officeChatId, msgtype: 'markdown', markdown: { content } }, refType: REF.group, refId: ref.id, dedupeKey: ref.dedupeKey, now })
      : await enqueue(m, { channel: 'robot', payload: { webhook: 'office', message: { msgtype: 'markdown', markdown: { content } } }, refType: REF.group, refId: ref.id, dedupeKey: ref.dedupeKey, now });
  return { channel, outboxId: row.id };
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
