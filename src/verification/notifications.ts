import { EntityManager, In, Like } from 'typeorm';
import { OutboxMessage, VerificationRequest } from '../../entities';
import { OFFICE_GROUP_REF, REMINDER_TEXT_REF } from '../wecom/messaging';
import { REF } from './notify';
import { staffLabels } from './history';

/**
 * Who was told what about a request (issue 18 item 10, the office's detail page): every
 * card, text and card update the outbox holds for it, to whom (name and role, from the
 * directory), when, and whether it was delivered. No message content: only its kind.
 */
export const NOTIFY_TEXT = {
  heading: '通知记录',
  what: { card: '卡片', text: '文字消息', update: '卡片更新', group: '办公室群消息' } as Record<NotificationKind, string>,
  state: { delivered: '已送达', pending: '待发送', failed: '发送失败' } as Record<NotificationState, string>,
  group: '联席会议办公室群',
  none: '暂无通知记录。',
  columns: ['时间', '对象', '方式', '状态'],
} as const;

export type NotificationKind = 'card' | 'text' | 'update' | 'group';
export type NotificationState = 'delivered' | 'pending' | 'failed';

export interface NotificationLine {
  at: Date;
  /** Names and roles, or the office group. */
  to: string[];
  kind: NotificationKind;
  state: NotificationState;
}

/** Outbox ref types of messages about one verification request (escalation ones are matched by escalation and order ids). */
const REQUEST_REFS = [REF.card, REF.cardUpdate, REF.notice, REF.text, REMINDER_TEXT_REF, 'holder_card_update'];
const ESCALATION_REFS = ['escalation_card', 'escalation_card_update', 'escalation_card_close'];

export async function notificationsOf(m: EntityManager, req: VerificationRequest, escalationIds: number[], orderIds: number[]): Promise<NotificationLine[]> {
  const repo = m.getRepository(OutboxMessage);
  const id = String(req.id);
  const queries: Array<Promise<OutboxMessage[]>> = [
    repo.find({ where: { refType: In(REQUEST_REFS), refId: id } }),
    repo.find({ where: { refType: In(REQUEST_REFS), refId: Like(`vr${id}%`) } }),
    repo.find({ where: { refType: In(REQUEST_REFS), refId: Like(`${id}:%`) } }),
  ];
  for (const e of escalationIds) queries.push(repo.find({ where: { refType: In(ESCALATION_REFS), refId: Like(`esc${e}%`) } }));
  if (orderIds.length) queries.push(repo.find({ where: { refType: 'office_order_notice', refId: In(orderIds.map(String)) } }));
  // Group reports name their escalations as "12" or "12,13": matched by pattern, then exactly.
  for (const e of escalationIds) {
    queries.push(repo.find({ where: { refType: OFFICE_GROUP_REF, refId: Like(`%${e}%`) } }).then((rows) => rows.filter((r) => (r.refId ?? '').split(',').includes(String(e)))));
  }
  const seen = new Set<number>();
  const rows = (await Promise.all(queries))
    .flat()
    // `vr1%` also matches vr10_..., `esc1%` esc12_...: keep the request's own.
    .filter((r) => ownRef(r.refId ?? '', id, escalationIds) && !seen.has(r.id) && seen.add(r.id))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  const targets = rows.map((r) => ({ row: r, ...targetsOf(r) }));
  const label = await staffLabels(m, targets.flatMap((t) => t.userids));
  return targets.map(({ row, userids, kind }) => ({
    at: row.sentAt ?? row.createdAt,
    to: kind === 'group' ? [NOTIFY_TEXT.group] : userids.map(label),
    kind,
    state: row.status === 'sent' ? 'delivered' : row.status === 'failed' ? 'failed' : 'pending',
  }));
}

function ownRef(ref: string, id: string, escalationIds: number[]): boolean {
  if (ref === id || ref.startsWith(`vr${id}_`) || ref.startsWith(`${id}:`)) return true;
  if (escalationIds.some((e) => ref.startsWith(`esc${e}_`))) return true;
  return /^\d+(,\d+)*$/.test(ref);
}

function targetsOf(r: OutboxMessage): { userids: string[]; kind: NotificationKind } {
  let p: Record<string, any> = {};
  try {
    p = JSON.parse(r.payload);
  } catch {
    // A payload we cannot read still counts as a message.
  }
  if (r.channel === 'appchat' || r.channel === 'robot') return { userids: [], kind: 'group' };
  if (r.channel === 'update_card') return { userids: Array.isArray(p.userids) ? p.userids : [], kind: 'update' };
  const userids = String(p.touser ?? '').split('|').filter(Boolean);
  return { userids, kind: p.msgtype === 'text' ? 'text' : 'card' };
}
