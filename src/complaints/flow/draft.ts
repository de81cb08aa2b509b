import { GROUND_LABELS, LABEL, menu, MENU, Reply, T, welcome } from '../messages';
import { answerAgency, answerAgencyPick, answerCertificate, answerConfirm, answerEditPick, answerFacts, answerFactsRest, answerFreeText, answerGround, answerName, answerPhone, answerProxy } from './answers';

import { GroundCode } from '../model';
import { ComplaintStage, ComplaintDraft, ComplaintSubmission, ConversationState, FlowContext, TextInput, Turn, say, NonText, isComplaintStage } from './types';
import { command, stageAcceptsMenu } from './commands';
import { ask, stepNumber } from './questions';
import { handoff } from './index';
import { PARK_OPTIONS, certificateFrom, isCompleteStage, needsCertificate, pick, prefillDraft, read, spokenCommand } from './understood';

/** The complaint draft: parking, the questions in order, answers, 上一步 / 不变 / 修改, submit. */

// ------------------------------------------------------------------ parking

export function park(s: ConversationState, now: Date, pre: string[]): Turn {
  s.parkedAt = now.toISOString();
  return say(parkMenu(s, pre));
}

export function parkMenu(s: ConversationState, pre: string[], problem?: string): Reply {
  const target = isComplaintStage(s.stage) ? s.stage : (s.resumeStage ?? 'ground');
  return menu(
    [...pre, problem, T.parkHead(stepNumber(target))],
    [
      [MENU.parkContinue, LABEL.parkContinue],
      [MENU.parkRestart, LABEL.parkRestart],
      [MENU.parkCancel, LABEL.parkCancel],
    ],
    T.parkTail,
  );
}

export function onParked(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return say(parkMenu(s, [], T.problems.non_text));
  let cmd = command(input, false)?.cmd;
  let repeat: string | undefined;
  if (!cmd && !input.menuId) {
    const o = pick(input.content, PARK_OPTIONS);
    if (o.kind === 'picked') cmd = o.id === MENU.parkContinue ? 'continue' : o.id === MENU.parkRestart ? 'restart' : 'cancel';
    else if (o.kind === 'command') cmd = o.command;
    else if (o.kind === 'repeat') repeat = o.reply;
  }
  switch (cmd) {
    case 'continue':
      return resume(s);
    case 'restart':
      return startComplaint(s, now, [T.restart]);
    case 'cancel':
      return cancel(s);
    case 'human':
      return handoff(s, ctx);
    default:
      return say(parkMenu(s, [], repeat ?? T.problems.choice));
  }
}

export function resume(s: ConversationState): Turn {
  s.parkedAt = undefined;
  if (!isComplaintStage(s.stage)) s.stage = s.resumeStage ?? 'ground';
  s.resumeStage = undefined;
  return say(...ask(s, { pre: [T.resumed], showPrevious: true }));
}

// ------------------------------------------------------------------ the complaint draft

export function startComplaint(s: ConversationState, now: Date, pre: string[], ground?: GroundCode): Turn {
  s.draft = ground ? { ground } : {};
  s.history = ground ? ['ground'] : [];
  s.stage = ground ? 'agency' : 'ground';
  s.draftStartedAt = now.toISOString();
  s.editing = undefined;
  s.parkedAt = undefined;
  s.resumeStage = undefined;
  s.candidates = undefined;
  s.agencyInput = undefined;
  s.prefilled = undefined;
  s.factsRest = undefined;
  return say(...ask(s, { pre: [...pre, ...(ground ? [T.groundPreset(GROUND_LABELS[ground])] : [])] }));
}

/** A complaint begun by a whole sentence: what it says is kept, and only the rest is asked. */
export function startFromSentence(s: ConversationState, now: Date, pre: string[], raw: string, ctx: FlowContext, ground?: GroundCode): Turn {
  startComplaint(s, now, [], ground);
  const u = read(s, raw, ctx, 'any');
  const kept = prefillDraft(s, raw, u);
  if (kept.length === 0) {
    s.prefilled = undefined;
    return say(...ask(s, { pre: [...pre, ...(ground ? [T.groundPreset(GROUND_LABELS[ground])] : [])] }));
  }
  s.history = [];
  s.stage = s.factsRest ? 'facts_rest' : nextUnanswered(s.draft);
  return say(...ask(s, { pre: [...pre, T.prefilled(kept)] }));
}

export function cancel(s: ConversationState): Turn {
  clearDraft(s);
  s.stage = 'idle';
  return say(welcome([T.cancelled]));
}

export function clearDraft(s: ConversationState): void {
  s.draft = {};
  s.history = [];
  s.draftStartedAt = undefined;
  s.editing = undefined;
  s.parkedAt = undefined;
  s.resumeStage = undefined;
  s.candidates = undefined;
  s.agencyInput = undefined;
  s.prefilled = undefined;
  s.factsRest = undefined;
}

export function onDraft(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return reask(s, T.problems.non_text);
  let c = command(input, false);
  if (!c && !input.menuId) {
    const u = read(s, input.content, ctx);
    const spoken = spokenCommand(u);
    if (spoken) c = { cmd: spoken };
    else if (u.intent === 'supplement' && u.fields.supplement && (isCompleteStage(s.stage) || (s.stage === 'facts' && s.editing))) return supplement(s, u.fields.supplement);
  }
  if (c) {
    switch (c.cmd) {
      case 'cancel':
        return cancel(s);
      case 'restart':
        return startComplaint(s, now, [T.restart]);
      case 'back':
        return back(s);
      case 'human':
        return handoff(s, ctx);
      case 'keep':
        return keep(s);
      case 'complain':
      case 'continue':
        return reask(s);
      default:
        return reask(s, T.problems.in_draft);
    }
  }
  if (input.menuId && !stageAcceptsMenu(s.stage, input.menuId)) return reask(s, T.problems.stale_menu);
  switch (s.stage as ComplaintStage) {
    case 'ground':
      return answerGround(s, input, now, ctx);
    case 'agency':
      return answerAgency(s, input, ctx);
    case 'agency_pick':
      return answerAgencyPick(s, input, now, ctx);
    case 'facts':
      return answerFacts(s, input);
    case 'facts_rest':
      return answerFactsRest(s, input);
    case 'certificate':
      return answerCertificate(s, input);
    case 'request':
      return answerFreeText(s, input, 'request');
    case 'name':
      return answerName(s, input, 'name');
    case 'principal':
      return answerName(s, input, 'principal');
    case 'phone':
      return answerPhone(s, input, 'phone');
    case 'principal_phone':
      return answerPhone(s, input, 'principal_phone');
    case 'proxy':
      return answerProxy(s, input, now, ctx);
    case 'confirm':
      return answerConfirm(s, input, now, ctx);
    case 'edit_pick':
      return answerEditPick(s, input, now, ctx);
  }
}

/** "补充一下，……": added to the facts, never replacing them. */
export function supplement(s: ConversationState, extra: string): Turn {
  const d = s.draft;
  d.facts = d.facts ? `${d.facts}\n${T.supplementMark}${extra}` : extra;
  if (d.certificate === undefined) d.certificate = certificateFrom(extra);
  goTo(s, 'confirm');
  return say(...ask(s, { pre: [T.supplementAdded] }));
}

export function reask(s: ConversationState, problem?: string): Turn {
  return say(...ask(s, { problem }));
}

/** Moves to `next`, remembering the current question for 上一步. */
export function goTo(s: ConversationState, next: ComplaintStage): void {
  if (next === 'confirm') {
    s.history = canonicalPath(s.draft);
    s.editing = undefined;
  } else if (isComplaintStage(s.stage) && s.stage !== 'agency_pick' && s.stage !== 'facts_rest') {
    s.history.push(s.stage);
  }
  if (s.stage === 'agency_pick' && next !== 'agency_pick') {
    s.candidates = undefined;
    s.agencyInput = undefined;
  }
  s.stage = next;
}

/** After a field is answered: the next question, or the summary when editing one field. */
export function proceed(s: ConversationState, linearNext: ComplaintStage, pre: string[] = []): Turn {
  // A pre-filled draft skips what the first message already said.
  goTo(s, s.editing ? 'confirm' : s.prefilled ? nextUnanswered(s.draft) : linearNext);
  return say(...ask(s, { pre }));
}

export function canonicalPath(d: ComplaintDraft): ComplaintStage[] {
  const path: ComplaintStage[] = ['ground', 'agency', 'facts'];
  if (needsCertificate(d)) path.push('certificate');
  path.push('request', 'name', 'phone', 'proxy');
  if (d.proxy?.isProxy) path.push('principal', 'principal_phone');
  return path;
}

export function nextUnanswered(d: ComplaintDraft): ComplaintStage {
  return canonicalPath(d).find((st) => !answered(d, st)) ?? 'confirm';
}

/** The question after the facts: the certificate when it matters and is not known yet. */
export function afterFacts(s: ConversationState): ComplaintStage {
  return needsCertificate(s.draft) && s.draft.certificate === undefined ? 'certificate' : 'request';
}

export function back(s: ConversationState): Turn {
  const prev = s.history.pop();
  if (!prev) return say(...ask(s, { pre: [T.backFirst] }));
  s.candidates = undefined;
  s.agencyInput = undefined;
  if (prev === 'confirm') s.editing = undefined;
  s.stage = prev === 'agency_pick' ? 'agency' : prev;
  return say(...ask(s, { pre: [T.back], showPrevious: true }));
}

/** 不变: keep the earlier answer to the current question and move on. */
export function keep(s: ConversationState): Turn {
  const d = s.draft;
  switch (s.stage) {
    case 'ground':
      return d.ground ? proceed(s, 'agency') : reask(s);
    case 'agency':
      return d.agencyText ? proceed(s, 'facts') : reask(s);
    case 'facts':
      if (d.facts && d.certificate === undefined) d.certificate = certificateFrom(d.facts);
      return d.facts ? proceed(s, afterFacts(s)) : reask(s);
    case 'certificate':
      return d.certificate !== undefined ? proceed(s, 'request') : reask(s);
    case 'request':
      return d.request ? proceed(s, 'name') : reask(s);
    case 'name':
      return d.name ? proceed(s, 'phone') : reask(s);
    case 'phone':
      return d.phone ? proceed(s, 'proxy') : reask(s);
    case 'proxy':
      if (!d.proxy) return reask(s);
      goTo(s, d.proxy.isProxy ? 'principal' : 'confirm');
      return say(...ask(s));
    case 'principal':
      return d.proxy?.principalName ? proceed(s, 'principal_phone') : reask(s);
    case 'principal_phone':
      return d.proxy?.principalPhone ? proceed(s, 'confirm') : reask(s);
    default:
      return reask(s);
  }
}

export function submit(s: ConversationState): Turn {
  const d = s.draft;
  // The certificate is asked for when it matters, but a draft without it can still be filed.
  const missing = canonicalPath(d).find((st) => st !== 'certificate' && !answered(d, st));
  if (missing || !d.ground || !d.agencyText || !d.facts || !d.request || !d.name || !d.phone || !d.proxy) {
    // A hand-edited or pre-filled state is sent back to the gap.
    s.history = [];
    s.stage = missing ?? 'ground';
    return reask(s);
  }
  const p = d.proxy;
  const draft: ComplaintSubmission = {
    ground: d.ground,
    agencyCode: d.agencyCode ?? null,
    agencyText: d.agencyText,
    facts: d.facts,
    certificate: d.certificate || null,
    request: d.request,
    name: d.name,
    phone: d.phone,
    proxy: p.isProxy ? JSON.parse(JSON.stringify({ isProxy: true, principalName: p.principalName, relationship: p.relationship, principalPhone: p.principalPhone })) : { isProxy: false },
  };
  s.stage = 'submitting';
  s.pending = { kind: 'file_complaint' };
  return { replies: [], effects: [{ kind: 'file_complaint', draft, draftId: s.draftStartedAt ?? s.updatedAt }] };
}

export function answered(d: ComplaintDraft, st: ComplaintStage): boolean {
  switch (st) {
    case 'ground':
      return !!d.ground;
    case 'agency':
      return !!d.agencyText;
    case 'facts':
      return !!d.facts;
    case 'certificate':
      return d.certificate !== undefined;
    case 'request':
      return !!d.request;
    case 'name':
      return !!d.name;
    case 'phone':
      return !!d.phone;
    case 'proxy':
      return !!d.proxy;
    case 'principal':
      return !!d.proxy?.principalName;
    case 'principal_phone':
      return !!d.proxy?.principalPhone;
    default:
      return true;
  }
}
