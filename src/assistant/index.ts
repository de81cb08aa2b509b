import { Module } from '../module';
import { enqueue } from '../wecom/outbox';
import type { HandlerContext, TextMessage } from '../wecom/dispatcher';
import { conversationOf } from '../conversation';
import { ASSISTANT, HELP_WORDS } from './messages';
import { textPayload } from '../wecom/messaging';
import { isOfficeMember } from '../directory/who';

/**
 * The bot's own answers: a welcome when a member opens the app, 帮助 (a command, so it
 * never answers another module's open question), and the help text for a message no
 * other module took. Registered last, so every module gets the first look.
 */
export const assistantModule: Module = {
  name: 'assistant',
  register({ dispatcher, config }) {
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
    const help = async (m: TextMessage, ctx: HandlerContext) => {
      const office = await isOfficeMember(ctx.manager, m.from);
      await enqueue(ctx.manager, {
        channel: 'message',
        payload: textPayload(m.from, office ? ASSISTANT.officeHelp(`${config.publicUrl}/console/`) : ASSISTANT.help),
        recipients: [m.from],
        dedupeKey: `help:${m.msgId}`,
        refType: 'assistant',
        refId: m.from,
        now: ctx.now,
      });
      return 'handled' as const;
    };
    conversationOf(dispatcher).command('assistant', { name: 'help', matches: (text) => HELP_WORDS.includes(text.toLowerCase()), run: help });
    dispatcher.onUnhandledText(help);
    return {};
  },
};
