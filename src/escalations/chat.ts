import { Escalation, OpenQuestion, VerificationRequest } from '../../entities';
import { CallbackDispatcher, CardEvent, HandlerContext, TextMessage } from '../wecom/dispatcher';
import { AppError, isAppError } from '../errors';
import { shortTime } from '../calendar';
import { ORDER_QUESTION_KEY, escalationActionCard } from '../../cards/escalation.card';
import { DeadlineDeps, REF } from './deps';
import { sendText, updateCard } from '../wecom/messaging';
import { ask, askText, close, conversationOf, dataOf } from '../conversation';
import { isOfficeMember, staffName, unitNames } from '../directory/who';
import { escalationView, officeAction } from './escalations';
import { checkOfficeAction } from './summons';
import { CARD, ORDER_PRESET_LABEL, OrderPreset, SUMMONS, TEXT } from './messages';
import { HELP_WORDS } from '../assistant/messages';

type Kind = 'urge' | 'order' | 'summons';

interface SummonsQuestion {
  escalationId: number;
  taskId: string;
}

/** What a refused office action tells the member (null: not a person's mistake). */
async function refusal(hc: HandlerContext, err: AppError, escalationId: number, preset: OrderPreset): Promise<string | null> {
  const number = (await hc.manager.getRepository(Escalation).findOneBy({ id: escalationId }))?.number ?? '';
  switch (err.code) {
    case 'office_member_required':
      return TEXT.notOffice;
    case 'escalation_closed':
      return TEXT.alreadyClosed(number);
    case 'office_action_window_over':
      return TEXT.windowOver(number);
    case 'summons_not_late':
      return TEXT.notLate(number);
    case 'order_deadline_past':
      return TEXT.presetPast(ORDER_PRESET_LABEL[preset]);
    case 'escalation_not_found':
      return TEXT.unknownEscalation;
    default:
      return null;
  }
}

/**
 * The office member's buttons on an escalation card (SPEC 1 Art. 11). A person's mistake
 * (not in the office, request closed, a preset time already past) is answered in the chat
 * and changes nothing. 约谈 is not one tap: it asks for the effect of the late answer, and
 * that reply confirms it.
 */
export function registerOfficeActionHandlers(dispatcher: CallbackDispatcher, d: DeadlineDeps): void {
  const conv = conversationOf(dispatcher);
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
      if (kind === 'summons') return await askSummons(e, hc, escalationId, reply);
      const r = await officeAction(m, d, cal, escalationId, { kind: 'staff', userid: e.from }, kind === 'order' ? { kind, preset } : { kind }, now);
      const view = await escalationView(m, d, cal, r.escalation, now);
      await updateCard(m, [e.from], e.responseCode, { card: escalationActionCard(view, e.taskId, now, r.done) }, now, { refType: REF.escalationCardUpdate, refId: e.taskId });
      const n = r.request.number;
      if (r.repeated) return reply(TEXT.urgeRepeated(n), 'repeated');
      await reply(kind === 'urge' ? TEXT.urgeDone(n) : TEXT.orderDone(n, shortTime(d.config.officeTz, r.order.completeBy!)), 'done');
      hc.log.info({ action: kind, escalationId, orderId: r.order.id }, 'office action');
    } catch (err) {
      if (!isAppError(err)) throw err;
      hc.log.warn({ action: kind, escalationId, code: err.code }, 'office action refused');
      const text = await refusal(hc, err, escalationId, preset);
      if (text === null) throw err;
      if (err.code === 'escalation_closed' || err.code === 'office_action_window_over') {
        await updateCard(m, [e.from], e.responseCode, { replaceName: CARD.closedButton }, now, { refType: REF.escalationCardUpdate, refId: e.taskId });
      }
      return reply(text, 'refused');
    }
  };

  /** Checks what can be checked now, then asks for the effect (the reply confirms the summons). */
  async function askSummons(e: CardEvent, hc: HandlerContext, escalationId: number, reply: (t: string, tag: string) => Promise<void>): Promise<void> {
    const m = hc.manager;
    const esc = await m.getRepository(Escalation).findOneBy({ id: escalationId });
    if (!esc) throw new AppError('escalation_not_found', `no escalation ${escalationId}`);
    if (!(await isOfficeMember(m, e.from))) throw new AppError('office_member_required', `${e.from} is not a member of the office`);
    const req = await m.getRepository(VerificationRequest).findOneByOrFail({ id: esc.requestId });
    checkOfficeAction(req, 'summons', hc.now);
    const unit = (await unitNames(m, [req.issuerUnit])).get(req.issuerUnit) ?? req.issuerUnit;
    const person = req.assignee ? await staffName(m, req.assignee) : SUMMONS.unitHead;
    const asked = { module: 'escalations' as const, subject: String(esc.id), kind: 'summons_reason' as const };
    const replaced = await ask(m, { person: e.from, ...asked, label: SUMMONS.label(req.number), data: { escalationId, taskId: e.taskId } satisfies SummonsQuestion, responseCode: e.responseCode, now: hc.now });
    await reply(askText(TEXT.summonsAsk(req.number, unit, person), replaced, asked), 'ask');
  }

  conv.answers('escalations', {
    async answer(q: OpenQuestion, msg: TextMessage, hc: HandlerContext) {
      const text = msg.content.trim();
      const data = dataOf<SummonsQuestion>(q);
      const reply = (t: string, tag: string) => sendText(hc.manager, msg.from, t, hc.now, { refType: REF.text, refId: `esc:${data.escalationId}`, dedupeKey: `office-reply:${hc.inboxId}:${tag}` });
      // A command word is not the effect of a late answer.
      if (!text || HELP_WORDS.includes(text.toLowerCase())) {
        await reply(TEXT.summonsReasonEmpty, 'empty');
        return 'handled';
      }
      const cal = await d.calendar();
      try {
        const r = await officeAction(hc.manager, d, cal, data.escalationId, { kind: 'staff', userid: msg.from }, { kind: 'summons', note: text }, hc.now);
        await close(hc.manager, msg.from);
        if (q.responseCode) {
          const view = await escalationView(hc.manager, d, cal, r.escalation, hc.now);
          await updateCard(hc.manager, [msg.from], q.responseCode, { card: escalationActionCard(view, data.taskId, hc.now, r.done) }, hc.now, { refType: REF.escalationCardUpdate, refId: data.taskId });
        }
        await reply(TEXT.summonsDone(r.request.number), 'done');
      } catch (err) {
        if (!isAppError(err)) throw err;
        const t = await refusal(hc, err, data.escalationId, '2h');
        if (t === null) throw err;
        await close(hc.manager, msg.from);
        await reply(t, 'refused');
      }
      return 'handled';
    },
    async cancel(q: OpenQuestion, hc: HandlerContext) {
      const esc = await hc.manager.getRepository(Escalation).findOneBy({ id: dataOf<SummonsQuestion>(q).escalationId });
      return { text: TEXT.summonsCancelled(esc?.number ?? '') };
    },
  });

  dispatcher.onCardAction('office_urge', handler('urge'));
  dispatcher.onCardAction('office_order', handler('order'));
  dispatcher.onCardAction('office_summons', handler('summons'));
}
