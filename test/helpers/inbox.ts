import type { KfSentMessage } from '../../src/sandbox';
import type { Harness } from './system';

/**
 * Reading what the emulator delivered. It keeps its log across tests: take a `mark` first
 * and read only what came after it.
 */
export function mark(h: Harness): number {
  return h.emu.delivered().reduce((n, d) => Math.max(n, d.seq), 0);
}

/** Texts delivered to a member since a mark. */
export function textsTo(h: Harness, userid: string, since = 0): string[] {
  return h.emu
    .delivered({ touser: userid, msgtype: 'text' })
    .filter((d) => d.seq > since)
    .map((d) => String(d.payload.content ?? ''));
}

export interface DeliveredCard {
  taskId: string;
  card: any;
}

/** Template cards delivered to a member since a mark (newest last). */
export function cardsTo(h: Harness, userid: string, since = 0): DeliveredCard[] {
  return h.emu
    .delivered({ touser: userid, msgtype: 'template_card' })
    .filter((d) => d.seq > since)
    .map((d) => ({ taskId: String(d.payload.task_id), card: d.payload }));
}

/** The newest card of a member whose task_id starts with a prefix (of one card type, if given). */
export function lastCard(h: Harness, userid: string, prefix: string, cardType?: string): DeliveredCard | undefined {
  const d = cardsTo(h, userid).filter((x) => x.taskId.startsWith(prefix) && (!cardType || x.card.card_type === cardType));
  return d[d.length - 1];
}

/** The request card a member got for a verification request (the one with buttons). */
export function cardOf(h: Harness, userid: string, requestId: number): DeliveredCard | undefined {
  return lastCard(h, userid, `vr${requestId}_`, 'button_interaction');
}

/** text_notice cards a member got about one verification request (linked to its detail page). */
export function noticesTo(h: Harness, userid: string, requestId: number): any[] {
  return h.emu
    .delivered({ touser: userid, msgtype: 'template_card' })
    .map((d) => d.payload)
    .filter((c) => c.card_type === 'text_notice' && String(c.card_action?.url ?? '').endsWith(`/v/${requestId}`));
}

/** What a kf message says, as one string (text content, or menu head + items + tail). */
export function kfContent(m: KfSentMessage): string {
  if (m.msgtype === 'text') return String(m.payload.content ?? '');
  if (m.msgtype === 'msgmenu') {
    const items = (m.payload.list ?? []).map((i: any) => `[${i.click?.id}:${i.click?.content}]`).join(' ');
    return `${m.payload.head_content ?? ''}\n${items}\n${m.payload.tail_content ?? ''}`;
  }
  return JSON.stringify(m.payload);
}

/** The member types a text; returns the texts they got back. */
export async function say(h: Harness, userid: string, text: string): Promise<string[]> {
  const m = mark(h);
  await h.emu.sendText(userid, text);
  await h.sys.settle();
  return textsTo(h, userid, m);
}
