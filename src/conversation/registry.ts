import { OpenQuestion } from '../../entities';
import type { CallbackDispatcher, HandlerContext, TextMessage } from '../wecom/dispatcher';
import { sendText } from '../wecom/messaging';
import { CONVERSATION } from './messages';
import { close, current } from './store';

export type TextOutcome = 'handled' | 'pass';

/** An explicit command (帮助, 核验一致 HC…, 清单调整, 议题：…): matched before any free text. */
export interface Command {
  name: string;
  matches(text: string): boolean;
  /** 'pass' when the command does not apply to this sender after all (e.g. not on the staff). */
  run(msg: TextMessage, ctx: HandlerContext): Promise<TextOutcome>;
}

/** What a module does with its open questions. */
export interface Answerer {
  /**
   * The person's text answering `q`. The module checks again that the person may still
   * act on the subject before acting; 'pass' lets the text go on to the ordinary handlers.
   * The question is not closed for the module: it closes it when the answer is taken.
   */
  answer(q: OpenQuestion, msg: TextMessage, ctx: HandlerContext): Promise<TextOutcome>;
  /**
   * 取消: the module's effect (e.g. the card back to its buttons) and what to say. `keep`
   * refuses the cancel: the question stays open (a return still needs its reason).
   */
  cancel?(q: OpenQuestion, ctx: HandlerContext): Promise<{ text?: string; keep?: boolean } | void>;
}

export type OrdinaryText = () => Promise<TextOutcome>;

function reply(ctx: HandlerContext, to: string, content: string, tag: string): Promise<unknown> {
  return sendText(ctx.manager, to, content, ctx.now, { refType: 'conversation', refId: to, dedupeKey: `conversation:${ctx.inboxId}:${tag}` });
}

/**
 * The text path: 取消, then explicit commands, then the answer to the person's open
 * question (routed to the module that asked), then the ordinary handlers. Which module
 * gets a free text is decided by the one open question, never by registration order.
 */
export class Conversation {
  private readonly commands: Array<Command & { module: string }> = [];
  private readonly answerers = new Map<string, Answerer>();

  command(module: string, c: Command): void {
    this.commands.push({ ...c, module });
  }

  answers(module: string, a: Answerer): void {
    if (this.answerers.has(module)) throw new Error(`module ${module} already answers its questions`);
    this.answerers.set(module, a);
  }

  async handle(msg: TextMessage, ctx: HandlerContext, ordinary: OrdinaryText): Promise<TextOutcome> {
    const text = msg.content.trim();
    if (CONVERSATION.cancelWords.includes(text)) return this.cancel(msg, ctx);
    for (const c of this.commands) {
      if (c.matches(text) && (await c.run(msg, ctx)) === 'handled') return 'handled';
    }
    const q = await current(ctx.manager, msg.from, ctx.now);
    const a = q ? this.answerers.get(q.module) : undefined;
    if (q && a && (await a.answer(q, msg, ctx)) === 'handled') return 'handled';
    return ordinary();
  }

  private async cancel(msg: TextMessage, ctx: HandlerContext): Promise<TextOutcome> {
    const q = await current(ctx.manager, msg.from, ctx.now);
    if (!q) {
      await reply(ctx, msg.from, CONVERSATION.nothingToCancel, 'none');
      return 'handled';
    }
    const effect = (await this.answerers.get(q.module)?.cancel?.(q, ctx)) ?? {};
    if (!effect.keep) await close(ctx.manager, msg.from);
    await reply(ctx, msg.from, effect.text ?? CONVERSATION.cancelled(q.label), 'cancel');
    return 'handled';
  }
}

const byDispatcher = new WeakMap<CallbackDispatcher, Conversation>();

/** The conversation of a dispatcher: created on first use, and from then on its text path. */
export function conversationOf(dispatcher: CallbackDispatcher): Conversation {
  let c = byDispatcher.get(dispatcher);
  if (!c) {
    const conv = new Conversation();
    dispatcher.routeTextThrough((msg, ctx, ordinary) => conv.handle(msg, ctx, ordinary));
    byDispatcher.set(dispatcher, conv);
    c = conv;
  }
  return c;
}
