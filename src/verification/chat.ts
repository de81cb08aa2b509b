import { EntityManager } from 'typeorm';
import { OpenQuestion, VerificationRequest } from '../../entities';
import type { DeadlineCategory } from '../calendar';
import { isAppError } from '../errors';
import { CallbackDispatcher, CardEvent, HandlerContext, TextMessage } from '../wecom/dispatcher';
import { Logger } from '../logger';
import { WORDS, TEXT } from './messages';
import { queueText } from './notify';
import { close, conversationOf, dataOf } from '../conversation';
import { OpContext, CATEGORY_RANK, loadForUpdate } from './common';
import { staffName } from '../directory/who';
import { answerRequest, changeCategory, giveReturnReason, handleClick } from './decide';
import { QuestionData, askVerification } from './questions';

type Word = (typeof WORDS)[keyof Omit<typeof WORDS, 'cancel'>];

/** "核验一致", "核验不一致 HC20261126-0001", ... (CONTRACT.md chat words). */
export function parseCommand(text: string): { word: Word; number: string | null } | null {
  const m = /^\s*(核验一致|核验不一致|转纸质档案|转历史档案)\s*[:：]?\s*(HC\d{8}-\d{4,})?\s*$/i.exec(text);
  if (!m) return null;
  return { word: m[1] as Word, number: m[2] ? m[2].toUpperCase() : null };
}

const TO_CATEGORY: Partial<Record<Word, DeadlineCategory>> = { [WORDS.toPaper]: 'paper', [WORDS.toHistorical]: 'historical' };

export interface ChatDeps {
  opContext: (now: Date) => Promise<OpContext>;
  log: Logger;
}

async function reply(m: EntityManager, to: string, text: string, now: Date, ref: string): Promise<void> {
  await queueText(m, to, text, now, ref);
}

/** The request a command is about: the one named, or the sender's only accepted request. */
async function target(m: EntityManager, from: string, cmd: { word: Word; number: string | null }, now: Date): Promise<VerificationRequest | null> {
  const repo = m.getRepository(VerificationRequest);
  if (cmd.number) {
    const req = await loadForUpdate(m, { number: cmd.number });
    if (!req) {
      await reply(m, from, TEXT.unknownNumber(cmd.number), now, 'chat');
      return null;
    }
    if (req.status === 'pending') {
      await reply(m, from, TEXT.notAccepted(req.number), now, String(req.id));
      return null;
    }
    if (req.assignee !== from) {
      await reply(m, from, TEXT.notOwner(req.number, await staffName(m, req.assignee)), now, String(req.id));
      return null;
    }
    if (req.status !== 'accepted') {
      await reply(m, from, TEXT.notAnswerable(req.number, req.status), now, String(req.id));
      return null;
    }
    return req;
  }
  const mine = await repo.find({ where: { assignee: from, status: 'accepted' }, order: { acceptedAt: 'ASC' }, take: 10 });
  if (!mine.length) {
    await reply(m, from, TEXT.noOpenRequest, now, 'chat');
    return null;
  }
  if (mine.length > 1) {
    await reply(m, from, TEXT.ambiguous(mine.map((r) => r.number), cmd.word), now, 'chat');
    return null;
  }
  const req = await loadForUpdate(m, { id: mine[0].id });
  if (!req || req.status !== 'accepted' || req.assignee !== from) {
    await reply(m, from, TEXT.noOpenRequest, now, 'chat');
    return null;
  }
  return req;
}

/**
 * Card clicks (受理 / 退回), the owner's chat words (commands, matched before any free
 * text) and the answers to the module's open questions. Handlers never throw for a person's
 * mistake: they answer in the chat or on the card and change nothing.
 */
export function registerVerificationHandlers(dispatcher: CallbackDispatcher, deps: ChatDeps): void {
  const onClick = (kind: 'accept' | 'return') => async (e: CardEvent, hc: HandlerContext) => {
    const ctx = await deps.opContext(hc.now);
    const outcome = await handleClick(hc.manager, ctx, kind, { from: e.from, requestId: Number(e.arg), taskId: e.taskId, responseCode: e.responseCode });
    const log = { action: kind, requestId: e.arg, taskId: e.taskId, outcome };
    if (outcome === 'rejected') hc.log.warn(log, 'verification card click rejected: not this person\'s card of that request');
    else hc.log.info(log, 'verification card click');
  };
  dispatcher.onCardAction('verif_accept', onClick('accept'));
  dispatcher.onCardAction('verif_return', onClick('return'));

  const conversation = conversationOf(dispatcher);
  const refused = async (hc: HandlerContext, from: string, e: unknown, number: string) => {
    // Checks run before writes, so nothing was changed; tell the person.
    if (!isAppError(e)) throw e;
    hc.log.warn({ code: e.code, from }, 'verification chat action refused');
    await reply(hc.manager, from, TEXT.failed(number), hc.now, 'chat');
  };

  conversation.command('verification', {
    name: 'verification-words',
    matches: (text) => parseCommand(text) !== null,
    run: async (msg, hc) => {
      const { manager: m, now } = hc;
      const cmd = parseCommand(msg.content)!;
      const ctx = await deps.opContext(now);
      try {
        const req = await target(m, msg.from, cmd, now);
        if (!req) return 'handled';
        if (cmd.word === WORDS.match) {
          await answerRequest(m, ctx, req, { kind: 'staff', userid: msg.from }, 'match', null);
        } else if (cmd.word === WORDS.mismatch) {
          await askVerification(m, msg.from, req, 'mismatch_details', null, now);
        } else {
          const to = TO_CATEGORY[cmd.word]!;
          if (CATEGORY_RANK[to] <= CATEGORY_RANK[req.category]) {
            await reply(m, msg.from, TEXT.categoryNotLonger(req.number, req.category), now, String(req.id));
            return 'handled';
          }
          await askVerification(m, msg.from, req, 'category_reason', to, now);
        }
      } catch (e) {
        await refused(hc, msg.from, e, cmd.number ?? '');
      }
      return 'handled';
    },
  });

  conversation.answers('verification', {
    answer: async (q, msg, hc) => {
      const ctx = await deps.opContext(hc.now);
      try {
        return await answerQuestion(hc.manager, ctx, q, msg);
      } catch (e) {
        const req = await hc.manager.getRepository(VerificationRequest).findOneBy({ id: Number(q.subject) });
        await refused(hc, msg.from, e, req?.number ?? '');
        return 'handled';
      }
    },
    cancel: async (q, hc) => {
      const req = await hc.manager.getRepository(VerificationRequest).findOneBy({ id: Number(q.subject) });
      // A return cannot be undone (the other cards are closed): it still needs its reason.
      if (q.kind === 'return_reason' && req && req.status === 'returned' && !req.returnReason) return { keep: true, text: TEXT.reasonEmpty };
      return { text: TEXT.promptCancelled(req?.number ?? '') };
    },
  });
}

/**
 * The person's next text after the bot asked for details or a reason. Acts only while the
 * request still waits for exactly that from them.
 */
async function answerQuestion(m: EntityManager, ctx: OpContext, q: OpenQuestion, msg: TextMessage): Promise<'handled'> {
  const now = ctx.now;
  const text = msg.content.trim();
  const req = await loadForUpdate(m, { id: Number(q.subject) });
  if (!req) {
    await close(m, msg.from);
    return 'handled';
  }
  if (!text) {
    await reply(m, msg.from, TEXT.reasonEmpty, now, String(req.id));
    return 'handled';
  }
  const actor = { kind: 'staff' as const, userid: msg.from };
  const stillOpen =
    q.kind === 'return_reason' ? req.status === 'returned' && !req.returnReason && req.assignee === msg.from : req.status === 'accepted' && req.assignee === msg.from;
  if (!stillOpen) {
    await close(m, msg.from);
    await reply(m, msg.from, TEXT.notAnswerable(req.number, req.status), now, String(req.id));
    return 'handled';
  }
  if (q.kind === 'mismatch_details') await answerRequest(m, ctx, req, actor, 'mismatch', text);
  else if (q.kind === 'return_reason') await giveReturnReason(m, ctx, req, actor, text);
  else await changeCategory(m, ctx, req, actor, dataOf<QuestionData>(q).to as DeadlineCategory, text);
  await close(m, msg.from);
  return 'handled';
}
