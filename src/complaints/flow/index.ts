/**
 * The citizen's conversation in WeChat Customer Service (WECOM.md section 6) as a pure
 * state machine: step(state, input, now, ctx) -> { state, replies, effects }.
 * No I/O and no clock: the runtime loads the state, calls step, stores the new state,
 * sends `replies` with kf/send_msg and performs `effects`; an effect that returns data
 * comes back as an `effect_result` input, accepted only while `state.pending` awaits it.
 * Rules implemented: 投诉举报办法 Art. 4 (grounds), Art. 5 (what a complaint states),
 * Art. 6 (by proxy), Art. 10 (what happens next).
 */
import { fitReply, LABEL, menu, MENU, prepend, Reply, T, text, welcome } from '../messages';
import { checkText } from '../validate';
import { TEXT_LIMITS } from '../model';
import { PARK_AFTER_MS, EXPIRE_AFTER_MS, Pending, CaseRef, ConversationState, FlowContext, ExemptionItem, TextInput, EffectResultInput, FlowInput, StepResult, Turn, say, SILENT, NonText, emptyState, isComplaintStage, draftInProgress, isState } from './types';
import { Command, command, parseCaseNumber } from './commands';
import { ask, problemText } from './questions';
import { park, onParked, resume, startComplaint, startFromSentence, cancel, clearDraft, onDraft, nextUnanswered } from './draft';
import { caseToAttach, menuCommandByNumber, read, spokenCommand } from './understood';
import { UNDERSTAND_TEXT, expandSearchTerms } from '../understand';
import { charLength } from '../validate';
import { isOpen } from '../model';

export {
  PARK_AFTER_MS,
  EXPIRE_AFTER_MS,
  STATE_VERSION,
  MAX_SUGGESTIONS,
  COMPLAINT_STAGES,
  emptyState,
  isComplaintStage,
  draftInProgress,
  type Reply,
  type TextReply,
  type MenuReply,
  type MenuClickItem,
  type Agency,
  type ComplaintStage,
  type Stage,
  type ProxyInfo,
  type ComplaintDraft,
  type ComplaintSubmission,
  type Pending,
  type ConversationState,
  type FlowContext,
  type ExemptionItem,
  type CaseRef,
  type OfficeContact,
  type TextInput,
  type EffectResultInput,
  type FlowInput,
  type Effect,
  type EffectKind,
  type StepResult,
} from './types';
export { CASE_NUMBER, GROUND_CODES, TEXT_LIMITS, type GroundCode } from '../model';
export { parseCaseNumber } from './commands';

// ------------------------------------------------------------------ entry point

export function step(state: ConversationState | null, input: FlowInput, now: Date, ctx: FlowContext): StepResult {
  // user_recall_msg: the citizen withdrew a message; nothing to say, nothing changes.
  if (input.type === 'recall') return { state, replies: [], effects: [] };
  if (input.type === 'effect_result') return onEffectResult(state, input);

  const notices: string[] = [];
  let s: ConversationState;
  let first = false;
  if (!isState(state)) {
    s = emptyState(now);
    first = true;
  } else if (!(now.getTime() < Date.parse(state.expiresAt))) {
    if (draftInProgress(state) || state.stage === 'submitting') notices.push(T.expired);
    s = emptyState(now);
  } else {
    s = structuredClone(state);
  }

  const turn = handle(s, input, now, ctx, first);
  s.updatedAt = now.toISOString();
  s.expiresAt = new Date(now.getTime() + EXPIRE_AFTER_MS).toISOString();
  return { state: s, replies: prepend(turn.replies, notices).map(fitReply), effects: turn.effects };
}

export function handle(
  s: ConversationState,
  input: TextInput | { type: 'enter_session' } | { type: 'non_text'; msgtype: string },
  now: Date,
  ctx: FlowContext,
  first: boolean,
): Turn {
  if (input.type === 'enter_session') return onEnterSession(s, now);
  const silentFor = now.getTime() - Date.parse(s.updatedAt);

  if (s.stage === 'submitting') {
    if (silentFor <= PARK_AFTER_MS) return say(text(T.submitting));
    // The registration result never came back; the draftId lets the runtime de-duplicate a retry.
    s.stage = 'confirm';
    return say(...ask(s, { pre: [T.submitStale] }));
  }
  if (!s.parkedAt && draftInProgress(s) && silentFor > PARK_AFTER_MS) return park(s, now, []);
  if (s.parkedAt) return onParked(s, input, now, ctx);
  if (s.stage === 'human' && silentFor > PARK_AFTER_MS) s.stage = 'idle';
  if (isComplaintStage(s.stage)) return onDraft(s, input, now, ctx);
  if (s.stage === 'human') return onHuman(s, input, now, ctx);
  if (s.stage === 'status_number') return onStatusNumber(s, input, now, ctx);
  if (s.stage === 'exemption_q') return onExemptionQuestion(s, input, now, ctx);
  return onIdle(s, input, now, ctx, first);
}

// ------------------------------------------------------------------ outside a draft

export function onEnterSession(s: ConversationState, now: Date): Turn {
  // enter_session is answered with exactly one message (send_msg_on_event allows one).
  if (s.stage === 'submitting') return say(text(T.submitting));
  if (draftInProgress(s)) return park(s, now, [T.greeting]);
  s.stage = 'idle';
  return say(welcome([T.greeting]));
}

export function onIdle(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext, first: boolean): Turn {
  const greet = first ? [T.greeting] : [];
  const resumable = { resumable: !!s.resumeStage };
  if (input.type === 'non_text') return say(welcome([...greet, T.problems.non_text], resumable));
  let c = command(input, true);
  if (!c && !input.menuId) {
    const number = parseCaseNumber(input.content);
    if (number) return queryStatus(s, number);
    const spoken = onSentence(s, input.content, now, ctx, greet);
    if ('replies' in spoken) return spoken;
    c = spoken;
  }
  if (!c) return say(welcome(first ? greet : [T.welcomeConfused], resumable));
  switch (c.cmd) {
    case 'complain':
      return s.resumeStage ? resume(s) : startComplaint(s, now, greet);
    case 'exempt_complain':
      return s.resumeStage ? resume(s) : startFromExemption(s, now, greet);
    case 'continue':
      return s.resumeStage ? resume(s) : say(welcome(greet));
    case 'status': {
      if (c.arg === undefined) return listCases(s);
      const number = parseCaseNumber(c.arg);
      if (number) return queryStatus(s, number);
      return listCases(s);
    }
    case 'exemption': {
      s.stage = 'exemption_q';
      if (c.arg === undefined) return say(...ask(s, { pre: greet }));
      return answerExemptionQuestion(s, c.arg, greet, ctx);
    }
    case 'human':
      return handoff(s, ctx);
    case 'cancel':
      if (s.resumeStage) return cancel(s);
      return say(welcome([T.nothingToCancel]));
    default:
      return say(welcome(greet, resumable));
  }
}

/**
 * A whole sentence at the menu: its intent, and what it carries. The first message of a
 * complaint is kept (its facts and fields pre-fill the draft); one about the citizen's own
 * case is attached to it.
 */
function onSentence(s: ConversationState, raw: string, now: Date, ctx: FlowContext, greet: string[]): Turn | { cmd: Command; arg?: string } {
  const u = read(s, raw, ctx, 'any');
  const attachTo = caseToAttach(ctx.cases, now);
  switch (u.intent) {
    case 'complaint':
    case 'proxy':
      if (s.resumeStage) return resume(s);
      return startFromSentence(s, now, greet, raw, ctx);
    case 'status':
      return u.fields.caseNumber ? queryStatus(s, u.fields.caseNumber) : listCases(s);
    case 'exemption_lookup':
      s.stage = 'exemption_q';
      return answerExemptionQuestion(s, raw, greet, ctx);
    case 'human':
      return { cmd: 'human' };
    case 'cancel':
      return { cmd: 'cancel' };
    case 'number': {
      const cmd = menuCommandByNumber(u.fields.number ?? 0, !!s.resumeStage);
      return cmd ? { cmd } : say(welcome([...greet, T.problems.choice], { resumable: !!s.resumeStage }));
    }
    case 'yes':
      return s.resumeStage ? resume(s) : say(welcome(greet));
    case 'dissatisfied':
    case 'supplement':
      if (attachTo) return caseMessage(s, attachTo.number, u.intent === 'supplement' ? (u.fields.supplement ?? raw) : raw, u.intent === 'dissatisfied' && !isOpen(attachTo.status), greet);
      break;
    case 'unclear':
      return say(welcome([...greet, u.fields.unclear === 'emoji' ? T.problems.emoji_only : UNDERSTAND_TEXT.unclear], { resumable: !!s.resumeStage }));
    case 'unknown':
      if (attachTo && charLength(raw) >= 6) return caseMessage(s, attachTo.number, raw, false, greet);
      if (charLength(raw) >= 20) return startFromSentence(s, now, greet, raw, ctx);
      break;
    default:
      return say(welcome(greet, { resumable: !!s.resumeStage }));
  }
  return say(welcome(greet.length ? greet : [T.welcomeConfused], { resumable: !!s.resumeStage }));
}

/** After filing: what the citizen says about a case is kept on it (an event the agency and office see). */
function caseMessage(s: ConversationState, number: string, raw: string, dissatisfied: boolean, greet: string[]): Turn {
  s.stage = 'idle';
  const text_ = raw.trim().slice(0, 2000);
  return {
    replies: [text(...greet, dissatisfied ? T.dissatisfiedRecorded(number) : T.caseMessageAdded(number))],
    effects: [{ kind: 'case_message', number, text: text_, dissatisfied }],
  };
}

export function startFromExemption(s: ConversationState, now: Date, greet: string[]): Turn {
  const last = s.lastExemption;
  const turn = startComplaint(s, now, greet, 'ignores_exemption_list');
  if (!last) return turn;
  s.draft.certificate = last.certificate;
  if (last.agencyName) {
    s.draft.agencyCode = last.agencyCode ?? null;
    s.draft.agencyText = last.agencyName;
  }
  s.prefilled = true;
  s.stage = nextUnanswered(s.draft);
  const kept = [T.exemptionPrefill(last.certificate), last.agencyName ? T.prefillAgency(last.agencyName) : undefined].filter((x): x is string => !!x);
  return say(...ask(s, { pre: [...greet, ...kept] }));
}

export function onStatusNumber(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return say(...ask(s, { problem: T.problems.non_text }));
  const c = command(input, true);
  if (c?.cmd === 'status' && c.arg === undefined) return listCases(s);
  if (c) return leaveQuery(s, c.cmd, input, now, ctx);
  const number = parseCaseNumber(input.content);
  if (number) return queryStatus(s, number);
  const u = read(s, input.content, ctx, 'case_number');
  if (u.fields.caseNumber) return queryStatus(s, u.fields.caseNumber);
  const spoken = spokenCommand(u);
  if (spoken) return leaveQuery(s, spoken, input, now, ctx);
  // "不记得了，就是前几天投诉不动产那个": the citizen's cases, no number needed.
  return listCases(s);
}

export function onExemptionQuestion(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return say(...ask(s, { problem: T.problems.non_text }));
  const c = command(input, true);
  if (c?.cmd === 'exemption' && c.arg === undefined) return say(...ask(s));
  if (c?.cmd === 'exemption' && c.arg !== undefined) return answerExemptionQuestion(s, c.arg, [], ctx);
  if (c?.cmd === 'exempt_complain' || c?.cmd === 'complain') return startFromExemption(s, now, []);
  if (c) return leaveQuery(s, c.cmd, input, now, ctx);
  const u = read(s, input.content, ctx, 'search');
  const spoken = spokenCommand(u);
  if (spoken) return leaveQuery(s, spoken, input, now, ctx);
  if (u.intent === 'complaint') return startFromExemption(s, now, []);
  if (u.intent === 'status') return leaveQuery(s, 'status', input, now, ctx);
  return answerExemptionQuestion(s, input.content, [], ctx);
}

export function leaveQuery(s: ConversationState, cmd: Command, input: TextInput, now: Date, ctx: FlowContext): Turn {
  s.stage = 'idle';
  if (cmd === 'cancel' || cmd === 'back' || cmd === 'restart') return say(welcome([], { resumable: !!s.resumeStage }));
  if (cmd === 'human') return handoff(s, ctx);
  return onIdle(s, input, now, ctx, false);
}

export function answerExemptionQuestion(s: ConversationState, raw: string, pre: string[], ctx: FlowContext): Turn {
  const { min, max } = TEXT_LIMITS.exemption;
  const check = checkText(raw, { min, max: 200 });
  if (!check.ok) return say(...ask(s, { pre, problem: problemText(check.problem, max, check.length, min) }));
  // Question words stripped, synonyms added: 失业金 finds 失业保险金.
  const terms = expandSearchTerms(check.value, ctx.synonyms);
  const q = Array.from(check.value).slice(0, max).join('');
  // The lookup stays open for another term until the citizen leaves it.
  s.stage = 'exemption_q';
  s.pending = { kind: 'query_exemption', q };
  return { replies: pre.length ? [text(...pre)] : [], effects: [{ kind: 'query_exemption', q, terms: terms.length ? terms : [q] }] };
}

export function queryStatus(s: ConversationState, number: string): Turn {
  s.stage = 'idle';
  s.pending = { kind: 'query_status', number };
  return { replies: [], effects: [{ kind: 'query_status', number }] };
}

/** 查询进度 without a number: the citizen's own cases. */
export function listCases(s: ConversationState): Turn {
  s.stage = 'idle';
  s.pending = { kind: 'list_cases' };
  return { replies: [], effects: [{ kind: 'list_cases' }] };
}

export function onHuman(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  // A person has the conversation: what the citizen writes goes to them, unless it asks the bot for something.
  if (input.type === 'non_text') return SILENT;
  let c = command(input, true);
  if (!c && !input.menuId) {
    const spoken = spokenCommand(read(s, input.content, ctx, 'any'));
    if (spoken && spoken !== 'human') c = { cmd: spoken };
  }
  if (!c || c.cmd === 'human' || (c.cmd === 'continue' && !s.resumeStage)) {
    if (input.menuId || !ctx.office?.channel) return SILENT;
    return { replies: [text(T.forwarded)], effects: [{ kind: 'forward', text: input.content.slice(0, 2000) }] };
  }
  s.stage = 'idle';
  return onIdle(s, input, now, ctx, false);
}

export function handoff(s: ConversationState, ctx: FlowContext): Turn {
  const office = ctx.office ?? { channel: false };
  if (!office.channel) {
    // Nobody would read it: no promise of a person; the phone numbers that do answer.
    const nobody = T.handoffNobody(office.hours, office.phone);
    if (isComplaintStage(s.stage)) return say(...ask(s, { pre: [nobody] }));
    s.stage = 'idle';
    return say(welcome([nobody], { resumable: !!s.resumeStage }));
  }
  if (isComplaintStage(s.stage)) s.resumeStage = s.stage;
  s.stage = 'human';
  s.parkedAt = undefined;
  s.pending = { kind: 'handoff' };
  return {
    replies: [text(T.handoffOffice(office.hours, office.phone), s.resumeStage ? T.handoffDraftKept : undefined)],
    effects: [{ kind: 'handoff' }],
  };
}

// ------------------------------------------------------------------ effect results

export function onEffectResult(state: ConversationState | null, input: EffectResultInput): StepResult {
  // A result nobody is waiting for (stale, duplicated, or for another turn) changes nothing.
  if (!isState(state) || state.pending?.kind !== input.kind) return { state, replies: [], effects: [] };
  const s = structuredClone(state);
  const pending = s.pending as Pending;
  s.pending = undefined;
  let replies: Reply[] = [];

  if (input.ok === false) {
    if (input.kind === 'file_complaint') {
      if (s.stage === 'submitting') s.stage = 'confirm';
      replies = s.stage === 'confirm' ? ask(s, { pre: [T.submitFailed] }) : [text(T.submitFailed)];
    } else if (input.kind === 'handoff') {
      if (s.stage === 'human') {
        if (s.resumeStage) {
          s.stage = s.resumeStage;
          s.resumeStage = undefined;
          replies = ask(s, { pre: [T.handoffFailed], showPrevious: true });
        } else {
          s.stage = 'idle';
          replies = [text(T.handoffFailed)];
        }
      }
    } else {
      replies = [text(T.queryFailed)];
    }
  } else if (input.kind === 'file_complaint') {
    // The case exists now: whatever the citizen did meanwhile, the draft is done.
    clearDraft(s);
    if (isComplaintStage(s.stage) || s.stage === 'submitting') s.stage = 'idle';
    // A duplicate hears where it went before any new number (Art. 9).
    replies = [text(input.mergedInto ? T.registeredMerged(input.number, input.mergedInto) : T.registered(input.number))];
  } else if (input.kind === 'list_cases') {
    replies = [text(...caseLines(input.cases ?? []))];
  } else if (input.kind === 'query_status') {
    const number = pending.kind === 'query_status' ? pending.number : '';
    replies = [
      text(
        input.found
          ? T.statusFound(number, (input.status && T.statusLabels[input.status]) || T.statusUnknown, input.summary)
          : T.statusNotFound(number),
      ),
    ];
  } else if (input.kind === 'query_exemption') {
    const items = input.items ?? [];
    replies = exemptionReplies(pending.kind === 'query_exemption' ? pending.q : '', items, input.published !== false);
    const exempt = items.find((i) => EXEMPT_METHODS.includes(i.method));
    s.lastExemption = exempt ? { certificate: exempt.certificate, agencyCode: exempt.handlingUnit?.code ?? null, agencyName: exempt.handlingUnit?.name } : undefined;
  }
  return { state: s, replies: replies.map(fitReply), effects: [] };
}

/** Methods under which the certificate may no longer be asked of the applicant. */
export const EXEMPT_METHODS = ['sharing', 'commitment', 'verification', 'other'];

export function caseLines(cases: CaseRef[]): string[] {
  if (cases.length === 0) return [T.casesNone];
  const shown = cases.slice(0, 8).map((c, i) =>
    T.caseLine(i + 1, { number: c.number, agencyName: c.agencyName, statusText: T.statusLabels[c.status] ?? T.statusUnknown, due: isOpen(c.status) ? c.due : undefined }),
  );
  return [T.casesHead, ...shown, T.casesTail];
}

export function exemptionReplies(q: string, items: ExemptionItem[], published = true): Reply[] {
  if (items.length === 0) {
    return [
      menu(
        // With no list published yet, "not found" must not read as "still required".
        [published ? T.exemptionNone(q) : T.exemptionNoList, T.exemptionAgain],
        [
          [MENU.exemption, LABEL.exemptRetry],
          [MENU.human, LABEL.human],
        ],
      ),
    ];
  }
  const shown = items.slice(0, 5);
  const lines = shown.map((item, i) => T.exemptionLine(i + 1, item, methodText(item)));
  const replies: Reply[] = [text(T.exemptionHead, ...lines, items.length > shown.length && T.exemptionMore(items.length), T.exemptionAgain)];
  if (shown.some((i) => EXEMPT_METHODS.includes(i.method))) {
    replies.push(
      menu(
        [T.exemptionOffer],
        [
          [MENU.exemptComplain, LABEL.exemptComplain],
          [MENU.exemption, LABEL.exemptAgain],
          [MENU.human, LABEL.human],
        ],
      ),
    );
  }
  return replies;
}

export function methodText(item: ExemptionItem): string {
  if (item.method === 'verification' && item.issuerUnit) return T.exemptionVerifiedBy(item.issuerUnit);
  return T.exemptionMethods[item.method] ?? T.exemptionMethodUnknown;
}
