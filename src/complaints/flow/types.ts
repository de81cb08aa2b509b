import { Agency } from '../agency-match';
import { Reply } from '../messages';
import type { AliasTable, SynonymTable } from '../understand';

import { GroundCode } from '../model';

/** The conversation's state, inputs, effects and replies: the shapes step() works on. */

export type { Reply, TextReply, MenuReply, MenuClickItem } from '../messages';
export type { Agency } from '../agency-match';

/** Silence after which an unfinished draft is parked (offered 继续 / 重来). */
export const PARK_AFTER_MS = 30 * 60 * 1000;
/** Silence after which the whole state, draft included, is discarded. */
export const EXPIRE_AFTER_MS = 48 * 60 * 60 * 1000;
export const STATE_VERSION = 1;
export const MAX_SUGGESTIONS = 5;

export const COMPLAINT_STAGES = [
  'ground',
  'agency',
  'agency_pick',
  'facts',
  'facts_rest',
  'certificate',
  'request',
  'name',
  'phone',
  'proxy',
  'principal',
  'principal_phone',
  'confirm',
  'edit_pick',
] as const;
export type ComplaintStage = (typeof COMPLAINT_STAGES)[number];
export type Stage = 'idle' | ComplaintStage | 'submitting' | 'status_number' | 'exemption_q' | 'human';

export interface ProxyInfo {
  isProxy: boolean;
  principalName?: string;
  /** How the principal is related to the citizen (母亲, 亲属 ...). */
  relationship?: string;
  /** Canonical phone of the principal (Art. 6: the person concerned can be reached). */
  principalPhone?: string;
}

/** What has been answered so far. */
export interface ComplaintDraft {
  ground?: GroundCode;
  /** Directory code of the unit, or null when the citizen's wording matched no unit. */
  agencyCode?: string | null;
  /** The unit's directory name when matched, otherwise the name as the citizen typed it. */
  agencyText?: string;
  facts?: string;
  /** Art. 5 "what is asked": the certificate demanded (or refused); '' when the citizen does not know. */
  certificate?: string;
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
  certificate: string | null;
  request: string;
  name: string;
  phone: string;
  proxy: ProxyInfo;
}

export type Pending =
  | { kind: 'file_complaint' }
  | { kind: 'query_status'; number: string }
  | { kind: 'list_cases' }
  | { kind: 'query_exemption'; q: string }
  | { kind: 'handoff' };

/** The citizen's own cases, as the runtime knows them (for status lists and follow-ups). */
export interface CaseRef {
  number: string;
  status: string;
  agencyName: string;
  /** Office-local text of the deadline, when one runs. */
  due?: string;
  /** ISO; when the case closed, for "recently closed". */
  closedAt?: string;
}

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
  /** The draft was pre-filled from a whole message: questions already answered are skipped. */
  prefilled?: boolean;
  /** The part of an over-long story beyond the first part, while the citizen decides on it. */
  factsRest?: string;
  /** The last exemption answer's first exempt entry, for 我要投诉 from the result. */
  lastExemption?: { certificate: string; agencyCode?: string | null; agencyName?: string };
}

export interface OfficeContact {
  /** Someone at the office receives what the citizen writes (office group configured). */
  channel: boolean;
  phone?: string;
  hours?: string;
}

export interface FlowContext {
  agencies: Agency[];
  /** The office's alias and synonym tables, over the defaults. */
  aliases?: AliasTable;
  synonyms?: SynonymTable;
  office?: OfficeContact;
  /** The citizen's own cases, newest first. */
  cases?: CaseRef[];
}

export interface ExemptionItem {
  serviceItem: string;
  certificate: string;
  /** `sharing` | `commitment` | `verification` | `other` (SPEC section 2, Art. 3). */
  method: string;
  issuerUnit?: string;
  /** The unit that handles the service (and so may not ask for the certificate). */
  handlingUnit?: { code: string; name: string };
}

export type TextInput = { type: 'text'; content: string; menuId?: string };

export type EffectResultInput =
  | { type: 'effect_result'; kind: 'file_complaint'; ok: true; number: string; mergedInto?: string }
  | { type: 'effect_result'; kind: 'query_status'; ok?: true; found: boolean; status?: string; summary?: string }
  | { type: 'effect_result'; kind: 'list_cases'; ok?: true; cases: CaseRef[] }
  | { type: 'effect_result'; kind: 'query_exemption'; ok?: true; items: ExemptionItem[]; published?: boolean }
  | { type: 'effect_result'; kind: 'handoff'; ok: true }
  | { type: 'effect_result'; kind: 'forward' | 'case_message'; ok: true }
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
  | { kind: 'list_cases' }
  | { kind: 'query_exemption'; q: string; terms?: string[] }
  | { kind: 'handoff' }
  /** A message for the person who took over (office group and worklist). */
  | { kind: 'forward'; text: string }
  /** A message about one of the citizen's cases: an event on it, seen by the agency and the office. */
  | { kind: 'case_message'; number: string; text: string; dissatisfied: boolean };
export type EffectKind = Effect['kind'];

export interface StepResult {
  /** null only when the input was ignored and there was no state before. */
  state: ConversationState | null;
  replies: Reply[];
  effects: Effect[];
}

export interface Turn {
  replies: Reply[];
  effects: Effect[];
}

export const say = (...replies: Reply[]): Turn => ({ replies, effects: [] });
export const SILENT: Turn = { replies: [], effects: [] };

export type NonText = { type: 'non_text'; msgtype: string };


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
export function isState(x: ConversationState | null): x is ConversationState {
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
