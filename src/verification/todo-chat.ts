import type { CallbackDispatcher } from '../wecom/dispatcher';
import type { WorkingCalendar } from '../calendar';
import { conversationOf } from '../conversation';
import { sendText } from '../wecom/messaging';
import { openWorkLines, openWorkOf } from './resolve-number';
import { TODO } from './messages';

/** `待办`: the person's open requests in one message, most urgent first (unit, item, deadline). */
export function registerTodoCommand(dispatcher: CallbackDispatcher, deps: { calendar: () => Promise<WorkingCalendar>; tz: string }): void {
  conversationOf(dispatcher).command('verification', {
    name: 'todo',
    matches: (text) => TODO.words.includes(text),
    async run(msg, hc) {
      const work = await openWorkOf(hc.manager, msg.from);
      const cal = await deps.calendar();
      const text = work.length ? [TODO.header(work.length), ...(await openWorkLines(hc.manager, cal, deps.tz, work, hc.now)), TODO.footer].join('\n') : TODO.none;
      await sendText(hc.manager, msg.from, text, hc.now, { refType: 'verification_text', refId: msg.from, dedupeKey: `todo:${hc.inboxId}` });
      return 'handled';
    },
  });
}
