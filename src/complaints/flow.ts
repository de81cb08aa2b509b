/**
 * The citizen's conversation in WeChat Customer Service (WECOM.md section 6) as a pure
 * state machine: step(state, input, now, ctx) -> { state, replies, effects }.
 * No I/O and no clock: the runtime loads the state, calls step, stores the new state,
 * sends `replies` with kf/send_msg and performs `effects`; an effect that returns data
 * comes back as an `effect_result` input, accepted only while `state.pending` awaits it.
 * Rules implemented: 投诉举报办法 Art. 4 (grounds), Art. 5 (what a complaint states),
 * Art. 6 (by proxy), Art. 10 (what happens next).
 */
import { Agency, matchAgency } from './agency-match';
import { normaliseName, normaliseName as normWord } from '../directory/names';
import {
  agencyPickMenuId,
  EDIT_DONE_ID,
  EDIT_FIELDS,
  EDIT_LABELS,
  EditField,
  editMenuId,
  fitReply,
  GROUND_KEYWORDS,
  GROUND_LABELS,
  groundMenuId,
  LABEL,
  menu,
  MENU,
  prepend,
  Reply,
  T,
  text,
  welcome,
  WORDS,
} from './messages';
import { charLength, checkText, hasLetters, normalizePhone, TextProblem } from './validate';

export type { Reply, TextReply, MenuReply, MenuClickItem } from './messages';
export type { Agency } from './agency-match';

/** Silence after which an unfinished draft is parked (offered 继续 / 重来). */
export const PARK_AFTER_MS = 30 * 60 * 1000;
/** Silence after which the whole state, draft included, is discarded. */
export const EXPIRE_AFTER_MS = 48 * 60 * 60 * 1000;
export const STATE_VERSION = 1;
export const MAX_SUGGESTIONS = 5;

/** Character limits per answer: min counts letters/digits, max counts all characters. */
export const TEXT_LIMITS = {
  agency: { min: 2, max: 100 },
  facts: { min: 5, max: 1000 },
  request: { min: 2, max: 500 },
  name: { min: 2, max: 30 },
  principal: { min: 2, max: 30 },
  exemption: { min: 2, max: 50 },
} as const;

/** Art. 4 (1)-(5), in the article's order; menu ids ground_1..ground_5 follow it. */
export const GROUND_CODES = [
  'still_requires_certificate',
  'ignores_exemption_list',
  'verification_late',
  'refuses_certificate_outside_county',
  'other',
] as const;
export type GroundCode = (typeof GROUND_CODES)[number];

export const CASE_NUMBER = /^TS\d{8}-\d{4}$/;

export const COMPLAINT_STAGES = [
  'ground',
  'agency',
  'agency_pick',
  'facts',
  'request',
  'name',
  'phone',
  'proxy',
  'principal',
  'confirm',
  'edit_pick',
] as const;
export type ComplaintStage = (typeof COMPLAINT_STAGES)[number];
export type Stage = 'idle' | ComplaintStage | 'submitting' | 'status_number' | 'exemption_q' | 'human';

export interface ProxyInfo {
  isProxy: boolean;
  principalName?: string;
}

/** What has been answered so far. */
export interface ComplaintDraft {
  ground?: GroundCode;
  /** Directory code of the unit, or null when the citizen's wording matched no unit. */
  agencyCode?: string | null;
  /** The unit's directory name when matched, otherwise the name as the citizen typed it. */
  agencyText?: string;
  facts?: string;
  request?: string;
  name?: string;
  /** Canonical form from normalizePhone. */
  phone?: string;
  proxy?: ProxyInfo;
}

/** A complete draft, as handed to the runtime for registration (Art. 5, 7). */
export interface ComplaintSubmission {
  ground: GroundCode;
  agencyCode: string | null;
  agencyText: string;
  facts: string;
  request: string;
  name: string;
  phone: string;
  proxy: ProxyInfo;
}

export type Pending =
  | { kind: 'file_complaint' }
  | { kind: 'query_status'; number: string }
  | { kind: 'query_exemption'; q: string }
  | { kind: 'handoff' };

/** JSON-serialisable; store it as is. */
export interface ConversationState {
  v: typeof STATE_VERSION;
  stage: Stage;
  draft: ComplaintDraft;
  /** Questions answered before the current one, for 上一步. */
  history: ComplaintStage[];
  /** ISO; when the current draft was started. Also its idempotency key (draftId). */
  draftStartedAt?: string;
  /** ISO; the citizen's last activity. */
  updatedAt: string;
  /** ISO; updatedAt + EXPIRE_AFTER_MS. The runtime may delete rows past it. */
  expiresAt: string;
  /** ISO; set while the parked notice awaits 继续 / 重来 / 取消. */
  parkedAt?: string;
  /** Answering a field chosen under 修改: the next answer returns to the summary. */
  editing?: boolean;
  /** Did-you-mean suggestions and the wording they came from, while stage is agency_pick. */
  candidates?: Array<{ code: string; name: string }>;
  agencyInput?: string;
  /** The question to return to when a human took over in the middle of a draft. */
  resumeStage?: ComplaintStage;
  /** The effect whose result is awaited. */
  pending?: Pending;
}

export interface FlowContext {
  agencies: Agency[];
}

export interface ExemptionItem {
  serviceItem: string;
  certificate: string;
  /** `sharing` | `commitment` | `verification` | `other` (SPEC section 2, Art. 3). */
  method: string;
  issuerUnit?: string;
}

export type TextInput = { type: 'text'; content: string; menuId?: string };

export type EffectResultInput =
  | { type: 'effect_result'; kind: 'file_complaint'; ok: true; number: string }
  | { type: 'effect_result'; kind: 'query_status'; ok?: true; found: boolean; status?: string; summary?: string }
  | { type: 'effect_result'; kind: 'query_exemption'; ok?: true; items: ExemptionItem[] }
  | { type: 'effect_result'; kind: 'handoff'; ok: true }
  | { type: 'effect_result'; kind: EffectKind; ok: false; reason?: string };

export type FlowInput =
  | TextInput
  | { type: 'enter_session' }
  | { type: 'non_text'; msgtype: string }
  | { type: 'recall' }
  | EffectResultInput;

export type Effect =
  | { kind: 'file_complaint'; draft: ComplaintSubmission; draftId: string }
  | { kind: 'query_status'; number: string }
  | { kind: 'query_exemption'; q: string }
  | { kind: 'handoff' };
export type EffectKind = Effect['kind'];

export interface StepResult {
  /** null only when the input was ignored and there was no state before. */
  state: ConversationState | null;
  replies: Reply[];
  effects: Effect[];
}

interface Turn {
  replies: Reply[];
  effects: Effect[];
}

const say = (...replies: Reply[]): Turn => ({ replies, effects: [] });
const SILENT: Turn = { replies: [], effects: [] };

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

function handle(
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

function onEnterSession(s: ConversationState, now: Date): Turn {
  // enter_session is answered with exactly one message (send_msg_on_event allows one).
  if (s.stage === 'submitting') return say(text(T.submitting));
  if (draftInProgress(s)) return park(s, now, [T.greeting]);
  s.stage = 'idle';
  return say(welcome([T.greeting]));
}

function onIdle(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext, first: boolean): Turn {
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

function onStatusNumber(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return say(...ask(s, { problem: T.problems.non_text }));
  const c = command(input, true);
  if (c?.cmd === 'status' && c.arg === undefined) return say(...ask(s));
  if (c) return leaveQuery(s, c.cmd, input, now, ctx);
  const number = parseCaseNumber(input.content);
  if (number) return queryStatus(s, number);
  const check = checkText(input.content, { max: 100 });
  return say(text(check.ok ? T.statusInvalid : problemText(check.problem, 100, check.length), check.ok ? undefined : T.statusAsk));
}

function onExemptionQuestion(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  if (input.type === 'non_text') return say(...ask(s, { problem: T.problems.non_text }));
  const c = command(input, true);
  if (c?.cmd === 'exemption' && c.arg === undefined) return say(...ask(s));
  if (c?.cmd === 'exemption' && c.arg !== undefined) return answerExemptionQuestion(s, c.arg, []);
  if (c) return leaveQuery(s, c.cmd, input, now, ctx);
  return answerExemptionQuestion(s, input.content, []);
}

function leaveQuery(s: ConversationState, cmd: Command, input: TextInput, now: Date, ctx: FlowContext): Turn {
  s.stage = 'idle';
  if (cmd === 'cancel' || cmd === 'back' || cmd === 'restart') return say(welcome([], { resumable: !!s.resumeStage }));
  return onIdle(s, input, now, ctx, false);
}

function answerExemptionQuestion(s: ConversationState, raw: string, pre: string[]): Turn {
  const { min, max } = TEXT_LIMITS.exemption;
  const check = checkText(raw, { min, max });
  if (!check.ok) return say(...ask(s, { pre, problem: problemText(check.problem, max, check.length, min) }));
  s.stage = 'idle';
  s.pending = { kind: 'query_exemption', q: check.value };
  return { replies: [], effects: [{ kind: 'query_exemption', q: check.value }] };
}

function queryStatus(s: ConversationState, number: string): Turn {
  s.stage = 'idle';
  s.pending = { kind: 'query_status', number };
  return { replies: [], effects: [{ kind: 'query_status', number }] };
}

function onHuman(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
  // A staff member has the conversation: stay quiet unless the citizen asks the bot for something.
  if (input.type === 'non_text') return SILENT;
  const c = command(input, true);
  if (!c) return SILENT;
  if (c.cmd === 'human') return SILENT;
  if (c.cmd === 'continue' && !s.resumeStage) return SILENT;
  s.stage = 'idle';
  return onIdle(s, input, now, ctx, false);
}

function handoff(s: ConversationState): Turn {
  if (isComplaintStage(s.stage)) s.resumeStage = s.stage;
  s.stage = 'human';
  s.parkedAt = undefined;
  s.pending = { kind: 'handoff' };
  return {
    replies: [text(T.handoff, s.resumeStage ? T.handoffDraftKept : undefined)],
    effects: [{ kind: 'handoff' }],
  };
}

// ------------------------------------------------------------------ parking

function park(s: ConversationState, now: Date, pre: string[]): Turn {
  s.parkedAt = now.toISOString();
  return say(parkMenu(s, pre));
}

function parkMenu(s: ConversationState, pre: string[], problem?: string): Reply {
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

function onParked(s: ConversationState, input: TextInput | NonText, now: Date): Turn {
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

function resume(s: ConversationState): Turn {
  s.parkedAt = undefined;
  if (!isComplaintStage(s.stage)) s.stage = s.resumeStage ?? 'ground';
  s.resumeStage = undefined;
  return say(...ask(s, { pre: [T.resumed], showPrevious: true }));
}

// ------------------------------------------------------------------ the complaint draft

function startComplaint(s: ConversationState, now: Date, pre: string[], ground?: GroundCode): Turn {
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

function cancel(s: ConversationState): Turn {
  clearDraft(s);
  s.stage = 'idle';
  return say(welcome([T.cancelled]));
}

function clearDraft(s: ConversationState): void {
  s.draft = {};
  s.history = [];
  s.draftStartedAt = undefined;
  s.editing = undefined;
  s.parkedAt = undefined;
  s.resumeStage = undefined;
  s.candidates = undefined;
  s.agencyInput = undefined;
}

function onDraft(s: ConversationState, input: TextInput | NonText, now: Date, ctx: FlowContext): Turn {
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

function reask(s: ConversationState, problem?: string): Turn {
  return say(...ask(s, { problem }));
}

/** Moves to `next`, remembering the current question for 上一步. */
function goTo(s: ConversationState, next: ComplaintStage): void {
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
function proceed(s: ConversationState, linearNext: ComplaintStage, pre: string[] = []): Turn {
  goTo(s, s.editing ? 'confirm' : linearNext);
  return say(...ask(s, { pre }));
}

function canonicalPath(d: ComplaintDraft): ComplaintStage[] {
  const path: ComplaintStage[] = ['ground', 'agency', 'facts', 'request', 'name', 'phone', 'proxy'];
  if (d.proxy?.isProxy) path.push('principal');
  return path;
}

function back(s: ConversationState): Turn {
  const prev = s.history.pop();
  if (!prev) return say(...ask(s, { pre: [T.backFirst] }));
  s.candidates = undefined;
  s.agencyInput = undefined;
  if (prev === 'confirm') s.editing = undefined;
  s.stage = prev === 'agency_pick' ? 'agency' : prev;
  return say(...ask(s, { pre: [T.back], showPrevious: true }));
}

/** 不变: keep the earlier answer to the current question and move on. */
function keep(s: ConversationState): Turn {
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

function answerGround(s: ConversationState, input: TextInput): Turn {
  const idx = parseGround(input);
  if (idx === null) return reask(s, choiceProblem(input));
  const ground = GROUND_CODES[idx];
  s.draft.ground = ground;
  return proceed(s, 'agency', [T.groundChosen(GROUND_LABELS[ground])]);
}

function answerAgency(s: ConversationState, input: TextInput, ctx: FlowContext): Turn {
  const { min, max } = TEXT_LIMITS.agency;
  const check = checkText(input.content, { min, max });
  if (!check.ok) return reask(s, problemText(check.problem, max, check.length, min));
  return chooseAgency(s, check.value, ctx);
}

function chooseAgency(s: ConversationState, typed: string, ctx: FlowContext): Turn {
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

function recordAgencyAsTyped(s: ConversationState, typed: string, notice: string): Turn {
  s.draft.agencyCode = null;
  s.draft.agencyText = typed;
  return proceed(s, 'facts', [notice]);
}

function answerAgencyPick(s: ConversationState, input: TextInput, ctx: FlowContext): Turn {
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

function answerFreeText(s: ConversationState, input: TextInput, field: 'facts' | 'request'): Turn {
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

function answerName(s: ConversationState, input: TextInput, field: 'name' | 'principal'): Turn {
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

function answerPhone(s: ConversationState, input: TextInput): Turn {
  const check = checkText(input.content, { max: 40 });
  if (!check.ok && check.problem !== 'too_long') return reask(s, problemText(check.problem, 40, check.length));
  if (hasLetters(input.content)) return reask(s, T.problems.phone_letters);
  const phone = check.ok ? normalizePhone(check.value) : null;
  if (!phone) return reask(s, T.problems.phone_invalid);
  s.draft.phone = phone;
  return proceed(s, 'proxy');
}

function answerProxy(s: ConversationState, input: TextInput): Turn {
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

function answerConfirm(s: ConversationState, input: TextInput): Turn {
  const w = normWord(input.content);
  if (input.menuId === MENU.confirmSubmit || (!input.menuId && WORDS.confirmSubmit.includes(w))) return submit(s);
  if (input.menuId === MENU.confirmEdit || (!input.menuId && WORDS.confirmEdit.includes(w))) {
    goTo(s, 'edit_pick');
    return say(...ask(s));
  }
  return say(...ask(s, { problem: choiceProblem(input) }));
}

function answerEditPick(s: ConversationState, input: TextInput): Turn {
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

function submit(s: ConversationState): Turn {
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

function answered(d: ComplaintDraft, st: ComplaintStage): boolean {
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

// ------------------------------------------------------------------ effect results

function onEffectResult(state: ConversationState | null, input: EffectResultInput): StepResult {
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

function exemptionReplies(q: string, items: ExemptionItem[]): Reply[] {
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

function methodText(item: ExemptionItem): string {
  if (item.method === 'verification' && item.issuerUnit) return T.exemptionVerifiedBy(item.issuerUnit);
  return T.exemptionMethods[item.method] ?? T.exemptionMethodUnknown;
}

// ------------------------------------------------------------------ questions

interface AskOptions {
  pre?: string[];
  problem?: string;
  showPrevious?: boolean;
}

/** The current question, with notices before it and, after a bad answer, what was wrong. */
function ask(s: ConversationState, opts: AskOptions = {}): Reply[] {
  const pre = [...(opts.pre ?? []), opts.problem];
  const d = s.draft;
  const Q = T.questions;
  const EX = T.examples;
  switch (s.stage) {
    case 'ground': {
      const prev = opts.showPrevious && d.ground ? T.previousChoice(GROUND_LABELS[d.ground]) : undefined;
      return [
        menu(
          [...pre, Q.ground, prev],
          GROUND_CODES.map((g, i) => [groundMenuId(i), GROUND_LABELS[g]]),
          T.nav,
        ),
      ];
    }
    case 'agency':
    case 'facts':
    case 'request':
    case 'name':
    case 'phone':
    case 'principal': {
      const value = previousValue(s, s.stage);
      const prev = opts.showPrevious && value ? T.previousText(value) : undefined;
      return [text(...pre, Q[s.stage], EX[s.stage], prev, T.nav)];
    }
    case 'agency_pick': {
      const items: Array<[string, string]> = (s.candidates ?? []).map((c, i) => [agencyPickMenuId(i), c.name]);
      items.push([MENU.agencyNone, LABEL.agencyNone]);
      return [menu([...pre, Q.agency_pick], items, EX.agency_pick)];
    }
    case 'proxy': {
      const prev =
        opts.showPrevious && d.proxy
          ? T.previousChoice(d.proxy.isProxy ? LABEL.proxyOther : LABEL.proxySelf)
          : undefined;
      return [
        menu(
          [...pre, Q.proxy, prev],
          [
            [MENU.proxySelf, LABEL.proxySelf],
            [MENU.proxyOther, LABEL.proxyOther],
          ],
          T.nav,
        ),
      ];
    }
    case 'confirm': {
      const clipped =
        charLength(d.facts ?? '') > 180 || charLength(d.request ?? '') > 100 || charLength(d.agencyText ?? '') > 60;
      // Notices go under the summary, in the menu head, so the summary always fits one text.
      return [
        text(T.summaryTitle, ...T.summaryLines(d, d.ground ? GROUND_LABELS[d.ground] : ''), clipped && T.summaryClipped),
        menu(
          [...pre, Q.confirm],
          [
            [MENU.confirmSubmit, LABEL.confirmSubmit],
            [MENU.confirmEdit, LABEL.confirmEdit],
            [MENU.confirmCancel, LABEL.confirmCancel],
          ],
          T.nav,
        ),
      ];
    }
    case 'edit_pick':
      return [
        menu(
          [...pre, Q.edit_pick],
          [...EDIT_FIELDS.map((f): [string, string] => [editMenuId(f), EDIT_LABELS[f]]), [EDIT_DONE_ID, LABEL.editDone]],
          EX.edit_pick,
        ),
      ];
    case 'status_number':
      return [text(...pre, T.statusAsk)];
    case 'exemption_q':
      return [text(...pre, T.exemptionAsk)];
    case 'submitting':
      return [text(...pre, T.submitting)];
    default:
      return [welcome(pre, { resumable: !!s.resumeStage })];
  }
}

function previousValue(s: ConversationState, stage: ComplaintStage): string | undefined {
  const d = s.draft;
  switch (stage) {
    case 'agency':
      return d.agencyText;
    case 'facts':
    case 'request':
    case 'name':
    case 'phone':
      return d[stage];
    case 'principal':
      return d.proxy?.principalName;
    default:
      return undefined;
  }
}

function stepNumber(stage: ComplaintStage): number {
  const order: Record<ComplaintStage, number> = {
    ground: 1,
    agency: 2,
    agency_pick: 2,
    facts: 3,
    request: 4,
    name: 5,
    phone: 6,
    proxy: 7,
    principal: 7,
    confirm: 7,
    edit_pick: 7,
  };
  return order[stage];
}

function problemText(problem: TextProblem, max: number, length: number, min = 1): string {
  switch (problem) {
    case 'too_long':
      return T.tooLong(max, length);
    case 'too_short':
      return T.tooShort(min);
    default:
      return T.problems[problem];
  }
}

/** For a choice question: say what was wrong with the text, or that no option matched. */
function choiceProblem(input: TextInput): string {
  const check = checkText(input.content, { max: 200 });
  return check.ok || check.problem === 'too_long' || check.problem === 'too_short'
    ? T.problems.choice
    : problemText(check.problem, 200, check.length);
}

// ------------------------------------------------------------------ parsing

type NonText = { type: 'non_text'; msgtype: string };

type Command =
  | 'cancel'
  | 'restart'
  | 'back'
  | 'continue'
  | 'keep'
  | 'complain'
  | 'status'
  | 'exemption'
  | 'human'
  | 'menu'
  | 'exempt_complain';

const MENU_COMMANDS: Record<string, Command> = {
  [MENU.complain]: 'complain',
  [MENU.status]: 'status',
  [MENU.exemption]: 'exemption',
  [MENU.human]: 'human',
  [MENU.parkContinue]: 'continue',
  [MENU.parkRestart]: 'restart',
  [MENU.parkCancel]: 'cancel',
  [MENU.navBack]: 'back',
  [MENU.navRestart]: 'restart',
  [MENU.navCancel]: 'cancel',
  [MENU.confirmCancel]: 'cancel',
  [MENU.exemptComplain]: 'exempt_complain',
};

const WORD_COMMANDS: Array<[Command, string[]]> = (
  [
    ['cancel', WORDS.cancel],
    ['restart', WORDS.restart],
    ['back', WORDS.back],
    ['continue', WORDS.continue],
    ['keep', WORDS.keep],
    ['complain', WORDS.complain],
    ['status', WORDS.status],
    ['exemption', WORDS.exemption],
    ['human', WORDS.human],
    ['menu', WORDS.menu],
  ] as Array<[Command, string[]]>
).map(([cmd, words]) => [cmd, words.map(normWord)]);

const ARG_COMMANDS: Array<[Command, string[]]> = (['status', 'exemption'] as const).map((c) => [
  c,
  [...WORDS[c]].sort((a, b) => b.length - a.length),
]);

/**
 * A menu tap or one of the command words. Inside a draft only whole-message words count
 * (`withArg` false), so an answer that merely contains "投诉" is still an answer.
 */
function command(input: TextInput, withArg: boolean): { cmd: Command; arg?: string } | null {
  if (input.menuId) {
    const cmd = MENU_COMMANDS[input.menuId];
    return cmd ? { cmd } : null;
  }
  const w = normWord(input.content);
  if (w.length === 0 || w.length > 40) return null;
  for (const [cmd, words] of WORD_COMMANDS) if (words.includes(w)) return { cmd };
  if (!withArg) return null;
  const raw = input.content.normalize('NFKC').trim();
  for (const [cmd, words] of ARG_COMMANDS) {
    const kw = words.find((k) => raw.startsWith(k));
    if (kw) {
      const arg = raw.slice(kw.length).replace(/^[\s:：,，]+/, '').trim();
      if (arg.length > 0) return { cmd, arg };
    }
  }
  return null;
}

/** `TS` + 8 digits + `-` + 4 digits, tolerant of spaces, lower case and full-width characters. */
export function parseCaseNumber(raw: string): string | null {
  if (charLength(raw) > 60) return null;
  const s = raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/\s+/g, '')
    .replace(/[—–－]/g, '-')
    .replace(/^[:：]/, '');
  const prefix = WORDS.caseNumberPrefix.find((p) => s.startsWith(p));
  const number = (prefix ? s.slice(prefix.length) : s).replace(/^[:：]/, '');
  return CASE_NUMBER.test(number) ? number : null;
}

function parseGround(input: TextInput): number | null {
  if (input.menuId) {
    const m = /^ground_([1-5])$/.exec(input.menuId);
    return m ? Number(m[1]) - 1 : null;
  }
  const w = normWord(input.content);
  if (w.length === 0 || w.length > 40) return null;
  if (/^[1-5]$/.test(w)) return Number(w) - 1;
  const byLabel = GROUND_CODES.findIndex((g) => normWord(GROUND_LABELS[g]) === w);
  if (byLabel >= 0) return byLabel;
  const hits = GROUND_KEYWORDS.map((kws, i) => (kws.some((k) => w.includes(k)) ? i : -1)).filter((i) => i >= 0);
  return hits.length === 1 ? hits[0] : null;
}

function parseEditField(input: TextInput): EditField | 'done' | null {
  if (input.menuId) {
    if (input.menuId === EDIT_DONE_ID) return 'done';
    return EDIT_FIELDS.find((f) => editMenuId(f) === input.menuId) ?? null;
  }
  const w = normWord(input.content);
  if (/^[1-7]$/.test(w)) return EDIT_FIELDS[Number(w) - 1];
  if (WORDS.editDone.map(normWord).includes(w)) return 'done';
  return EDIT_FIELDS.find((f) => normWord(EDIT_LABELS[f]) === w) ?? null;
}

function stageAcceptsMenu(stage: Stage, id: string): boolean {
  switch (stage) {
    case 'ground':
      return /^ground_[1-5]$/.test(id);
    case 'agency_pick':
      return /^agency_pick_\d+$/.test(id) || id === MENU.agencyNone;
    case 'proxy':
      return id === MENU.proxySelf || id === MENU.proxyOther;
    case 'confirm':
      return id === MENU.confirmSubmit || id === MENU.confirmEdit;
    case 'edit_pick':
      return id === EDIT_DONE_ID || EDIT_FIELDS.some((f) => editMenuId(f) === id);
    default:
      return false;
  }
}

// ------------------------------------------------------------------ state helpers

export function emptyState(now: Date): ConversationState {
  return {
    v: STATE_VERSION,
    stage: 'idle',
    draft: {},
    history: [],
    updatedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + EXPIRE_AFTER_MS).toISOString(),
  };
}

export function isComplaintStage(stage: Stage): stage is ComplaintStage {
  return (COMPLAINT_STAGES as readonly string[]).includes(stage);
}

/** A draft the citizen has not finished: being filled in, or set aside while a human answered. */
export function draftInProgress(s: ConversationState): boolean {
  return isComplaintStage(s.stage) || !!s.resumeStage;
}

/** A stored state from an older shape (or garbage) starts afresh rather than throwing. */
function isState(x: ConversationState | null): x is ConversationState {
  return (
    !!x &&
    x.v === STATE_VERSION &&
    typeof x.stage === 'string' &&
    Array.isArray(x.history) &&
    typeof x.draft === 'object' &&
    x.draft !== null &&
    !Number.isNaN(Date.parse(x.updatedAt)) &&
    !Number.isNaN(Date.parse(x.expiresAt))
  );
}
