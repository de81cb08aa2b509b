import { EntityManager } from 'typeorm';
import { ExemptionApplication, OpenQuestion, Staff, Unit } from '../../entities';
import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import { ModuleDeps } from '../module';
import { CardEvent, HandlerContext } from '../wecom/dispatcher';
import { ask, askText, close, conversationOf, current, dataOf } from '../conversation';
import { isAppError } from '../errors';
import { WorkingCalendar, shortTime } from '../calendar';
import { KINDS, REASONS } from './rules';
import { APPLY_TRIGGERS, DECISION_LABEL, MSG, STATUS_LABEL, refusalText } from './messages';
import { parseForm, looksLikeForm, FormValues } from './form';
import { Actor, ApplicationInput, Decision, apply, checkApplication, describeLines, review } from './service';
import { greyCard, sendCard, sendText } from '../wecom/messaging';
import { isOfficeMember } from '../directory/who';
import { exemptionStartCard } from '../../cards/exemption-start.card';
import { exemptionConfirmCard } from '../../cards/exemption-confirm.card';

type QuestionKind = 'apply_form' | 'apply_confirm' | 'review_comment';

/** `seq` increases with each new question, so a stale confirmation card is recognised. */
interface ApplyData {
  kind: AdjustmentKind;
  input?: ApplicationInput;
  seq: number;
}
interface ReviewData {
  decision: Decision;
  round: number;
  responseCode: string;
  seq: number;
}

async function actorFor(m: EntityManager, userid: string): Promise<{ actor: Actor; staff: Staff; unit: Unit } | null> {
  const staff = await m.getRepository(Staff).findOneBy({ userid });
  if (!staff) return null;
  const unit = await m.getRepository(Unit).findOneBy({ code: staff.unitCode });
  if (!unit) return null;
  return { staff, unit, actor: { kind: unit.isOffice ? 'office' : 'unit', unitCode: unit.code, name: userid, userid, display: staff.name } };
}

/** The member's one open question (src/conversation): the subject is the application (0 = none yet). */
async function setPrompt(m: EntityManager, userid: string, kind: QuestionKind, applicationId: number, data: ApplyData | ReviewData, now: Date): Promise<OpenQuestion | null> {
  return ask(m, { person: userid, module: 'exemptions', subject: String(applicationId), kind, label: MSG.questionLabel(kind, applicationId), data, now });
}

async function clearPrompt(m: EntityManager, userid: string): Promise<void> {
  await close(m, userid);
}

/** A chat reply (the outbox keeps repeated identical replies deliverable). */
async function reply(m: EntityManager, userid: string, content: string, now: Date, _ref: number): Promise<void> {
  await sendText(m, [userid], content, now);
}

/** Resolves a unit typed in the form: its code, or its exact name. */
async function resolveUnit(m: EntityManager, v: string | undefined): Promise<string | undefined | null> {
  if (v === undefined) return undefined;
  const repo = m.getRepository(Unit);
  const u = (await repo.findOneBy({ code: v })) ?? (await repo.findOneBy({ name: v }));
  return u ? u.code : null;
}

/**
 * The WeCom side of SPEC 2: a unit's staff apply through a card flow started from the
 * chat (Art. 9), office members review from a card (Art. 10). Every handler works in the
 * callback's transaction; a refused step runs in a savepoint so nothing of it stays.
 */
export function registerExemptionChat(deps: ModuleDeps): void {
  const d = deps.dispatcher;

  const conversation = conversationOf(d);
  conversation.command('exemptions', {
    name: 'apply',
    matches: (text) => APPLY_TRIGGERS.includes(text),
    run: async (msg, ctx) => {
      const { manager: m, now } = ctx;
      const who = await actorFor(m, msg.from);
      if (!who) {
        await reply(m, msg.from, MSG.notStaff, now, ctx.inboxId);
        return 'handled';
      }
      // a recorded cause of this unit still waiting for its application is completed first
      const draft = await m.getRepository(ExemptionApplication).findOne({ where: { unitCode: who.unit.code, status: 'draft' }, order: { id: 'ASC' } });
      const card = exemptionStartCard({ nonce: String(ctx.inboxId), draftId: draft?.id ?? 0, unitName: who.unit.name }, now);
      await sendCard(m, [msg.from], card, now, { refType: 'exemption_start', refId: String(ctx.inboxId) });
      return 'handled';
    },
  });
  conversation.answers('exemptions', {
    answer: async (q, msg, ctx) => {
      const text = msg.content.trim();
      if (q.kind === 'review_comment') return onReviewComment(deps, q, text, ctx);
      // anything that is not a form goes on to the other handlers (help)
      return looksLikeForm(text) ? onForm(deps, q, text, ctx) : 'pass';
    },
    cancel: async (q) => ({ text: q.kind === 'review_comment' ? MSG.reviewAbandoned : MSG.discarded }),
  });

  d.onCardAction('exm_start', async (e: CardEvent, ctx: HandlerContext) => {
    const { manager: m, now } = ctx;
    const [draftArg, kindArg] = e.arg.split('.');
    const kind = KINDS.find((k) => k === kindArg);
    const draftId = Number(draftArg);
    if (!kind || !Number.isSafeInteger(draftId) || draftId < 0) return;
    const who = await actorFor(m, e.from);
    if (!who) {
      await reply(m, e.from, MSG.notStaff, now, ctx.inboxId);
      return;
    }
    const draft = draftId ? await m.getRepository(ExemptionApplication).findOneBy({ id: draftId }) : null;
    const useDraft = draft && draft.status === 'draft' && draft.unitCode === who.unit.code ? draft.id : 0;
    const replaced = await setPrompt(m, e.from, 'apply_form', useDraft, { kind, seq: ctx.inboxId }, now);
    await greyCard(m, [e.from], e.responseCode, MSG.grey.chosen(MSG.startButtons[kind]), now);
    await reply(m, e.from, askText(MSG.form(kind, REASONS[kind]), replaced, { module: 'exemptions', subject: String(useDraft), kind: 'apply_form' }), now, ctx.inboxId);
  });

  d.onCardAction('exm_confirm', async (e: CardEvent, ctx: HandlerContext) => {
    const { manager: m, now } = ctx;
    const [nonce, action] = e.arg.split('.');
    const p = await current(m, e.from, now);
    const data = p && p.module === 'exemptions' ? dataOf<ApplyData>(p) : null;
    if (!p || !data || p.kind !== 'apply_confirm' || String(data.seq) !== nonce || !data.input) {
      await greyCard(m, [e.from], e.responseCode, MSG.grey.stale, now);
      await reply(m, e.from, MSG.staleCard, now, ctx.inboxId);
      return;
    }
    if (action === 'discard') {
      await clearPrompt(m, e.from);
      await greyCard(m, [e.from], e.responseCode, MSG.grey.discarded, now);
      await reply(m, e.from, MSG.discarded, now, ctx.inboxId);
      return;
    }
    if (action !== 'submit') return;
    const who = await actorFor(m, e.from);
    if (!who) {
      await reply(m, e.from, MSG.notStaff, now, ctx.inboxId);
      return;
    }
    const cal = await deps.calendar();
    try {
      const a = await m.transaction((inner) => apply(inner, cal, who.actor, data.input!, now));
      await clearPrompt(m, e.from);
      await greyCard(m, [e.from], e.responseCode, MSG.grey.submitted(a.id), now);
      await reply(m, e.from, MSG.submitted(a.id, a.late), now, ctx.inboxId);
    } catch (err) {
      if (!isAppError(err)) throw err;
      // back to the form: the member may send a corrected one
      await setPrompt(m, e.from, 'apply_form', Number(p.subject), { kind: data.kind, seq: ctx.inboxId }, now);
      await greyCard(m, [e.from], e.responseCode, MSG.grey.failed, now);
      await reply(m, e.from, MSG.submitFailed(refusalText(err.details)), now, ctx.inboxId);
    }
  });

  d.onCardAction('exm_review', async (e: CardEvent, ctx: HandlerContext) => {
    const { manager: m, now } = ctx;
    const [idArg, roundArg, decisionArg] = e.arg.split('.');
    const id = Number(idArg);
    const round = Number(roundArg);
    const decision = (['approve', 'return', 'reject'] as const).find((x) => x === decisionArg);
    if (!decision || !Number.isSafeInteger(id) || !Number.isSafeInteger(round)) return;
    const member = await isOfficeMember(m, e.from);
    if (!member) {
      await reply(m, e.from, MSG.reviewNotOffice, now, ctx.inboxId);
      return;
    }
    const a = await m.getRepository(ExemptionApplication).findOneBy({ id });
    if (!a || a.status !== 'pending' || a.submittedAt?.getTime() !== round) {
      await greyCard(m, [e.from], e.responseCode, MSG.reviewAlready(a ? STATUS_LABEL[a.status] : '—'), now);
      return;
    }
    if (decision !== 'approve') {
      const replaced = await setPrompt(m, e.from, 'review_comment', id, { decision, round, responseCode: e.responseCode, seq: ctx.inboxId }, now);
      await reply(m, e.from, askText(MSG.reviewAsk(decision), replaced, { module: 'exemptions', subject: String(id), kind: 'review_comment' }), now, ctx.inboxId);
      return;
    }
    const actor: Actor = { kind: 'office', unitCode: member.unitCode, name: e.from, userid: e.from, display: member.name };
    await decide(deps, m, actor, id, 'approve', null, now, round, e.responseCode, ctx.inboxId);
  });
}

async function decide(deps: ModuleDeps, m: EntityManager, actor: Actor, id: number, decision: Decision, comment: string | null, now: Date, round: number, responseCode: string, ref: number): Promise<void> {
  const cal = await deps.calendar();
  try {
    await m.transaction((inner) => review(inner, cal, actor, id, decision, comment, now, { round, click: { userid: actor.userid!, responseCode } }));
    await reply(m, actor.userid!, MSG.reviewRecorded(id, DECISION_LABEL[decision]), now, ref);
  } catch (err) {
    if (!isAppError(err)) throw err;
    await reply(m, actor.userid!, MSG.reviewFailed(refusalText(err.details)), now, ref);
  }
}

async function onReviewComment(deps: ModuleDeps, p: OpenQuestion, text: string, ctx: HandlerContext): Promise<'handled'> {
  const { manager: m, now } = ctx;
  await clearPrompt(m, p.userid);
  const member = await isOfficeMember(m, p.userid);
  if (!member) {
    await reply(m, p.userid, MSG.reviewNotOffice, now, ctx.inboxId);
    return 'handled';
  }
  const data = dataOf<ReviewData>(p);
  const actor: Actor = { kind: 'office', unitCode: member.unitCode, name: p.userid, userid: p.userid, display: member.name };
  await decide(deps, m, actor, Number(p.subject), data.decision, text, now, data.round, data.responseCode, ctx.inboxId);
  return 'handled';
}

async function onForm(deps: ModuleDeps, p: OpenQuestion, text: string, ctx: HandlerContext): Promise<'handled'> {
  const { manager: m, now } = ctx;
  const data = dataOf<ApplyData>(p);
  const applicationId = Number(p.subject);
  const who = await actorFor(m, p.userid);
  if (!who) {
    await clearPrompt(m, p.userid);
    await reply(m, p.userid, MSG.notStaff, now, ctx.inboxId);
    return 'handled';
  }
  const { values, errors } = parseForm(data.kind, text, { causeDateKnown: applicationId > 0 });
  const input = await toInput(m, data.kind, values, applicationId, errors);
  if (errors.length || !input) {
    await reply(m, p.userid, MSG.formErrors(errors), now, ctx.inboxId);
    return 'handled';
  }
  const cal = await deps.calendar();
  let checked;
  try {
    checked = await checkApplication(m, cal, who.actor, input, now);
  } catch (err) {
    if (!isAppError(err)) throw err;
    await reply(m, p.userid, MSG.formErrors([refusalText(err.details)]), now, ctx.inboxId);
    return 'handled';
  }
  await setPrompt(m, p.userid, 'apply_confirm', applicationId, { kind: data.kind, input, seq: ctx.inboxId }, now);
  const card = exemptionConfirmCard(
    {
      nonce: String(ctx.inboxId),
      kind: data.kind,
      unitName: who.unit.name,
      entryId: checked.entryId,
      reason: checked.reason,
      causeDate: checked.causeDate,
      due: shortTime(cal as WorkingCalendar, checked.dueAt),
      late: now.getTime() > checked.dueAt.getTime(),
      lines: await describeLines(m, { kind: data.kind, entryId: checked.entryId, ...checked.fields }),
    },
    now,
  );
  await sendCard(m, [p.userid], card, now, { refType: 'exemption_confirm', refId: String(ctx.inboxId) });
  return 'handled';
}

async function toInput(m: EntityManager, kind: AdjustmentKind, v: FormValues, draftId: number, errors: string[]): Promise<ApplicationInput | null> {
  const requesterUnit = await resolveUnit(m, v.requesterUnit);
  const issuerUnit = await resolveUnit(m, v.issuerUnit);
  if (requesterUnit === null) errors.push(MSG.formUnknownUnit(v.requesterUnit!));
  if (issuerUnit === null) errors.push(MSG.formUnknownUnit(v.issuerUnit!));
  if (errors.length) return null;
  const input: ApplicationInput = { kind, reason: v.reason! };
  if (v.entryId !== undefined) input.entryId = v.entryId;
  if (draftId > 0) input.draftId = draftId;
  if (v.causeDate) input.causeDate = v.causeDate;
  if (v.note) input.note = v.note;
  if (v.serviceItem) input.serviceItem = v.serviceItem;
  if (v.certificate) input.certificate = v.certificate;
  if (requesterUnit) input.requesterUnit = requesterUnit;
  if (issuerUnit) input.issuerUnit = issuerUnit;
  if (v.method) input.method = v.method;
  if (v.legalBasis) input.legalBasis = v.legalBasis;
  if (v.defaultCategory) input.defaultCategory = v.defaultCategory;
  return input;
}
