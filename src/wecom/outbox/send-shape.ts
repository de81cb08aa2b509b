import type { OutboxMessage } from '../../../entities/OutboxMessage';
import { WeComClient } from '../client';
import { robotKey } from '../pacer';
import type { RobotOutboxPayload } from '../types';
import { isObject, recipientsOf } from './write';

/** How rows go out: lanes of rows that may be sent at once, and what keeps a resend recognisable. */

/**
 * Appends the row id in zero-width characters to text/markdown content: invisible to the
 * reader, identical on a resend of the same row (so WeCom's duplicate check, which compares
 * the request JSON, still drops a crash resend), different between rows (so a repeated
 * identical reply, e.g. a re-asked question, is not dropped). Skipped when it would not fit.
 */
export function tagDistinct(payload: Record<string, any>, id: number): Record<string, any> {
  const type = String(payload.msgtype);
  if (type !== 'text' && type !== 'markdown') return payload;
  const inner = payload[type];
  if (!isObject(inner) || typeof inner.content !== 'string') return payload;
  const tag = `\u2060${id.toString(2).replace(/0/g, '\u200b').replace(/1/g, '\u200c')}`;
  if (Buffer.byteLength(inner.content) + Buffer.byteLength(tag) > 2048) return payload;
  return { ...payload, [type]: { ...inner, content: `${inner.content}${tag}` } };
}

/** Groups rows whose recipients overlap (union-find over recipient keys), keeping row order. */
export function lanesOf(rows: OutboxMessage[]): OutboxMessage[][] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  const keysOf = (row: OutboxMessage) => {
    const ks = row.recipients ? row.recipients.split('|').filter(Boolean) : [];
    return ks.length ? ks : [`row:${row.id}`];
  };
  for (const row of rows) {
    const ks = keysOf(row);
    for (const k of ks) if (!parent.has(k)) parent.set(k, k);
    for (const k of ks.slice(1)) parent.set(find(k), find(ks[0]));
  }
  const lanes = new Map<string, OutboxMessage[]>();
  for (const row of rows) {
    const root = find(keysOf(row)[0]);
    const lane = lanes.get(root) ?? [];
    lane.push(row);
    lanes.set(root, lane);
  }
  return [...lanes.values()];
}

/** The kf msgid of a row: [0-9a-zA-Z_-], at most 32 bytes, unique across database resets. */
export function kfMsgId(row: Pick<OutboxMessage, 'id' | 'createdAt'>): string {
  return `nc${row.id.toString(36)}_${row.createdAt.getTime().toString(36)}`;
}

/** The call a row makes and its pacing keys. */
export function callOf(row: OutboxMessage, c: WeComClient, dupSeconds: number, robots: Record<string, string> | undefined): { send: () => Promise<Record<string, unknown>>; keys: string[] } {
  const payload: unknown = JSON.parse(row.payload);
  if (!isObject(payload)) throw new Error('payload is not a JSON object');
  const keys = row.recipients ? row.recipients.split('|').filter(Boolean) : recipientsOf(row.channel, payload);
  switch (row.channel) {
    case 'message': {
      // WeCom drops a resend of the same request JSON within the interval (crash recovery);
      // the row's invisible tag keeps two rows with the same text both deliverable.
      const body = { ...tagDistinct(payload, row.id), msgtype: String(payload.msgtype), enable_duplicate_check: 1 as const, duplicate_check_interval: dupSeconds };
      return { send: () => c.sendMessage(body) as Promise<any>, keys };
    }
    case 'update_card':
      return { send: () => c.updateTemplateCard(payload as any) as Promise<any>, keys };
    case 'appchat':
      return { send: () => c.appchatSend(payload as any) as Promise<any>, keys };
    case 'robot': {
      const p = payload as Partial<RobotOutboxPayload>;
      if (typeof p.webhook !== 'string' || !isObject(p.message)) throw new Error('robot payload needs {webhook, message}');
      const url = robots?.[p.webhook] ?? p.webhook;
      if (!/^https?:\/\//.test(url)) throw new Error('robot webhook is neither a configured name nor an address');
      const message = p.message as RobotOutboxPayload['message'];
      return { send: () => c.robotSend(url, message) as Promise<any>, keys: [robotKey(url)] };
    }
    case 'kf': {
      const body = { ...payload, msgid: typeof payload.msgid === 'string' ? payload.msgid : kfMsgId(row) };
      // kf limits (48 h / 5 messages) come back as errors, not silent drops: no pacing.
      return { send: () => c.kfSendMsg(body as any) as Promise<any>, keys: [] };
    }
    case 'kf_event': {
      const body = { ...payload, msgid: typeof payload.msgid === 'string' ? payload.msgid : kfMsgId(row) };
      return { send: () => c.kfSendMsgOnEvent(body as any) as Promise<any>, keys: [] };
    }
    default:
      throw new Error(`unknown channel ${String(row.channel)}`);
  }
}
