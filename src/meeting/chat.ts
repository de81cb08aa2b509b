import { CallbackDispatcher, CardEvent, HandlerContext } from '../wecom/dispatcher';
import { conversationOf } from '../conversation';
import { isAppError } from '../errors';
import { sendText, updateCard } from '../wecom/messaging';
import { Config } from '../config';
import { WorkingCalendar, shortTime } from '../calendar';
import { REF, acknowledge, proposeAgenda, staffUnit } from './service';
import { AGENDA_RE, CARD, TEXT } from './messages';

async function reply(hc: HandlerContext, to: string, content: string, tag: string): Promise<void> {
  await sendText(hc.manager, to, content, hc.now, { refType: REF.text, refId: 'chat', dedupeKey: `meeting-reply:${hc.inboxId}:${tag}` });
}

/**
 * SPEC 5 in WeCom: "议题：内容" from any staff member proposes an agenda item for the next
 * meeting (a command: it never answers another module's open question); 确认收到 on the
 * minutes card acknowledges them for the member's unit.
 */
export function registerMeetingHandlers(dispatcher: CallbackDispatcher, deps: { config: Config; calendar: () => Promise<WorkingCalendar> }): void {
  conversationOf(dispatcher).command('meeting', {
    name: 'agenda',
    matches: (text) => AGENDA_RE.test(text),
    run: async (msg, hc) => {
      const match = AGENDA_RE.exec(msg.content)!;
      const staff = await staffUnit(hc.manager, msg.from);
      if (!staff) return 'pass';
      const text = match[1].trim();
      if (!text) {
        await reply(hc, msg.from, TEXT.agendaEmpty, 'empty');
        return 'handled';
      }
      const { meeting } = await proposeAgenda(hc.manager, { text, unitCode: staff.unitCode, proposedBy: msg.from, via: 'chat' }, hc.now);
      await reply(hc, msg.from, meeting ? TEXT.agendaRecorded(meeting.title, shortTime(deps.config.officeTz, meeting.scheduledAt)) : TEXT.agendaForNext, 'ok');
      return 'handled';
    },
  });

  dispatcher.onCardAction('meeting_ack', async (e: CardEvent, hc: HandlerContext) => {
    const staff = await staffUnit(hc.manager, e.from);
    const id = Number(e.arg);
    const grey = (text: string) =>
      updateCard(hc.manager, [e.from], e.responseCode, { replaceName: text }, hc.now, { refType: REF.ackUpdate, refId: e.taskId });
    if (!staff) {
      await reply(hc, e.from, TEXT.ackNotMember, 'refused');
      return;
    }
    try {
      const r = await acknowledge(hc.manager, id, staff.unitCode, e.from, hc.now);
      if (r.first) {
        await grey(CARD.acked);
        await reply(hc, e.from, TEXT.ackRecorded(r.meeting.title), 'ok');
      } else {
        const by = r.unit.acknowledgedBy ? ((await staffUnit(hc.manager, r.unit.acknowledgedBy))?.name ?? r.unit.acknowledgedBy) : '';
        await grey(CARD.ackedBy(by));
      }
    } catch (err) {
      if (!isAppError(err)) throw err;
      hc.log.warn({ meetingId: e.arg, code: err.code }, 'meeting acknowledgement refused');
      await reply(hc, e.from, TEXT.ackNotMember, 'refused');
    }
  });
}
