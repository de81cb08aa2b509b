import { CallbackDispatcher, CardEvent, HandlerContext } from '../wecom/dispatcher';
import { ask, askText, close, conversationOf } from '../conversation';
import { JointMeetingDecision } from '../../entities';
import { isAppError } from '../errors';
import { sendText, updateCard } from '../wecom/messaging';
import { Config } from '../config';
import { WorkingCalendar, shortTime } from '../calendar';
import { REF, acknowledge, staffUnit } from './service';
import { decideAgenda, proposeAgenda } from './agenda';
import { convenor, memberUnit } from './members';
import { reportDecisionProgress } from './decisions';
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
      const isConvenor = !!(await convenor(hc.manager, msg.from));
      if (!isConvenor && !(await memberUnit(hc.manager, staff.unitCode))) {
        await reply(hc, msg.from, TEXT.agendaNotMember, 'not-member');
        return 'handled';
      }
      const proposer = isConvenor ? ({ kind: 'convenor', userid: msg.from } as const) : ({ kind: 'unit', unitCode: staff.unitCode, by: msg.from } as const);
      const { meeting } = await proposeAgenda(hc.manager, { text, proposer, via: 'chat' }, hc.now);
      const when = meeting ? `「${meeting.title}」（${shortTime(deps.config.officeTz, meeting.scheduledAt)}）` : '';
      if (!isConvenor) await reply(hc, msg.from, TEXT.agendaForApproval(when), 'ok');
      else await reply(hc, msg.from, meeting ? TEXT.agendaRecorded(meeting.title, shortTime(deps.config.officeTz, meeting.scheduledAt)) : TEXT.agendaForNext, 'ok');
      return 'handled';
    },
  });

  /** A convenor's 同意 / 不同意 on a proposed agenda item; the first click decides. */
  dispatcher.onCardAction('meeting_agenda', async (e: CardEvent, hc: HandlerContext) => {
    const [rawId, answer] = e.arg.split('.');
    const grey = (text: string) => updateCard(hc.manager, [e.from], e.responseCode, { replaceName: text }, hc.now, { refType: REF.ackUpdate, refId: e.taskId });
    try {
      const r = await decideAgenda(hc.manager, /^\d{1,10}$/.test(rawId) ? Number(rawId) : NaN, answer === 'yes', e.from, hc.now);
      if (r.first) await grey(answer === 'yes' ? CARD.approved : CARD.declined);
      else {
        const by = r.item.decidedBy ? ((await staffUnit(hc.manager, r.item.decidedBy))?.name ?? r.item.decidedBy) : '';
        await grey(CARD.agendaDoneBy(by, r.item.status === 'approved' ? CARD.approved : CARD.declined));
      }
    } catch (err) {
      if (!isAppError(err)) throw err;
      await reply(hc, e.from, err.code === 'meeting_not_convenor' ? TEXT.agendaNotConvenor : TEXT.agendaAlready, 'agenda-refused');
    }
  });

  /** 报送进展 on a decision's card: the next text is the progress (the one open question). */
  dispatcher.onCardAction('meeting_progress', async (e: CardEvent, hc: HandlerContext) => {
    const id = /^\d{1,10}$/.test(e.arg) ? Number(e.arg) : NaN;
    const d = Number.isSafeInteger(id) ? await hc.manager.getRepository(JointMeetingDecision).findOneBy({ id }) : null;
    const staff = await staffUnit(hc.manager, e.from);
    if (!d || !staff || staff.unitCode !== d.unitCode) {
      await reply(hc, e.from, TEXT.progressNotYours, 'progress-refused');
      return;
    }
    const asked = { module: 'meeting', subject: String(d.id), kind: 'progress' } as const;
    const older = await ask(hc.manager, { person: e.from, ...asked, label: CARD.progressTitle, responseCode: e.responseCode, now: hc.now });
    await reply(hc, e.from, askText(TEXT.askProgress(d.text), older, asked), 'progress-ask');
  });

  conversationOf(dispatcher).answers('meeting', {
    answer: async (q, msg, hc) => {
      const staff = await staffUnit(hc.manager, msg.from);
      await close(hc.manager, msg.from);
      try {
        await reportDecisionProgress(hc.manager, Number(q.subject), staff?.unitCode ?? '', msg.content, msg.from, hc.now);
        await reply(hc, msg.from, TEXT.progressRecorded, 'progress-ok');
      } catch (err) {
        if (!isAppError(err)) throw err;
        await reply(hc, msg.from, TEXT.progressNotYours, 'progress-refused');
      }
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
