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
import { PARK_AFTER_MS, EXPIRE_AFTER_MS, Pending, ConversationState, FlowContext, ExemptionItem, TextInput, EffectResultInput, FlowInput, StepResult, Turn, say, SILENT, NonText, emptyState, isComplaintStage, draftInProgress, isState } from './types';
import { Command, command, parseCaseNumber } from './commands';
import { ask, problemText } from './questions';
import { park, onParked, resume, startComplaint, cancel, clearDraft, onDraft } from './draft';

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
  if (s.parkedAt) return onParked(s, input, now);
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
  const c = command(input, true);
  if (!c) {
    const number = parseCaseNumber(input.content);
    if (number) return queryStatus(s, number);
    return say(welcome(first ? greet : [T.welcomeConfused], resumable));
  }
  switch (c.cmd) {
    case 'complain':
      return s.resumeStage ? resume(s) : startComplaint(s, now, greet);
    case 'exempt_complain':
      return s.resumeStage ? resume(s) : startComplaint(s, now, greet, 'ignores_exemption_list');
    case 'continue':
      return s.resumeStage ? resume(s) : say(welcome(greet));
    case 'status': {
      if (c.arg === undefined) {
        s.stage = 'status_number';
        return say(...ask(s, { pre: greet }));
      }
      const number = parseCaseNumber(c.arg);
      if (number) return queryStatus(s, number);
      s.stage = 'status_number';
      return say(text(...greet, T.statusInvalid));
    }
    case 'exemption': {
      s.stage = 'exemption_q';
      if (c.arg === undefined) return say(...ask(s, { pre: greet }));
      return answerExemptionQuestion(s, c.arg, greet);
    }
    case 'human':
      return handoff(s);
    case 'cancel':
      if (s.resumeStage) return cancel(s);
      return say(welcome([T.nothingToCancel]));
    default:
      return say(welcome(greet, resumable));
  }
}

export function onStatusNumber(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return say(...ask(s, { problem: T.problems.non_text }));
  const c = command(input, true);
  if (c?.cmd === 'status' && c.arg === undefined) return say(...ask(s));
  if (c) return leaveQuery(s, c.cmd, input, now, ctx);
  const number = parseCaseNumber(input.content);
  if (number) return queryStatus(s, number);
  const check = checkText(input.content, { max: 100 });
  return say(text(check.ok ? T.statusInvalid : problemText(check.problem, 100, check.length), check.ok ? undefined : T.statusAsk));
}

export function onExemptionQuestion(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return say(...ask(s, { problem: T.problems.non_text }));
  const c = command(input, true);
  if (c?.cmd === 'exemption' && c.arg === undefined) return say(...ask(s));
  if (c?.cmd === 'exemption' && c.arg !== undefined) return answerExemptionQuestion(s, c.arg, []);
  if (c) return leaveQuery(s, c.cmd, input, now, ctx);
  return answerExemptionQuestion(s, input.content, []);
}

export function leaveQuery(s: ConversationState, cmd: Command, input: TextInput, now: Date, ctx: FlowContext): Turn {
  s.stage = 'idle';
  if (cmd === 'cancel' || cmd === 'back' || cmd === 'restart') return say(welcome([], { resumable: !!s.resumeStage }));
  return onIdle(s, input, now, ctx, false);
}

export function answerExemptionQuestion(s: ConversationState, raw: string, pre: string[]): Turn {
  const { min, max } = TEXT_LIMITS.exemption;
  const check = checkText(raw, { min, max });
  if (!check.ok) return say(...ask(s, { pre, problem: problemText(check.problem, max, check.length, min) }));
  s.stage = 'idle';
  s.pending = { kind: 'query_exemption', q: check.value };
  return { replies: [], effects: [{ kind: 'query_exemption', q: check.value }] };
}

export function queryStatus(s: ConversationState, number: string): Turn {
  s.stage = 'idle';
  s.pending = { kind: 'query_status', number };
  return { replies: [], effects: [{ kind: 'query_status', number }] };
}

export function onHuman(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  // A staff member has the conversation: stay quiet unless the citizen asks the bot for something.
  if (input.type === 'non_text') return SILENT;
  const c = command(input, true);
  if (!c) return SILENT;
  if (c.cmd === 'human') return SILENT;
  if (c.cmd === 'continue' && !s.resumeStage) return SILENT;
  s.stage = 'idle';
  return onIdle(s, input, now, ctx, false);
}

export function handoff(s: ConversationState): Turn {
  if (isComplaintStage(s.stage)) s.resumeStage = s.stage;
  s.stage = 'human';
  s.parkedAt = undefined;
  s.pending = { kind: 'handoff' };
  return {
    replies: [text(T.handoff, s.resumeStage ? T.handoffDraftKept : undefined)],
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
    replies = [text(T.registered(input.number))];
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
    replies = exemptionReplies(pending.kind === 'query_exemption' ? pending.q : '', input.items ?? []);
  }
  return { state: s, replies: replies.map(fitReply), effects: [] };
}

/** Methods under which the certificate may no longer be asked of the applicant. */
export const EXEMPT_METHODS = ['sharing', 'commitment', 'verification', 'other'];

export function exemptionReplies(q: string, items: ExemptionItem[]): Reply[] {
  if (items.length === 0) {
    return [
      menu(
        [T.exemptionNone(q)],
        [
          [MENU.exemption, LABEL.exemptRetry],
          [MENU.human, LABEL.human],
        ],
      ),
    ];
  }
  const shown = items.slice(0, 5);
  const lines = shown.map((item, i) => T.exemptionLine(i + 1, item, methodText(item)));
  const replies: Reply[] = [text(T.exemptionHead, ...lines, items.length > shown.length && T.exemptionMore(items.length))];
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
