import { EntityManager } from 'typeorm';
import { ExemptionApplication, OpenQuestion, Staff, Unit } from '../../entities';
import { ModuleDeps } from '../module';
import { CardEvent, HandlerContext } from '../wecom/dispatcher';
import { ask, askText, close, conversationOf, current, dataOf } from '../conversation';
import { isAppError } from '../errors';
import { KINDS, REASONS } from './rules';
import { APPLY_TRIGGERS, DECISION_LABEL, MSG, STATUS_LABEL, refusalText } from './messages';
import { looksLikeForm } from './form';
import { Actor, Decision, apply, resubmit, review, withdraw } from './service';
import { ApplyData, currentLines, onForm } from './chat-form';
import { greyCard, sendCard, sendText } from '../wecom/messaging';
import { isOfficeMember } from '../directory/who';
import { exemptionStartCard } from '../../cards/exemption-start.card';

type QuestionKind = 'apply_form' | 'apply_confirm' | 'review_comment';

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
      // anything that is not a form goes on to the other handlers (help), except a bare
      // answer to the one field asked again
      const asked = q.kind === 'apply_form' ? (dataOf<ApplyData>(q).asked ?? []) : [];
      if (!looksLikeForm(text) && asked.length !== 1) return 'pass';
      const who = await actorFor(ctx.manager, q.userid);
      if (!who) {
        await clearPrompt(ctx.manager, q.userid);
        await reply(ctx.manager, q.userid, MSG.notStaff, ctx.now, ctx.inboxId);
        return 'handled';
      }
      return onForm(deps, q, text, ctx, who.actor, who.unit.name);
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
    if (!p || !data || p.kind !== 'apply_confirm' || String(data.seq) !== nonce || !(data.input || data.resubmit)) {
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
      if (data.resubmitId) {
        const a = await m.transaction((inner) => resubmit(inner, cal, who.actor, data.resubmitId!, data.resubmit ?? {}, now));
        await clearPrompt(m, e.from);
        await greyCard(m, [e.from], e.responseCode, MSG.grey.submitted(a.id), now);
        if (data.returnedCode) await greyCard(m, [e.from], data.returnedCode, MSG.grey.submitted(a.id), now);
        await reply(m, e.from, MSG.resubmitted(a.id, a.round), now, ctx.inboxId);
        return;
      }
      const a = await m.transaction((inner) => apply(inner, cal, who.actor, data.input!, now));
      await clearPrompt(m, e.from);
      await greyCard(m, [e.from], e.responseCode, MSG.grey.submitted(a.id), now);
      await reply(m, e.from, MSG.submitted(a.id, a.late), now, ctx.inboxId);
    } catch (err) {
      if (!isAppError(err)) throw err;
      // back to the form: the member may send a corrected one; what was given is kept
      await setPrompt(m, e.from, 'apply_form', Number(p.subject), { kind: data.kind, resubmitId: data.resubmitId, returnedCode: data.returnedCode, values: data.values, seq: ctx.inboxId }, now);
      await greyCard(m, [e.from], e.responseCode, MSG.grey.failed, now);
      await reply(m, e.from, MSG.submitFailed(refusalText(err.details)), now, ctx.inboxId);
    }
  });

  // SPEC 2 Art. 10: a returned application is corrected and resubmitted from its card, or withdrawn
  d.onCardAction('exm_resubmit', async (e: CardEvent, ctx: HandlerContext) => {
    const { manager: m, now } = ctx;
    const [idArg, roundArg, action] = e.arg.split('.');
    const id = Number(idArg);
    if (!Number.isSafeInteger(id) || (action !== 'edit' && action !== 'withdraw')) return;
    const who = await actorFor(m, e.from);
    const a = await m.getRepository(ExemptionApplication).findOneBy({ id });
    if (!who || !a || a.unitCode !== who.unit.code) {
      await reply(m, e.from, MSG.resubmitNotOwn, now, ctx.inboxId);
      return;
    }
    if (a.status !== 'returned' || String(a.submittedAt?.getTime()) !== roundArg) {
      await greyCard(m, [e.from], e.responseCode, MSG.reviewAlready(STATUS_LABEL[a.status]), now);
      await reply(m, e.from, MSG.resubmitStale(STATUS_LABEL[a.status]), now, ctx.inboxId);
      return;
    }
    if (action === 'withdraw') {
      await withdraw(m, who.actor, id, now);
      await greyCard(m, [e.from], e.responseCode, STATUS_LABEL.withdrawn, now);
      await reply(m, e.from, MSG.withdrawnText(id), now, ctx.inboxId);
      return;
    }
    // the card stays live until the correction is in (the member may cancel and come back)
    const replaced = await setPrompt(m, e.from, 'apply_form', id, { kind: a.kind!, resubmitId: id, returnedCode: e.responseCode, values: {}, seq: ctx.inboxId }, now);
    await reply(m, e.from, askText(MSG.resubmitForm(id, await currentLines(m, a), a.reviewComment), replaced, { module: 'exemptions', subject: String(id), kind: 'apply_form' }), now, ctx.inboxId);
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
