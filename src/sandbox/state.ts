/**
 * The emulator's memory: what WeCom would hold (members, tokens, cards, chats, kf
 * conversations), the shapes the API areas share, and the directory.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { wecomError } from './errcodes';
import { SlidingWindow } from './sliding-window';
import { type SelectedItem } from './template-card';

export interface EmulatorOptions {
  corpId: string;
  agentId: number;
  secret: string;
  /** WeChat Customer Service secret; kf routes accept its token and the app token. */
  kfSecret?: string;
  /**
   * A corp created after 2023-12-01: gettoken refuses the kf secret (40001) and kf calls
   * must use the app token (DOC 94670, DOC 94677).
   */
  refuseKfSecret?: boolean;
  /** Callback Token and EncodingAESKey, for signing and encrypting callbacks to the app. */
  token: string;
  encodingAESKey: string;
  /** The app's POST /wecom/callback; settable later. */
  callbackUrl?: string;
  /**
   * The corp directory. Unknown userids land in invaliduser; `licensed: false` members (no
   * interoperability licence) land in unlicenseduser and receive nothing (DOC 90236).
   * Omitted: every userid is a member.
   */
  members?: Array<{ userid: string; name: string; licensed?: boolean }>;
  /** open_kfid values that exist. */
  kfAccounts?: string[];
  /** Group robot webhook keys that exist. Omitted: any non-empty key is a robot. */
  robotKeys?: string[];
  /** App group chats that already exist (foreign: created by another app, answers 86008). */
  appchats?: Array<{ chatid: string; name?: string; owner?: string; userlist: string[]; foreign?: boolean }>;
  /** ms clock (default Date.now). */
  now?: () => number;
  /** access_token lifetime (default 7200). */
  tokenTtlSeconds?: number;
  /** WeCom gives up on a callback after 5 s without an answer. */
  callbackTimeoutMs?: number;
  /**
   * Which failures WeCom retries a callback on: `any_failure` (DOC 90238, the older page:
   * no answer in 5 s or any status but 200, three tries in all, as retryOnFailure/retries
   * ask) or `network_only` (DOC 90930, 2024-12: only connection failures and time-outs,
   * three tries; a 5xx is final). Default network_only: design for the newer page.
   */
  callbackRetry?: 'any_failure' | 'network_only';
  /**
   * What message/send answers when its duplicate check suppressed the send: UNDOCUMENTED
   * (WECOM.md section 3). `replay` the first answer (default), `no_response_code` a
   * success without a response_code, `42014` the task_id error for a card.
   */
  duplicateAnswer?: DuplicateAnswer;
  /** What update_template_card answers for a response_code already used (UNCONFIRMED; default 60140). */
  usedResponseCodeErrcode?: number;
}

export type DuplicateAnswer = 'replay' | 'no_response_code' | '42014';

export interface DeliveredMessage {
  seq: number;
  channel: 'app' | 'appchat';
  msgid?: string;
  touser: string;
  chatid?: string;
  msgtype: string;
  /** body[msgtype] as the member sees it (text cut to 2048 bytes). */
  payload: any;
  body: any;
  at: number;
  truncated?: boolean;
  dropReason?: 'member_minute_limit' | 'member_hour_limit' | 'appchat_member_minute_limit';
}

export interface CallbackResult {
  status: number;
  body: string;
  attempts?: number;
  /** WeCom dropped this callback (DOC 90930 says events may be dropped): it was never posted. */
  dropped?: boolean;
}

export interface CallbackSendOptions {
  /** Under `any_failure`: resend the same bytes, three tries in all, until an HTTP 200 (WECOM.md §1 Retries). */
  retryOnFailure?: boolean;
}

export interface ClickOptions extends CallbackSendOptions {
  selectedItems?: SelectedItem[];
}

export interface ApiCall {
  path: string;
  method: string;
  query: Record<string, string>;
  body: any;
  errcode: number;
  at: number;
}

export interface CardState {
  userid: string;
  taskId: string;
  msgid: string;
  card: any;
  replace_name?: string;
  updatedAt: number;
}

export interface CallbackRecord {
  method: 'GET' | 'POST';
  url: string;
  query: Record<string, string>;
  body: string;
  plainXml?: string;
  attempt: number;
  status: number;
  responseBody: string;
  at: number;
}

export interface KfSentMessage {
  msgid: string;
  open_kfid: string;
  touser: string;
  msgtype: string;
  payload: any;
  body: any;
  onEvent: boolean;
  at: number;
}

export type TokenKind = 'app' | 'kf';
export type Auth = 'none' | 'app' | 'any';
export type Answer = { errcode: number; errmsg: string } & Record<string, unknown>;
export type Body = Record<string, any>;

export interface ApiRequest {
  query: Record<string, string>;
  body: Body;
  tokenKind?: TokenKind;
}

export interface TokenRecord {
  token: string;
  kind: TokenKind;
  expiresAt: number;
  invalidated: boolean;
}

export interface ResponseCodeRecord {
  taskId: string;
  issuedAt: number;
  used: boolean;
  userid?: string;
}

export interface TaskCard {
  taskId: string;
  msgid: string;
  card: any;
  recipients: string[];
}

export interface AppChat {
  chatid: string;
  name: string;
  owner: string;
  userlist: string[];
  foreign: boolean;
}

export interface KfCustomer {
  openKfId: string;
  externalUserId: string;
  lastCustomerMsgAt?: number;
  sentSinceLast: number;
  lastWelcomeAt?: number;
  lastServicerSendAt?: number;
  /**
   * The session state (DOC 94669): 0 new, 1 with the bot (the API), 2 queued for a human,
   * 3 with a human servicer, 4 ended or not started. send_msg works in 0 and 1 only.
   */
  sessionState: KfSessionState;
  servicer?: string;
}

export type KfSessionState = 0 | 1 | 2 | 3 | 4;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const RESPONSE_CODE_TTL = 72 * HOUR; // DOC 94945: 72 h (older copies: 24 h)
export const KF_TOKEN_TTL = 10 * MINUTE;
export const KF_WINDOW = 48 * HOUR;
export const KF_WINDOW_MAX = 5;
export const WELCOME_CODE_TTL = 20_000;
export const OAUTH_CODE_TTL = 5 * MINUTE;
export const USERID_RE = /^[A-Za-z0-9_.\-@]{1,64}$/;
export const KF_MSGID_RE = /^[0-9a-zA-Z_-]{1,32}$/;
export const APP_MSGTYPES = new Set([
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'news',
  'mpnews',
  'markdown',
  'miniprogram_notice',
  'template_card',
  'interactive_taskcard',
]);
export const KF_MSGTYPES = new Set([
  'text',
  'image',
  'voice',
  'video',
  'file',
  'link',
  'miniprogram',
  'msgmenu',
  'location',
  'business_card',
  'ca_link',
]);
export const MSGMENU_ITEM_TYPES = new Set(['click', 'view', 'miniprogram', 'text']);

export function ok(extra: Record<string, unknown> = {}): Answer {
  return { errcode: 0, errmsg: 'ok', ...extra };
}

export function fail(errcode: number, detail?: string, extra: Record<string, unknown> = {}): Answer {
  return { ...wecomError(errcode, detail), ...extra };
}

export function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

export function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** JSON with sorted keys, for "same request json" comparisons. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function splitIds(v: unknown): string[] {
  if (typeof v === 'number') return [String(v)];
  if (typeof v !== 'string') return [];
  return v
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomDigits(n: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

/** Text as a member sees it: zero-width characters render as nothing (the raw body keeps them). */
export function asSeen(content: string): string {
  return content.replace(/[\u200b\u200c\u2060]/g, '');
}

export abstract class EmulatorState {
  /** Under `any_failure`: extra tries for every callback (0..2); `{retryOnFailure: true}` means three tries in all. */
  retries = 0;

  protected readonly opts: EmulatorOptions;
  protected readonly now: () => number;
  protected readonly tokenTtlMs: number;
  protected readonly callbackTimeoutMs: number;
  protected readonly instanceTag = randomId(4);
  protected callbackUrl?: string;
  protected down = false;
  protected seq = 0;
  protected kfSecretRefused: boolean;
  callbackRetry: 'any_failure' | 'network_only';
  duplicateAnswer: DuplicateAnswer;
  usedResponseCodeErrcode: number;
  protected dropCallbacksLeft = 0;

  protected readonly members = new Map<string, { userid: string; name: string }>();
  protected readonly unlicensed = new Set<string>();
  protected readonly openDirectory: boolean;
  protected readonly kfAccounts: Set<string>;
  protected readonly robotKeys?: Set<string>;

  protected readonly tokens = new Map<string, TokenRecord>();
  protected readonly currentToken: Partial<Record<TokenKind, TokenRecord>> = {};
  protected readonly injected = new Map<string, Array<{ errcode: number; left: number }>>();
  protected readonly calls: ApiCall[] = [];

  protected readonly deliveries: DeliveredMessage[] = [];
  protected readonly appMinute = new SlidingWindow(MINUTE);
  protected readonly appHour = new SlidingWindow(HOUR);
  protected readonly chatMinute = new SlidingWindow(MINUTE);
  protected readonly robotMinute = new SlidingWindow(MINUTE);
  protected readonly sentBodies = new Map<string, { at: number; answer: Answer }>();
  protected readonly taskCards = new Map<string, TaskCard>();
  protected readonly cards = new Map<string, CardState>();
  protected readonly responseCodes = new Map<string, ResponseCodeRecord>();
  protected readonly updates: any[] = [];

  protected readonly chats = new Map<string, AppChat>();
  protected readonly chatMessages: any[] = [];
  protected readonly robotLog: any[] = [];

  protected readonly kfLog: any[] = [];
  protected readonly kfTokens = new Map<string, { openKfId: string; expiresAt: number }>();
  protected readonly kfCustomers = new Map<string, KfCustomer>();
  protected readonly welcomeCodes = new Map<string, { key: string; issuedAt: number; used: boolean }>();
  protected readonly kfClientMsgIds = new Map<string, Answer>();
  protected readonly kfSentLog: KfSentMessage[] = [];
  /** Told of every kf message sent, as it is recorded (see WeComEmulator.onKfSent). */
  protected readonly kfSentListeners = new Set<(m: KfSentMessage) => void>();
  protected kfEmptyPages = 0;

  protected readonly oauthCodes = new Map<string, { userid?: string; openid?: string; externalUserId?: string; issuedAt: number }>();
  protected readonly callbackLog: CallbackRecord[] = [];

  constructor(opts: EmulatorOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.tokenTtlMs = (opts.tokenTtlSeconds ?? 7200) * 1000;
    this.callbackTimeoutMs = opts.callbackTimeoutMs ?? 5000;
    this.callbackUrl = opts.callbackUrl;
    this.kfSecretRefused = opts.refuseKfSecret ?? false;
    this.callbackRetry = opts.callbackRetry ?? 'network_only';
    this.duplicateAnswer = opts.duplicateAnswer ?? 'replay';
    this.usedResponseCodeErrcode = opts.usedResponseCodeErrcode ?? 60140;
    this.openDirectory = opts.members === undefined;
    for (const m of opts.members ?? []) this.addMember(m.userid, m.name, m.licensed);
    this.kfAccounts = new Set(opts.kfAccounts ?? []);
    if (opts.robotKeys) this.robotKeys = new Set(opts.robotKeys);
    for (const c of opts.appchats ?? []) {
      this.chats.set(c.chatid, {
        chatid: c.chatid,
        name: c.name ?? c.chatid,
        owner: c.owner ?? c.userlist[0] ?? '',
        userlist: [...c.userlist],
        foreign: c.foreign ?? false,
      });
    }
  }

  // ---------------------------------------------------------------- directory

  addMember(userid: string, name: string, licensed = true): void {
    this.members.set(userid.toLowerCase(), { userid, name });
    if (licensed) this.unlicensed.delete(userid.toLowerCase());
    else this.unlicensed.add(userid.toLowerCase());
  }

  addKfAccount(openKfId: string): void {
    this.kfAccounts.add(openKfId);
  }

  addRobot(key: string): void {
    this.robotKeys?.add(key);
  }

  /** The member's canonical userid, or undefined (userids are case-insensitive in WeCom). */
  protected member(userid: string): string | undefined {
    const m = this.members.get(userid.toLowerCase());
    if (m) return m.userid;
    if (this.openDirectory && USERID_RE.test(userid)) return userid;
    return undefined;
  }

  protected requireMember(userid: string): string {
    const m = this.member(userid);
    if (!m) throw new Error(`unknown member: ${userid}`);
    return m;
  }
}
