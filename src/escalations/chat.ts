import { Escalation } from '../../entities';
import { CallbackDispatcher, CardEvent, HandlerContext } from '../wecom/dispatcher';
import { isAppError } from '../errors';
import { shortTime } from '../calendar';
import { ORDER_QUESTION_KEY, escalationActionCard } from '../../cards/escalation.card';
import { DeadlineDeps, REF } from './deps';
import { sendText, updateCard } from '../wecom/messaging';
import { escalationView, officeAction } from './escalations';
import { CARD, ORDER_PRESET_LABEL, OrderPreset, TEXT } from './messages';

type Kind = 'urge' | 'order' | 'summons';

/**
 * The office member's buttons on an escalation card (SPEC 1 Art. 11). A person's mistake
 * (not in the office, request already closed, a preset time already past) is answered in
 * the chat and changes nothing.
 */
export function registerOfficeActionHandlers(dispatcher: CallbackDispatcher, d: DeadlineDeps): void {
  const handler = (kind: Kind) => async (e: CardEvent, hc: HandlerContext) => {
    const m = hc.manager;
    const now = hc.now;
    const cal = await d.calendar();
    const escalationId = Number(e.arg);
    const picked = e.selected.find((s) => s.questionKey === ORDER_QUESTION_KEY)?.optionIds[0];
    const preset: OrderPreset = picked && picked in ORDER_PRESET_LABEL ? (picked as OrderPreset) : '2h';
    const reply = async (text: string, tag: string): Promise<void> => {
      await sendText(m, e.from, text, now, { refType: REF.text, refId: `esc:${e.arg}`, dedupeKey: `office-reply:${hc.inboxId}:${tag}` });
    };
    try {
      const r = await officeAction(m, d, cal, escalationId, { kind: 'staff', userid: e.from }, kind === 'order' ? { kind, preset } : { kind }, now);
      const view = await escalationView(m, d, cal, r.escalation, now);
      await updateCard(m, [e.from], e.responseCode, { card: escalationActionCard(view, e.taskId, now, r.done) }, now, { refType: REF.escalationCardUpdate, refId: e.taskId });
      const n = r.request.number;
      await reply(kind === 'urge' ? TEXT.urgeDone(n) : kind === 'order' ? TEXT.orderDone(n, shortTime(d.config.officeTz, r.order.completeBy!)) : TEXT.summonsDone(n), 'done');
      hc.log.info({ action: kind, escalationId, orderId: r.order.id }, 'office action');
    } catch (err) {
      if (!isAppError(err)) throw err;
      hc.log.warn({ action: kind, escalationId, code: err.code }, 'office action refused');
      switch (err.code) {
        case 'office_member_required':
          return reply(TEXT.notOffice, 'refused');
        case 'escalation_closed': {
          const esc = await m.getRepository(Escalation).findOneBy({ id: escalationId });
          await updateCard(m, [e.from], e.responseCode, { replaceName: CARD.closedButton }, now, { refType: REF.escalationCardUpdate, refId: e.taskId });
          return reply(TEXT.alreadyClosed(esc?.number ?? ''), 'refused');
        }
        case 'order_deadline_past':
          return reply(TEXT.presetPast(ORDER_PRESET_LABEL[preset]), 'refused');
        case 'escalation_not_found':
          return reply(TEXT.unknownEscalation, 'refused');
        default:
          throw err;
      }
    }
  };
  dispatcher.onCardAction('office_urge', handler('urge'));
  dispatcher.onCardAction('office_order', handler('order'));
  dispatcher.onCardAction('office_summons', handler('summons'));
}
