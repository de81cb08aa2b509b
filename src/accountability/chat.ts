import { AccountabilityCase } from '../../entities';
import { CallbackDispatcher, CardEvent, HandlerContext } from '../wecom/dispatcher';
import { ask, askText, close, conversationOf } from '../conversation';
import { greyCard } from '../wecom/messaging';
import { isAppError } from '../errors';
import { EXEMPTION_GROUNDS } from './codes';
import { CARD, EXEMPTION_LABEL, REFUSAL, TEXT } from './messages';
import { applyForExemption, recordAppeal } from './steps';
import { textTo } from './notify';

const MODULE = 'accountability';

/** "4 当日已补办" / "4、当日已补办": an Art. 8 ground by its number, then the explanation. */
const EXEMPTION_FORM = /^\s*([1-5])\s*[、.．,，:：\s]\s*([\s\S]+)$/;

function groundsList(): string {
  return EXEMPTION_GROUNDS.map((g, i) => `${i + 1}. ${EXEMPTION_LABEL[g]}`).join('\n');
}

async function personCase(hc: HandlerContext, e: CardEvent): Promise<AccountabilityCase | null> {
  const id = /^\d{1,10}$/.test(e.arg) ? Number(e.arg) : NaN;
  const c = Number.isSafeInteger(id) ? await hc.manager.getRepository(AccountabilityCase).findOneBy({ id }) : null;
  if (c && c.personUserid === e.from) return c;
  await textTo(hc.manager, e.from, TEXT.notYours, hc.now, `${hc.inboxId}:not-yours`);
  return null;
}

function refusal(err: unknown): string {
  if (!isAppError(err)) throw err;
  return TEXT.refused(REFUSAL[err.code] ?? err.message);
}

/**
 * SPEC 4 in WeCom: the person concerned asks for a review or appeal (Art. 6) or for an
 * exemption (Art. 7-8) from the buttons of their case card; the bot asks for the reason in
 * the chat, and the next text answers it (the one open question of src/conversation).
 */
export function registerAccountabilityHandlers(dispatcher: CallbackDispatcher): void {
  const conversation = conversationOf(dispatcher);

  dispatcher.onCardAction('acc_appeal', async (e, hc) => {
    const c = await personCase(hc, e);
    if (!c) return;
    const asked = { module: MODULE, subject: String(c.id), kind: 'appeal_reason' } as const;
    const older = await ask(hc.manager, { person: e.from, ...asked, label: TEXT.label(c.id, CARD.appealButton), responseCode: e.responseCode, now: hc.now });
    await textTo(hc.manager, e.from, askText(TEXT.askAppeal(c.id), older, asked), hc.now, `${hc.inboxId}:ask`);
  });

  dispatcher.onCardAction('acc_exempt', async (e, hc) => {
    const c = await personCase(hc, e);
    if (!c) return;
    const asked = { module: MODULE, subject: String(c.id), kind: 'exemption_form' } as const;
    const older = await ask(hc.manager, { person: e.from, ...asked, label: TEXT.label(c.id, CARD.exemptButton), responseCode: e.responseCode, now: hc.now });
    await textTo(hc.manager, e.from, askText(TEXT.askExemption(c.id, groundsList()), older, asked), hc.now, `${hc.inboxId}:ask`);
  });

  dispatcher.onCardAction('acc_ok', async (e, hc) => {
    await greyCard(hc.manager, [e.from], e.responseCode, CARD.seen, hc.now, { refType: 'accountability_card_update', refId: e.taskId });
  });

  conversation.answers(MODULE, {
    answer: async (q, msg, hc) => {
      const id = Number(q.subject);
      const by = { kind: 'person', userid: msg.from } as const;
      let reply: string;
      if (q.kind === 'appeal_reason') {
        try {
          await recordAppeal(hc.manager, id, msg.content, by, hc.now);
          reply = TEXT.appealFiled(id);
        } catch (err) {
          reply = refusal(err);
        }
      } else {
        const form = EXEMPTION_FORM.exec(msg.content);
        if (!form) {
          // The question stays open: the next text tries again.
          await textTo(hc.manager, msg.from, TEXT.exemptionFormat, hc.now, `${hc.inboxId}:format`);
          return 'handled';
        }
        try {
          await applyForExemption(hc.manager, id, { ground: EXEMPTION_GROUNDS[Number(form[1]) - 1], explanation: form[2] }, by, hc.now);
          reply = TEXT.exemptionFiled(id);
        } catch (err) {
          reply = refusal(err);
        }
      }
      await close(hc.manager, msg.from);
      await textTo(hc.manager, msg.from, reply, hc.now, `${hc.inboxId}:answer`);
      return 'handled';
    },
  });
}
