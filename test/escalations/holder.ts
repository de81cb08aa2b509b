import type { Harness } from '../helpers/system';
import { lastCard } from '../helpers/inbox';

/** The holder's card of a request as the phone shows it now: the newest generation, after its updates. */
export function holderCard(h: Harness, userid: string, requestId: number): { taskId: string; card: any; replaceName?: string } | undefined {
  const last = lastCard(h, userid, `vr${requestId}_`);
  if (!last) return undefined;
  const st = h.emu.cardState(userid, last.taskId)!;
  return { taskId: last.taskId, card: st.card, replaceName: st.replace_name };
}

/** What reached a person about one request since a mark: new messages (cards, texts) and card updates. */
export function traffic(h: Harness, userid: string, requestId: number, number: string, since: number, updatesSince = 0): { cards: number; texts: number; updates: number } {
  const mine = h.emu.delivered({ touser: userid }).filter((d) => d.seq > since);
  const cards = mine.filter((d) => d.msgtype === 'template_card' && (String(d.payload.task_id).startsWith(`vr${requestId}_`) || String(d.payload.card_action?.url ?? '').endsWith(`/v/${requestId}`)));
  const texts = mine.filter((d) => d.msgtype === 'text' && String(d.payload.content).includes(number));
  const updates = h.emu
    .cardUpdates()
    .slice(updatesSince)
    .filter((u: any) => u.userids.includes(userid) && String(u.task_id).startsWith(`vr${requestId}_`));
  return { cards: cards.length, texts: texts.length, updates: updates.length };
}

/** Every card of the request on a person's phone that still offers buttons (none, once it is finished). */
export function liveCards(h: Harness, userid: string, requestId: number): string[] {
  const tasks = new Set(
    h.emu
      .delivered({ touser: userid, msgtype: 'template_card' })
      .map((d) => String(d.payload.task_id))
      .filter((t) => t.startsWith(`vr${requestId}_`)),
  );
  return [...tasks].filter((t) => {
    const st = h.emu.cardState(userid, t);
    return st && !st.replace_name && Array.isArray(st.card.button_list) && st.card.button_list.length > 0;
  });
}
