/**
 * The agency complained about answers through its card (buttons) and the app chat
 * (reasons and results as the next text message), CONTRACT.md "What people see".
 * Both run inside the callback's transaction; AppErrors become a chat reply, never a retry.
 */
import { EntityManager } from 'typeorm';
import { Complaint, OpenQuestion, Staff } from '../../entities';
import { isAppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import type { CallbackDispatcher, CardEvent, CardHandler, HandlerContext, TextMessage } from '../wecom/dispatcher';
import { ask, askText, close, conversationOf, dataOf } from '../conversation';
import { COMPLAINT_REASSIGNED_LABEL, complaintCard, ComplaintCardStage, complaintClosedLabel } from '../../cards/complaint.card';
import { EXTENSION_DECIDED_LABEL } from '../../cards/complaint-extension.card';
import { isOfficeMember } from '../directory/who';
import { EXTENSION, LIAISON, STATUS_LABELS } from './lifecycle-messages';
import { Ctx, acceptComplaint, cardView, rejectComplaint, resolveComplaint, terminateComplaint } from './lifecycle';
import { applyForExtension, currentApplications, decideExtension, extensionBar } from './extension';
import { formerAgencies } from './oversight';
import { MAX_EXTENSION_WORKING_DAYS, REJECTION_GROUNDS, TERMINATION_GROUNDS, isFinal } from './model';
import { OfficeChannel, textToStaff, updateCard } from './notify';
import { charLength } from './validate';

type QuestionKind = 'reject' | 'terminate' | 'extend' | 'resolve';

export interface LiaisonDeps {
  calendar: () => Promise<WorkingCalendar>;
  /** The office group as configured now. */
  office?: () => OfficeChannel;
}

function parseArg(arg: string): { verb: string; id: number; ground: string | null } | null {
  const m = /^([a-z]+)\.(\d{1,12})(?:\.([a-z_]{1,60}))?$/.exec(arg);
  return m ? { verb: m[1], id: Number(m[2]), ground: m[3] ?? null } : null;
}

async function mayAct(m: EntityManager, userid: string, c: Complaint): Promise<boolean> {
  if (!c.agencyCode) return false;
  const s = await m.findOneBy(Staff, { userid });
  return !!s && s.unitCode === c.agencyCode && (s.role === 'liaison' || s.role === 'deputy');
}

async function refreshCard(m: EntityManager, c: Complaint, userid: string, code: string, cal: WorkingCalendar, now: Date, stage: ComplaintCardStage = 'main'): Promise<void> {
  if (isFinal(c.status) || c.duplicateOf !== null) {
    await updateCard(m, userid, code, { replaceName: complaintClosedLabel(c.status) }, now, String(c.id));
    return;
  }
  const apps = await currentApplications(m, c);
  const view = { ...cardView(c), extensionApplied: apps.length > 0, extensionPending: apps.some((a) => a.status === 'pending') };
  await updateCard(m, userid, code, { card: complaintCard(view, { tz: cal.tz, stage }, now) }, now, String(c.id));
}

/** An office member's 同意 / 不同意 on an extension card (Art. 10). */
async function decideFromCard(m: EntityManager, e: CardEvent, c: Complaint, grant: boolean, deps: LiaisonDeps, now: Date): Promise<void> {
  const say = (text: string) => textToStaff(m, [e.from], text, now, String(c.id));
  if (!(await isOfficeMember(m, e.from))) {
    await say(EXTENSION.notOffice);
    return;
  }
  const cal = await deps.calendar();
  const apps = await currentApplications(m, c);
  const pending = apps.find((a) => a.status === 'pending');
  if (!pending || c.status !== 'accepted') {
    const last = (apps.at(-1)?.status ?? 'lapsed') as keyof typeof EXTENSION_DECIDED_LABEL | 'pending';
    const label = last === 'pending' ? EXTENSION_DECIDED_LABEL.lapsed : EXTENSION_DECIDED_LABEL[last];
    await say(EXTENSION.decided(c.number, label));
    await updateCard(m, e.from, e.responseCode, { replaceName: label }, now, String(c.id));
    return;
  }
  const ctx: Ctx = { cal, now, actor: { by: 'office', name: `wecom:${e.from}` }, office: deps.office?.() };
  const { complaint, extension } = await decideExtension(m, c.id, { grant }, ctx);
  await updateCard(m, e.from, e.responseCode, { replaceName: grant ? EXTENSION_DECIDED_LABEL.granted : EXTENSION_DECIDED_LABEL.refused }, now, String(c.id));
  await say(grant && extension.newDueAt ? EXTENSION.granted(complaint.number, formatInZone(cal, extension.newDueAt)) : EXTENSION.refused(complaint.number, formatInZone(cal, complaint.dueAt as Date)));
}

/** Buttons `complaint:<verb>.<id>[.<ground>]`. */
export function complaintCardHandler(deps: LiaisonDeps): CardHandler {
  return async (e: CardEvent, { manager: m, now, log }) => {
    const arg = parseArg(e.arg);
    const c = arg ? await m.findOneBy(Complaint, { id: arg.id }) : null;
    if (!arg || !c) {
      log.warn({ key: e.eventKey }, 'complaint card key for no known case ignored');
      return;
    }
    const say = (text: string) => textToStaff(m, [e.from], text, now, String(c.id));
    if (arg.verb === 'extgrant' || arg.verb === 'extrefuse') return decideFromCard(m, e, c, arg.verb === 'extgrant', deps, now);
    if (!(await mayAct(m, e.from, c))) {
      // A card of an agency the case was taken from: refused, and the card greyed.
      const s = await m.findOneBy(Staff, { userid: e.from });
      if (s && (await formerAgencies(m, c)).includes(s.unitCode)) {
        await say(LIAISON.reassignedAway(c.number, c.agencyName));
        await updateCard(m, e.from, e.responseCode, { replaceName: COMPLAINT_REASSIGNED_LABEL }, now, String(c.id));
        return;
      }
      await say(LIAISON.notAllowed);
      return;
    }
    const cal = await deps.calendar();
    const ctx: Ctx = { cal, now, actor: { by: 'liaison', name: `wecom:${e.from}` }, office: deps.office?.() };
    const stale = async () => {
      await say(LIAISON.stale(c.number, STATUS_LABELS[c.status]));
      await refreshCard(m, c, e.from, e.responseCode, cal, now);
    };
    const question = async (kind: QuestionKind, ground: string | null, text: string) => {
      const subject = String(c.id);
      const label = LIAISON.questionLabel(c.number, kind);
      const replaced = await ask(m, { person: e.from, module: 'complaints', subject, kind, label, data: { ground }, responseCode: e.responseCode, now });
      await say(askText(text, replaced, { module: 'complaints', subject, kind }));
    };
    if (c.duplicateOf !== null) return stale();
    switch (arg.verb) {
      case 'accept': {
        if (c.status !== 'registered') return stale();
        const done = await acceptComplaint(m, c.id, ctx);
        await refreshCard(m, done, e.from, e.responseCode, cal, now);
        await say(LIAISON.done(done.number, STATUS_LABELS.accepted, done.dueAt ? formatInZone(cal, done.dueAt) : undefined));
        return;
      }
      case 'reject':
        if (c.status !== 'registered') return stale();
        return refreshCard(m, c, e.from, e.responseCode, cal, now, 'pick_reject');
      case 'terminate':
        if (isFinal(c.status)) return stale();
        return refreshCard(m, c, e.from, e.responseCode, cal, now, 'pick_terminate');
      case 'back':
        return refreshCard(m, c, e.from, e.responseCode, cal, now);
      case 'rejground':
        if (c.status !== 'registered' || !(REJECTION_GROUNDS as readonly string[]).includes(arg.ground ?? '')) return stale();
        return question('reject', arg.ground, LIAISON.askRejectReason(c.number, arg.ground as (typeof REJECTION_GROUNDS)[number]));
      case 'termground':
        if (isFinal(c.status) || !(TERMINATION_GROUNDS as readonly string[]).includes(arg.ground ?? '')) return stale();
        return question('terminate', arg.ground, LIAISON.askTerminateReason(c.number, arg.ground as (typeof TERMINATION_GROUNDS)[number]));
      case 'extend': {
        const bar = await extensionBar(m, c, now);
        if (bar === 'second' || bar === 'late') {
          await say(bar === 'second' ? LIAISON.extensionRefused(c.number) : LIAISON.extensionLate(c.number));
          return refreshCard(m, c, e.from, e.responseCode, cal, now);
        }
        if (bar) return stale();
        return question('extend', null, LIAISON.askExtension(c.number));
      }
      case 'resolve':
        if (c.status !== 'accepted' && c.status !== 'extended') return stale();
        return question('resolve', null, LIAISON.askResult(c.number));
      default:
        log.warn({ key: e.eventKey }, 'unknown complaint card verb ignored');
    }
  };
}

/** "3个工作日，需要调取档案" -> 3; no number -> the maximum. */
export function extensionDaysOf(text: string): number {
  const t = text.normalize('NFKC');
  const m = /(\d{1,3})\s*个?\s*(?:工作日|天|日)/.exec(t) ?? /^\s*(\d{1,3})(?!\d)/.exec(t);
  return m ? Number(m[1]) : MAX_EXTENSION_WORKING_DAYS;
}

/**
 * The liaison's next text after a card question is the reason or the result. It is taken
 * only while the case is still one they may act on (their agency's, not moved on).
 */
export function registerComplaintAnswers(dispatcher: CallbackDispatcher, deps: LiaisonDeps): void {
  conversationOf(dispatcher).answers('complaints', {
    answer: (q, msg, ctx) => answer(deps, q, msg, ctx),
    cancel: async (q, { manager: m, now }) => {
      const c = await m.findOneBy(Complaint, { id: Number(q.subject) });
      if (!c) return {};
      if (q.responseCode && (await mayAct(m, q.userid, c))) await refreshCard(m, c, q.userid, q.responseCode, await deps.calendar(), now);
      return { text: LIAISON.cancelled(c.number) };
    },
  });
}

async function answer(deps: LiaisonDeps, q: OpenQuestion, msg: TextMessage, { manager: m, now }: HandlerContext): Promise<'handled'> {
  const c = await m.findOneBy(Complaint, { id: Number(q.subject) });
  if (!c) {
    await close(m, msg.from);
    return 'handled';
  }
  const say = (text: string) => textToStaff(m, [msg.from], text, now, String(c.id));
  // The case may have gone to another agency since the question was asked.
  if (!(await mayAct(m, msg.from, c))) {
    await close(m, msg.from);
    await say(LIAISON.notAllowed);
    return 'handled';
  }
  const cal = await deps.calendar();
  const text = msg.content.trim();
  const code = q.responseCode;
  if (charLength(text) < 2) {
    await say(LIAISON.tooShort);
    return 'handled';
  }
  if (charLength(text) > 2000) {
    await say(LIAISON.tooLong);
    return 'handled';
  }
  const action = q.kind as QuestionKind;
  const ground = dataOf<{ ground: string | null }>(q).ground ?? '';
  const ctx: Ctx = { cal, now, actor: { by: 'liaison', name: `wecom:${msg.from}` }, office: deps.office?.() };
  let done: Complaint;
  try {
    if (action === 'reject') done = await rejectComplaint(m, c.id, { ground, reason: text }, ctx);
    else if (action === 'terminate') done = await terminateComplaint(m, c.id, { ground, reason: text }, ctx);
    else if (action === 'resolve') done = await resolveComplaint(m, c.id, { result: text }, ctx);
    else {
      const days = extensionDaysOf(text);
      if (days < 1 || days > MAX_EXTENSION_WORKING_DAYS) {
        await say(LIAISON.extensionTooLong);
        return 'handled';
      }
      done = (await applyForExtension(m, c.id, { days, reason: text }, c.agencyCode as string, ctx)).complaint;
      await close(m, msg.from);
      if (code) await refreshCard(m, done, msg.from, code, cal, now);
      await say(LIAISON.extensionApplied(done.number, days));
      return 'handled';
    }
  } catch (e) {
    if (!isAppError(e)) throw e;
    await close(m, msg.from);
    const now2 = await m.findOneByOrFail(Complaint, { id: c.id });
    const late = (e.details as { reason?: string } | undefined)?.reason === 'deadline_passed';
    await say(e.code === 'complaint_extension_refused' ? (late ? LIAISON.extensionLate(c.number) : LIAISON.extensionRefused(c.number)) : LIAISON.stale(c.number, STATUS_LABELS[now2.status]));
    if (code) await refreshCard(m, now2, msg.from, code, cal, now);
    return 'handled';
  }
  await close(m, msg.from);
  if (code) await refreshCard(m, done, msg.from, code, cal, now);
  await say(LIAISON.done(done.number, STATUS_LABELS[done.status], !isFinal(done.status) && done.dueAt ? formatInZone(cal, done.dueAt) : undefined));
  return 'handled';
}
