import { Agency } from '../agency-match';
import { Reply } from '../messages';

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
