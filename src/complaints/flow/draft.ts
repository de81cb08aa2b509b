import { matchAgency } from '../agency-match';
import { normaliseName, normaliseName as normWord } from '../../directory/names';
import { GROUND_LABELS, LABEL, menu, MENU, Reply, T, welcome, WORDS } from '../messages';
import { checkText, hasLetters, normalizePhone } from '../validate';

import { GROUND_CODES, GroundCode, TEXT_LIMITS } from '../model';
import { MAX_SUGGESTIONS, ComplaintStage, ComplaintDraft, ComplaintSubmission, ConversationState, FlowContext, TextInput, Turn, say, NonText, isComplaintStage } from './types';
import { command, parseGround, parseEditField, stageAcceptsMenu } from './commands';
import { ask, stepNumber, problemText, choiceProblem } from './questions';
import { handoff } from './index';

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

export function onParked(s: ConversationState, input: TextInput | NonText, now: Date): Turn {
  if (input.type === 'non_text') return say(parkMenu(s, [], T.problems.non_text));
  const c = command(input, false);
  switch (c?.cmd) {
    case 'continue':
      return resume(s);
    case 'restart':
      return startComplaint(s, now, [T.restart]);
    case 'cancel':
      return cancel(s);
    case 'human':
      return handoff(s);
    default:
      return say(parkMenu(s, [], T.problems.choice));
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
  return say(...ask(s, { pre: [...pre, ...(ground ? [T.groundPreset(GROUND_LABELS[ground])] : [])] }));
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
}

export function onDraft(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return reask(s, T.problems.non_text);
  const c = command(input, false);
  if (c) {
    switch (c.cmd) {
      case 'cancel':
        return cancel(s);
      case 'restart':
        return startComplaint(s, now, [T.restart]);
      case 'back':
        return back(s);
      case 'human':
        return handoff(s);
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
      return answerGround(s, input);
    case 'agency':
      return answerAgency(s, input, ctx);
    case 'agency_pick':
      return answerAgencyPick(s, input, ctx);
    case 'facts':
      return answerFreeText(s, input, 'facts');
    case 'request':
      return answerFreeText(s, input, 'request');
    case 'name':
      return answerName(s, input, 'name');
    case 'principal':
      return answerName(s, input, 'principal');
    case 'phone':
      return answerPhone(s, input);
    case 'proxy':
      return answerProxy(s, input);
    case 'confirm':
      return answerConfirm(s, input);
    case 'edit_pick':
      return answerEditPick(s, input);
  }
}

export function reask(s: ConversationState, problem?: string): Turn {
  return say(...ask(s, { problem }));
}

/** Moves to `next`, remembering the current question for 上一步. */
export function goTo(s: ConversationState, next: ComplaintStage): void {
  if (next === 'confirm') {
    s.history = canonicalPath(s.draft);
    s.editing = undefined;
  } else if (isComplaintStage(s.stage) && s.stage !== 'agency_pick') {
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
  goTo(s, s.editing ? 'confirm' : linearNext);
  return say(...ask(s, { pre }));
}

export function canonicalPath(d: ComplaintDraft): ComplaintStage[] {
  const path: ComplaintStage[] = ['ground', 'agency', 'facts', 'request', 'name', 'phone', 'proxy'];
  if (d.proxy?.isProxy) path.push('principal');
  return path;
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
      return d.facts ? proceed(s, 'request') : reask(s);
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
      return d.proxy?.principalName ? proceed(s, 'confirm') : reask(s);
    default:
      return reask(s);
  }
}

export function answerGround(s: ConversationState, input: TextInput): Turn {
  const idx = parseGround(input);
  if (idx === null) return reask(s, choiceProblem(input));
  const ground = GROUND_CODES[idx];
  s.draft.ground = ground;
  return proceed(s, 'agency', [T.groundChosen(GROUND_LABELS[ground])]);
}

export function answerAgency(s: ConversationState, input: TextInput, ctx: FlowContext): Turn {
  const { min, max } = TEXT_LIMITS.agency;
  const check = checkText(input.content, { min, max });
  if (!check.ok) return reask(s, problemText(check.problem, max, check.length, min));
  return chooseAgency(s, check.value, ctx);
}

export function chooseAgency(s: ConversationState, typed: string, ctx: FlowContext): Turn {
  const m = matchAgency(typed, ctx.agencies, MAX_SUGGESTIONS);
  if (m.kind === 'exact' || m.kind === 'one') {
    const [a] = m.candidates;
    s.draft.agencyCode = a.code;
    s.draft.agencyText = a.name;
    return proceed(s, 'facts', [T.agencyMatched(a.name)]);
  }
  if (m.kind === 'several') {
    goTo(s, 'agency_pick');
    s.candidates = m.candidates.map((c) => ({ code: c.code, name: c.name }));
    s.agencyInput = typed;
    return say(...ask(s));
  }
  return recordAgencyAsTyped(s, typed, T.agencyAsTyped(typed));
}

export function recordAgencyAsTyped(s: ConversationState, typed: string, notice: string): Turn {
  s.draft.agencyCode = null;
  s.draft.agencyText = typed;
  return proceed(s, 'facts', [notice]);
}

export function answerAgencyPick(s: ConversationState, input: TextInput, ctx: FlowContext): Turn {
  const candidates = s.candidates ?? [];
  const typed = s.agencyInput ?? '';
  const pick = (i: number): Turn => {
    const a = candidates[i];
    s.draft.agencyCode = a.code;
    s.draft.agencyText = a.name;
    return proceed(s, 'facts', [T.agencyPicked(a.name)]);
  };
  if (input.menuId) {
    if (input.menuId === MENU.agencyNone) return recordAgencyAsTyped(s, typed, T.agencyKeptAsTyped(typed));
    const i = Number(/^agency_pick_(\d+)$/.exec(input.menuId)?.[1]) - 1;
    return i >= 0 && i < candidates.length ? pick(i) : reask(s, T.problems.stale_menu);
  }
  const w = normWord(input.content);
  if (/^\d+$/.test(w)) {
    const i = Number(w) - 1;
    return i >= 0 && i < candidates.length ? pick(i) : reask(s, T.problems.choice);
  }
  const byName = candidates.findIndex((c) => normaliseName(c.name) === normaliseName(input.content));
  if (byName >= 0) return pick(byName);
  if (WORDS.agencyNone.includes(w)) return recordAgencyAsTyped(s, typed, T.agencyKeptAsTyped(typed));
  // Anything else is a new wording of the unit's name.
  return answerAgency(s, input, ctx);
}

export function answerFreeText(s: ConversationState, input: TextInput, field: 'facts' | 'request'): Turn {
  const { min, max } = TEXT_LIMITS[field];
  const check = checkText(input.content, { min, max });
  if (!check.ok) {
    const problem =
      check.problem === 'too_short' && field === 'facts'
        ? T.factsTooShort
        : problemText(check.problem, max, check.length, min);
    return reask(s, problem);
  }
  s.draft[field] = check.value;
  return proceed(s, field === 'facts' ? 'request' : 'name');
}

export function answerName(s: ConversationState, input: TextInput, field: 'name' | 'principal'): Turn {
  const { min, max } = TEXT_LIMITS[field];
  const check = checkText(input.content, { min, max });
  if (!check.ok) return reask(s, problemText(check.problem, max, check.length, min));
  if ((check.value.match(/\d/g) ?? []).length >= 5) return reask(s, T.problems.name_digits);
  if (field === 'name') {
    s.draft.name = check.value;
    return proceed(s, 'phone');
  }
  s.draft.proxy = { isProxy: true, principalName: check.value };
  goTo(s, 'confirm');
  return say(...ask(s));
}

export function answerPhone(s: ConversationState, input: TextInput): Turn {
  const check = checkText(input.content, { max: 40 });
  if (!check.ok && check.problem !== 'too_long') return reask(s, problemText(check.problem, 40, check.length));
  if (hasLetters(input.content)) return reask(s, T.problems.phone_letters);
  const phone = check.ok ? normalizePhone(check.value) : null;
  if (!phone) return reask(s, T.problems.phone_invalid);
  s.draft.phone = phone;
  return proceed(s, 'proxy');
}

export function answerProxy(s: ConversationState, input: TextInput): Turn {
  const w = normWord(input.content);
  const self = input.menuId === MENU.proxySelf || (!input.menuId && WORDS.proxySelf.includes(w));
  const other = input.menuId === MENU.proxyOther || (!input.menuId && WORDS.proxyOther.includes(w));
  if (self) {
    s.draft.proxy = { isProxy: false };
    goTo(s, 'confirm');
    return say(...ask(s));
  }
  if (other) {
    s.draft.proxy = { isProxy: true, principalName: s.draft.proxy?.principalName };
    goTo(s, 'principal');
    return say(...ask(s));
  }
  return reask(s, choiceProblem(input));
}

export function answerConfirm(s: ConversationState, input: TextInput): Turn {
  const w = normWord(input.content);
  if (input.menuId === MENU.confirmSubmit || (!input.menuId && WORDS.confirmSubmit.includes(w))) return submit(s);
  if (input.menuId === MENU.confirmEdit || (!input.menuId && WORDS.confirmEdit.includes(w))) {
    goTo(s, 'edit_pick');
    return say(...ask(s));
  }
  return say(...ask(s, { problem: choiceProblem(input) }));
}

export function answerEditPick(s: ConversationState, input: TextInput): Turn {
  const field = parseEditField(input);
  if (field === 'done') {
    goTo(s, 'confirm');
    return say(...ask(s));
  }
  if (!field) return reask(s, choiceProblem(input));
  goTo(s, field);
  s.editing = true;
  return say(...ask(s, { showPrevious: true }));
}

export function submit(s: ConversationState): Turn {
  const d = s.draft;
  const missing = canonicalPath(d).find((st) => !answered(d, st));
  if (missing || !d.ground || !d.agencyText || !d.facts || !d.request || !d.name || !d.phone || !d.proxy) {
    // Unreachable through the conversation; a hand-edited state is sent back to the gap.
    s.history = [];
    s.stage = missing ?? 'ground';
    return reask(s);
  }
  const draft: ComplaintSubmission = {
    ground: d.ground,
    agencyCode: d.agencyCode ?? null,
    agencyText: d.agencyText,
    facts: d.facts,
    request: d.request,
    name: d.name,
    phone: d.phone,
    proxy: d.proxy.isProxy ? { isProxy: true, principalName: d.proxy.principalName } : { isProxy: false },
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
    default:
      return true;
  }
}
