import { EntityManager } from 'typeorm';
import { CallbackFields } from './callback';
import { parseCardKey } from '../../cards/keys';
import { Logger } from '../logger';

/** Typed views of the decrypted callbacks we act on (WECOM.md §2). */
export interface TextMessage { kind: 'text'; from: string; content: string; msgId: string; createTime: number }
export interface EnterAgent { kind: 'enter_agent'; from: string; createTime: number }
export interface CardEvent {
  kind: 'template_card_event' | 'template_card_menu_event';
  from: string;
  eventKey: string;
  action: string;
  arg: string;
  taskId: string;
  cardType: string;
  responseCode: string;
  selected: Array<{ questionKey: string; optionIds: string[] }>;
  createTime: number;
}
export interface KfEvent { kind: 'kf_msg_or_event'; token: string; openKfId: string; createTime: number }
export type CallbackEvent = TextMessage | EnterAgent | CardEvent | KfEvent;

export interface HandlerContext {
  /** The transaction that also marks the inbox row done: state + outbox rows commit together. */
  manager: EntityManager;
  now: Date;
  inboxId: number;
  log: Logger;
}

/** Returns 'handled' when it acted, 'pass' to let the next text handler try. */
export type TextHandler = (m: TextMessage, ctx: HandlerContext) => Promise<'handled' | 'pass'>;
export type CardHandler = (e: CardEvent, ctx: HandlerContext) => Promise<void>;
export type KfHandler = (e: KfEvent, ctx: HandlerContext) => Promise<void>;
export type EnterHandler = (e: EnterAgent, ctx: HandlerContext) => Promise<void>;
/** Decides the text path (commands, open questions); `ordinary` runs the text handlers and the fallback. */
export type TextRouter = (m: TextMessage, ctx: HandlerContext, ordinary: () => Promise<'handled' | 'pass'>) => Promise<'handled' | 'pass'>;

export type Outcome = 'handled' | 'ignored';

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Turns decrypted fields into a typed event, or null for kinds we do not handle. */
export function toEvent(f: CallbackFields): CallbackEvent | null {
  const createTime = Number(str(f.CreateTime)) || 0;
  const from = str(f.FromUserName);
  const type = str(f.MsgType);
  if (type === 'text') return { kind: 'text', from, content: str(f.Content), msgId: str(f.MsgId), createTime };
  if (type !== 'event') return null;
  const ev = str(f.Event);
  if (ev === 'enter_agent') return { kind: 'enter_agent', from, createTime };
  if (ev === 'kf_msg_or_event') return { kind: 'kf_msg_or_event', token: str(f.Token), openKfId: str(f.OpenKfId), createTime };
  if (ev === 'template_card_event' || ev === 'template_card_menu_event') {
    const eventKey = str(f.EventKey);
    const parsed = parseCardKey(eventKey);
    const items = (f.SelectedItems as { SelectedItem?: unknown } | undefined)?.SelectedItem;
    const selected = asArray(items as Record<string, unknown> | Record<string, unknown>[] | undefined).map((it) => ({
      questionKey: str(it.QuestionKey),
      optionIds: asArray((it.OptionIds as { OptionId?: string | string[] } | undefined)?.OptionId).map(str),
    }));
    return {
      kind: ev,
      from,
      eventKey,
      action: parsed?.action ?? '',
      arg: parsed?.arg ?? '',
      taskId: str(f.TaskId),
      cardType: str(f.CardType),
      responseCode: str(f.ResponseCode),
      selected,
      createTime,
    };
  }
  return null;
}

/**
 * Routes callbacks to the handlers modules register (Bolt's app vs receiver split).
 * Card actions are keyed by the prefix of the button key; an unknown key is logged and
 * ignored, never a crash.
 */
export class CallbackDispatcher {
  private readonly text: TextHandler[] = [];
  private readonly cards = new Map<string, CardHandler>();
  private readonly kf: KfHandler[] = [];
  private readonly enter: EnterHandler[] = [];
  private fallbackText: TextHandler | null = null;
  private textRouter: TextRouter | null = null;

  onText(h: TextHandler): void {
    this.text.push(h);
  }
  /** Runs when no text handler took the message (e.g. a help reply). */
  onUnhandledText(h: TextHandler): void {
    this.fallbackText = h;
  }
  /** One router sees every text first (src/conversation); without one, handlers run in order. */
  routeTextThrough(r: TextRouter): void {
    if (this.textRouter) throw new Error('the text path already has a router');
    this.textRouter = r;
  }
  onCardAction(action: string, h: CardHandler): void {
    if (this.cards.has(action)) throw new Error(`card action ${action} already has a handler`);
    this.cards.set(action, h);
  }
  onKf(h: KfHandler): void {
    this.kf.push(h);
  }
  onEnterAgent(h: EnterHandler): void {
    this.enter.push(h);
  }

  /** Start-up check: every declared card action has a handler. */
  assertComplete(actions: readonly string[]): void {
    const missing = actions.filter((a) => !this.cards.has(a));
    if (missing.length) throw new Error(`card actions without a handler: ${missing.join(', ')}`);
  }

  /**
   * Several stored callbacks in one transaction (the inbox's batches), in order. kf events
   * only say "sync needed" for their account, so the kf handlers run once per account, with
   * its newest event (the freshest token), for all of that account's events in the batch.
   */
  async dispatchMany(items: Array<{ fields: CallbackFields; inboxId: number }>, ctx: Omit<HandlerContext, 'inboxId'>): Promise<Outcome[]> {
    const newest = new Map<string, number>();
    items.forEach((it, i) => {
      const ev = toEvent(it.fields);
      if (ev?.kind === 'kf_msg_or_event') newest.set(ev.openKfId, i);
    });
    const out: Outcome[] = [];
    for (const [i, it] of items.entries()) {
      const ev = toEvent(it.fields);
      if (ev?.kind === 'kf_msg_or_event' && newest.get(ev.openKfId) !== i) out.push(this.kf.length ? 'handled' : 'ignored');
      else out.push(await this.dispatch(it.fields, { ...ctx, inboxId: it.inboxId }));
    }
    return out;
  }

  async dispatch(fields: CallbackFields, ctx: HandlerContext): Promise<Outcome> {
    const ev = toEvent(fields);
    if (!ev) return 'ignored';
    switch (ev.kind) {
      case 'text': {
        const ordinary = async (): Promise<'handled' | 'pass'> => {
          for (const h of this.text) if ((await h(ev, ctx)) === 'handled') return 'handled';
          return this.fallbackText ? this.fallbackText(ev, ctx) : 'pass';
        };
        const r = this.textRouter ? await this.textRouter(ev, ctx, ordinary) : await ordinary();
        return r === 'handled' ? 'handled' : 'ignored';
      }
      case 'enter_agent':
        for (const h of this.enter) await h(ev, ctx);
        return this.enter.length ? 'handled' : 'ignored';
      case 'kf_msg_or_event':
        for (const h of this.kf) await h(ev, ctx);
        return this.kf.length ? 'handled' : 'ignored';
      case 'template_card_event':
      case 'template_card_menu_event': {
        const h = this.cards.get(ev.action);
        if (!h) {
          ctx.log.warn({ action: ev.action, taskId: ev.taskId }, 'unknown card key ignored');
          return 'ignored';
        }
        await h(ev, ctx);
        return 'handled';
      }
    }
  }
}
