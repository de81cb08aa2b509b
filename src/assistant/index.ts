import { Module } from '../module';
import { enqueue } from '../wecom/outbox';
import { ASSISTANT } from './messages';
import { textPayload } from '../wecom/messaging';

/**
 * The bot's own answers: a welcome when a member opens the app, and a help text for a
 * message no other module took. Registered last, so every module gets the first look.
 */
export const assistantModule: Module = {
  name: 'assistant',
  register({ dispatcher }) {
    dispatcher.onEnterAgent(async (e, ctx) => {
      // One welcome per member per office day is plenty; the dedupe key keeps it so.
      const day = ctx.now.toISOString().slice(0, 10);
      await enqueue(ctx.manager, {
        channel: 'message',
        payload: textPayload(e.from, ASSISTANT.welcome()),
        recipients: [e.from],
        dedupeKey: `welcome:${e.from}:${day}`,
        refType: 'assistant',
        refId: e.from,
        now: ctx.now,
      });
    });
    dispatcher.onUnhandledText(async (m, ctx) => {
      await enqueue(ctx.manager, {
        channel: 'message',
        payload: textPayload(m.from, ASSISTANT.help),
        recipients: [m.from],
        dedupeKey: `help:${m.msgId}`,
        refType: 'assistant',
        refId: m.from,
        now: ctx.now,
      });
      return 'handled';
    });
    return {};
  },
};
