import { EntityManager } from 'typeorm';
import { ownerAnswerCard } from './late-status';
import { OpenQuestion, Staff, Unit, VerificationRecipient, VerificationRequest } from '../../entities';
import type { DeadlineCategory } from '../calendar';
import { isAppError } from '../errors';
import { CallbackDispatcher, CardEvent, HandlerContext, TextMessage } from '../wecom/dispatcher';
import { Logger } from '../logger';
import { verificationConfirmCard } from '../../cards/verification.card';
import { shortTime } from '../calendar';
import { COMMAND_WORDS, OTHER_REASON, RETURN_REASONS, WORDS, TEXT, TODO } from './messages';
import { queueCardUpdate, queueText } from './notify';
import { close, conversationOf, dataOf } from '../conversation';
import { OpContext, CATEGORY_RANK, aboutForIssuer, aboutForRequester, cardView, loadForUpdate } from './common';
import { staffName } from '../directory/who';
import { answerRequest, changeCategory, handleClick, withdrawAnswer } from './decide';
import { cancelReturn, completeReturn, startReturn } from './returns';
import { handleAct } from './card-actions';
import { QuestionData, askVerification } from './questions';
import { isOverdue } from './clocks';
import { OpenWork, OpenWorkState, openWorkLines, openWorkOf, resolveNumber, shortNumber } from './resolve-number';

const ANSWER_WORDS = [WORDS.match, WORDS.mismatch, WORDS.toPaper, WORDS.toHistorical, WORDS.return] as const;
const OTHER_WORDS = [WORDS.withdraw, WORDS.correct, WORDS.query] as const;
type Word = (typeof ANSWER_WORDS)[number] | (typeof OTHER_WORDS)[number];

/**
 * "核验一致", "核验不一致 HC20261126-0001", "撤回 HC…", "查询 HC…" (CONTRACT.md chat words).
 * The number may be short ("核验一致 0007", the serial after the date): it is resolved
 * among the sender's own requests.
 */
export function parseCommand(text: string): { word: Word; number: string | null } | null {
  const m = /^\s*(核验一致|核验不一致|转纸质档案|转历史档案|退回|撤回|更正|查询)\s*[:：]?\s*(HC\d{8}-\d{4,}|\d{1,6})?\s*$/i.exec(text);
  if (!m) return null;
  return { word: m[1] as Word, number: m[2] ? m[2].toUpperCase() : null };
}

function isShort(number: string): boolean {
  return /^\d{1,6}$/.test(number);
}

const TO_CATEGORY: Partial<Record<Word, DeadlineCategory>> = { [WORDS.toPaper]: 'paper', [WORDS.toHistorical]: 'historical' };

/** A command word typed where details or a reason are expected. */
function commandWord(text: string): string | null {
  const t = text.trim();
  return COMMAND_WORDS.includes(t) || parseCommand(t) ? t : null;
}

export interface ChatDeps {
  opContext: (now: Date) => Promise<OpContext>;
  log: Logger;
}

async function reply(m: EntityManager, to: string, text: string, now: Date, ref: string): Promise<void> {
  await queueText(m, to, text, now, ref);
}

/** Several requests fit: the reply lists them by unit, item and deadline, not numbers alone. */
async function listWork(m: EntityManager, ctx: OpContext, to: string, head: string, work: OpenWork[]): Promise<void> {
  await reply(m, to, [head, ...(await openWorkLines(m, ctx.cal, ctx.tz, work, ctx.now))].join('\n'), ctx.now, 'chat');
}

/**
 * A short number among the sender's open requests: the full number when exactly one fits
 * (preferring those in `states`), else the reply is sent here and null returned.
 */
async function fullNumber(m: EntityManager, ctx: OpContext, from: string, short: string, states?: OpenWorkState[]): Promise<string | null> {
  let found = await resolveNumber(m, from, short, states);
  // Not among those the word applies to: a request in another state answers why not.
  if (found.kind === 'none' && states) found = await resolveNumber(m, from, short);
  if (found.kind === 'one') return found.work.request.number;
  if (found.kind === 'ambiguous') await listWork(m, ctx, from, TODO.ambiguousShort(short), found.candidates);
  else await reply(m, from, TEXT.unknownNumber(short), ctx.now, 'chat');
  return null;
}

/** The request an answer word is about: the one named (in full or short), or the sender's only accepted request. */
async function target(m: EntityManager, ctx: OpContext, from: string, cmd: { word: Word; number: string | null }): Promise<VerificationRequest | null> {
  const now = ctx.now;
  const number = cmd.number && isShort(cmd.number) ? await fullNumber(m, ctx, from, cmd.number, ['accepted']) : cmd.number;
  if (cmd.number && !number) return null;
  if (number) {
    const req = await loadForUpdate(m, { number });
    if (!req) {
      await reply(m, from, TEXT.unknownNumber(number), now, 'chat');
      return null;
    }
    if (req.status === 'pending') {
      await reply(m, from, TEXT.notAccepted(await aboutForIssuer(m, req)), now, String(req.id));
      return null;
    }
    if (req.assignee !== from) {
      await reply(m, from, TEXT.notOwner(await aboutForIssuer(m, req), await staffName(m, req.assignee)), now, String(req.id));
      return null;
    }
    if (req.status !== 'accepted') {
      await reply(m, from, TEXT.notAnswerable(await aboutForIssuer(m, req), req.status), now, String(req.id));
      return null;
    }
    return req;
  }
  const mine = (await openWorkOf(m, from)).filter((w) => w.state === 'accepted');
  if (!mine.length) {
    await reply(m, from, TEXT.noOpenRequest, now, 'chat');
    return null;
  }
  if (mine.length > 1) {
    await listWork(m, ctx, from, TODO.which(cmd.word, shortNumber(mine[0].request.number)), mine);
    return null;
  }
  const req = await loadForUpdate(m, { id: mine[0].request.id });
  if (!req || req.status !== 'accepted' || req.assignee !== from) {
    await reply(m, from, TEXT.noOpenRequest, now, 'chat');
    return null;
  }
  return req;
}

/** 查询 HC…: where a request stands, for staff of the two units and of the office (Art. 12). */
async function queryStatus(m: EntityManager, ctx: OpContext, from: string, typed: string | null): Promise<void> {
  const now = ctx.now;
  if (!typed) return reply(m, from, TEXT.queryUsage, now, 'chat');
  const number = isShort(typed) ? await fullNumber(m, ctx, from, typed) : typed;
  if (!number) return;
  const req = await m.getRepository(VerificationRequest).findOneBy({ number });
  const me = await m.getRepository(Staff).findOneBy({ userid: from });
  const office = me ? await m.getRepository(Unit).findOneBy({ code: me.unitCode }) : null;
  const mayRead = !!req && !!me && (me.unitCode === req.requesterUnit || me.unitCode === req.issuerUnit || !!office?.isOffice);
  if (!req || !mayRead) return reply(m, from, TEXT.unknownNumber(number), now, 'chat');
  const a = me!.unitCode === req.issuerUnit ? await aboutForIssuer(m, req) : await aboutForRequester(m, req);
  const extra = req.status === 'answered' && req.result ? `核验${req.result === 'match' ? '一致' : '不一致'}。` : req.status === 'returned' && req.returnReason ? `退回原因：${req.returnReason}` : null;
  await reply(m, from, TEXT.status(a, req.status, shortTime(ctx.tz, req.dueAt), req.assignee ? await staffName(m, req.assignee) : null, isOverdue(req, now), extra), now, String(req.id));
}

/** 撤回 / 更正 [HC…]: the sender's answer, named or their latest, taken back within its window. */
async function withdraw(m: EntityManager, ctx: OpContext, from: string, number: string | null): Promise<void> {
  const now = ctx.now;
  const repo = m.getRepository(VerificationRequest);
  // A short number: the sender's latest answer with that serial (only the last minutes' answers can be taken back).
  const latest = () => repo.find({ where: { assignee: from, status: 'answered' }, order: { answeredAt: 'DESC' }, take: 20 });
  const found = number && !isShort(number) ? await repo.findOneBy({ number }) : (await latest()).find((r) => !number || Number(shortNumber(r.number)) === Number(number));
  const req = found ? await loadForUpdate(m, { id: found.id }) : null;
  if (!req || req.assignee !== from || req.status !== 'answered') {
    return reply(m, from, number ? TEXT.notAnswerable(number, req?.status ?? 'pending') : TEXT.noOpenRequest, now, 'chat');
  }
  try {
    await withdrawAnswer(m, ctx, req, from);
  } catch (e) {
    if (isAppError(e) && e.code === 'verification_withdraw_expired') return reply(m, from, TEXT.withdrawTooLate(await aboutForIssuer(m, req)), now, String(req.id));
    throw e;
  }
}

/**
 * Card clicks, the owner's chat words (commands, matched before any free text) and the
 * answers to the module's open questions. Handlers never throw for a person's mistake:
 * they answer in the chat or on the card and change nothing.
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
  dispatcher.onCardAction('verif_act', async (e: CardEvent, hc: HandlerContext) => {
    const ctx = await deps.opContext(hc.now);
    const [id, op] = e.arg.split(':');
    const outcome = await handleAct(hc.manager, ctx, op ?? '', { from: e.from, requestId: Number(id), taskId: e.taskId, responseCode: e.responseCode });
    hc.log.info({ action: op, requestId: id, taskId: e.taskId, outcome }, 'verification card action');
  });

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
        if (cmd.word === WORDS.query) return await queryStatus(m, ctx, msg.from, cmd.number).then(() => 'handled' as const);
        if (cmd.word === WORDS.withdraw || cmd.word === WORDS.correct) return await withdraw(m, ctx, msg.from, cmd.number).then(() => 'handled' as const);
        const req = await target(m, ctx, msg.from, cmd);
        if (!req) return 'handled';
        if (cmd.word === WORDS.match) {
          await askVerification(m, msg.from, req, 'confirm_answer', { result: 'match' }, now);
        } else if (cmd.word === WORDS.mismatch) {
          await askVerification(m, msg.from, req, 'mismatch_details', {}, now);
        } else if (cmd.word === WORDS.return) {
          await startReturn(m, ctx, req, msg.from, null);
        } else {
          const to = TO_CATEGORY[cmd.word]!;
          const a = await aboutForIssuer(m, req);
          if (now.getTime() > req.dueAt.getTime()) await reply(m, msg.from, TEXT.categoryAfterDeadline(a, shortTime(ctx.tz, req.dueAt)), now, String(req.id));
          else if (CATEGORY_RANK[to] <= CATEGORY_RANK[req.category]) await reply(m, msg.from, TEXT.categoryNotLonger(a, req.category), now, String(req.id));
          else await askVerification(m, msg.from, req, 'category_reason', { to }, now);
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
      const m = hc.manager;
      const req = await loadForUpdate(m, { id: Number(q.subject) });
      if (!req) return {};
      const a = await aboutForIssuer(m, req);
      // A mis-tapped 退回 is recoverable: the request goes back where it was.
      if (q.kind === 'return_reason' && req.status === 'returning' && req.assignee === q.userid) {
        const ctx = await deps.opContext(hc.now);
        const to = await cancelReturn(m, ctx, req, q.userid, dataOf<QuestionData>(q).from ?? 'pending', q.responseCode ? { responseCode: q.responseCode, taskId: await ownTask(m, req.id, q.userid) } : null, false);
        return { text: TEXT.returnCancelled(a, to) };
      }
      return { text: TEXT.promptCancelled(a) };
    },
  });
}

async function ownTask(m: EntityManager, requestId: number, userid: string): Promise<string> {
  const r = await m.getRepository(VerificationRecipient).findOneBy({ requestId, userid });
  return r?.taskId ?? '';
}

/**
 * The person's next text after the bot asked for details, a reason or a confirmation.
 * Acts only while the request still waits for exactly that from them.
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
  const data = dataOf<QuestionData>(q);
  const actor = { kind: 'staff' as const, userid: msg.from };
  const stillOpen = q.kind === 'return_reason' ? req.status === 'returning' && req.assignee === msg.from : req.status === 'accepted' && req.assignee === msg.from;
  if (!stillOpen) {
    await close(m, msg.from);
    await reply(m, msg.from, TEXT.notAnswerable(await aboutForIssuer(m, req), req.status), now, String(req.id));
    return 'handled';
  }
  if (q.kind === 'confirm_answer') {
    if (text !== WORDS.confirm) {
      await reply(m, msg.from, TEXT.confirmHint, now, String(req.id));
      return 'handled';
    }
    await close(m, msg.from);
    await answerRequest(m, ctx, req, actor, data.result!, data.details ?? null);
    return 'handled';
  }
  const preset = q.kind === 'return_reason' && /^[1-9]$/.test(text) && Number(text) <= OTHER_REASON ? RETURN_REASONS[Number(text) - 1] : null;
  const word = preset ? null : commandWord(text);
  if (word) {
    // The question stays open: 帮助 typed here is not the answer.
    await reply(m, msg.from, TEXT.commandAsText(word), now, String(req.id));
    return 'handled';
  }
  if (q.kind === 'mismatch_details') {
    await close(m, msg.from);
    if (q.responseCode) {
      const rcp = await ownTask(m, req.id, msg.from);
      await queueCardUpdate(m, msg.from, q.responseCode, verificationConfirmCard(await cardView(m, ctx, req), rcp, 'mismatch', text, now), now, rcp);
    }
    await askVerification(m, msg.from, req, 'confirm_answer', { result: 'mismatch', details: text.slice(0, 4000) }, now);
    return 'handled';
  }
  if (q.kind === 'return_reason') {
    await completeReturn(m, ctx, req, actor, preset ?? text, q.responseCode ? { responseCode: q.responseCode, taskId: await ownTask(m, req.id, msg.from) } : null);
  } else {
    try {
      await changeCategory(m, ctx, req, actor, data.to as DeadlineCategory, text);
      if (q.responseCode) {
        const task = await ownTask(m, req.id, msg.from);
        await queueCardUpdate(m, msg.from, q.responseCode, await ownerAnswerCard(m, ctx, req, task, msg.from), now, task);
      }
    } catch (e) {
      if (!isAppError(e) || e.code !== 'verification_deadline_passed') throw e;
      await reply(m, msg.from, TEXT.categoryAfterDeadline(await aboutForIssuer(m, req), shortTime(ctx.tz, req.dueAt)), now, String(req.id));
    }
  }
  await close(m, msg.from);
  return 'handled';
}

