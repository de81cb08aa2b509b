/**
 * A WeCom emulator for sandbox mode and tests: the same routes, fields, errcodes,
 * limits, signatures and encryption as WeCom (WECOM.md lists the facts it relies on).
 * Everything is in memory; the clock is injectable.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import Koa from 'koa';
import { wecomError } from './errcodes';
import { BodyTooLargeError, flatQuery, readText } from './http-body';
import { SlidingWindow, byteLength, truncateUtf8 } from './sliding-window';
import {
  RESPONSE_CODE_CARDS,
  clickableKeys,
  defaultSelection,
  isCallbackCard,
  menuKeys,
  validateTemplateCard,
  type SelectedItem,
} from './template-card';
import {
  cardEventXml,
  enterAgentXml,
  kfEventXml,
  sealCallback,
  sealEchostr,
  textMessageXml,
} from './callback-xml';
import { controlRouter } from './control-routes';

export interface EmulatorOptions {
  corpId: string;
  agentId: number;
  secret: string;
  /** WeChat Customer Service secret; kf routes accept its token and the app token. */
  kfSecret?: string;
  /** Callback Token and EncodingAESKey, for signing and encrypting callbacks to the app. */
  token: string;
  encodingAESKey: string;
  /** The app's POST /wecom/callback; settable later. */
  callbackUrl?: string;
  /** The corp directory. Unknown userids land in invaliduser. Omitted: every userid is a member. */
  members?: Array<{ userid: string; name: string }>;
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
}

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
}

export interface CallbackSendOptions {
  /** Resend the same bytes, three tries in all, until an HTTP 200 (WECOM.md §1 Retries). */
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

type TokenKind = 'app' | 'kf';
type Auth = 'none' | 'app' | 'any';
type Answer = { errcode: number; errmsg: string } & Record<string, unknown>;
type Body = Record<string, any>;

interface ApiRequest {
  query: Record<string, string>;
  body: Body;
  tokenKind?: TokenKind;
}

interface TokenRecord {
  token: string;
  kind: TokenKind;
  expiresAt: number;
  invalidated: boolean;
}

interface ResponseCodeRecord {
  taskId: string;
  issuedAt: number;
  used: boolean;
  userid?: string;
}

interface TaskCard {
  taskId: string;
  msgid: string;
  card: any;
  recipients: string[];
}

interface AppChat {
  chatid: string;
  name: string;
  owner: string;
  userlist: string[];
  foreign: boolean;
}

interface KfCustomer {
  openKfId: string;
  externalUserId: string;
  lastCustomerMsgAt?: number;
  sentSinceLast: number;
  lastWelcomeAt?: number;
  lastServicerSendAt?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RESPONSE_CODE_TTL = 72 * HOUR; // DOC 94945: 72 h (older copies: 24 h)
const KF_TOKEN_TTL = 10 * MINUTE;
const KF_WINDOW = 48 * HOUR;
const KF_WINDOW_MAX = 5;
const WELCOME_CODE_TTL = 20_000;
const OAUTH_CODE_TTL = 5 * MINUTE;
const USERID_RE = /^[A-Za-z0-9_.\-@]{1,64}$/;
const KF_MSGID_RE = /^[0-9a-zA-Z_-]{1,32}$/;
const APP_MSGTYPES = new Set([
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
const KF_MSGTYPES = new Set([
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
const MSGMENU_ITEM_TYPES = new Set(['click', 'view', 'miniprogram', 'text']);

function ok(extra: Record<string, unknown> = {}): Answer {
  return { errcode: 0, errmsg: 'ok', ...extra };
}

function fail(errcode: number, detail?: string, extra: Record<string, unknown> = {}): Answer {
  return { ...wecomError(errcode, detail), ...extra };
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** JSON with sorted keys, for "same request json" comparisons. */
function canonicalJson(v: unknown): string {
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

function splitIds(v: unknown): string[] {
  if (typeof v === 'number') return [String(v)];
  if (typeof v !== 'string') return [];
  return v
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);
}

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function randomDigits(n: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

/** Text as a member sees it: zero-width characters render as nothing (the raw body keeps them). */
function asSeen(content: string): string {
  return content.replace(/[\u200b\u200c\u2060]/g, '');
}

export class WeComEmulator {
  readonly app: Koa;
  /** Extra tries for every callback (0..2); `{retryOnFailure: true}` means three tries in all. */
  retries = 0;

  private readonly opts: EmulatorOptions;
  private readonly now: () => number;
  private readonly tokenTtlMs: number;
  private readonly callbackTimeoutMs: number;
  private readonly instanceTag = randomId(4);
  private callbackUrl?: string;
  private server?: http.Server;
  private down = false;
  private seq = 0;

  private readonly members = new Map<string, { userid: string; name: string }>();
  private readonly openDirectory: boolean;
  private readonly kfAccounts: Set<string>;
  private readonly robotKeys?: Set<string>;

  private readonly tokens = new Map<string, TokenRecord>();
  private readonly currentToken: Partial<Record<TokenKind, TokenRecord>> = {};
  private readonly injected = new Map<string, Array<{ errcode: number; left: number }>>();
  private readonly calls: ApiCall[] = [];

  private readonly deliveries: DeliveredMessage[] = [];
  private readonly appMinute = new SlidingWindow(MINUTE);
  private readonly appHour = new SlidingWindow(HOUR);
  private readonly chatMinute = new SlidingWindow(MINUTE);
  private readonly robotMinute = new SlidingWindow(MINUTE);
  private readonly sentBodies = new Map<string, { at: number; answer: Answer }>();
  private readonly taskCards = new Map<string, TaskCard>();
  private readonly cards = new Map<string, CardState>();
  private readonly responseCodes = new Map<string, ResponseCodeRecord>();
  private readonly updates: any[] = [];

  private readonly chats = new Map<string, AppChat>();
  private readonly chatMessages: any[] = [];
  private readonly robotLog: any[] = [];

  private readonly kfLog: any[] = [];
  private readonly kfTokens = new Map<string, { openKfId: string; expiresAt: number }>();
  private readonly kfCustomers = new Map<string, KfCustomer>();
  private readonly welcomeCodes = new Map<string, { key: string; issuedAt: number; used: boolean }>();
  private readonly kfClientMsgIds = new Map<string, Answer>();
  private readonly kfSentLog: KfSentMessage[] = [];
  private kfEmptyPages = 0;

  private readonly oauthCodes = new Map<string, { userid: string; issuedAt: number }>();
  private readonly callbackLog: CallbackRecord[] = [];

  private readonly routes = new Map<string, { auth: Auth; handler: (r: ApiRequest) => Answer }>();

  constructor(opts: EmulatorOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.tokenTtlMs = (opts.tokenTtlSeconds ?? 7200) * 1000;
    this.callbackTimeoutMs = opts.callbackTimeoutMs ?? 5000;
    this.callbackUrl = opts.callbackUrl;
    this.openDirectory = opts.members === undefined;
    for (const m of opts.members ?? []) this.addMember(m.userid, m.name);
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

    this.defineRoutes();
    this.app = new Koa();
    this.app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          ctx.status = 413;
          ctx.body = { errcode: 41301, errmsg: 'request body too large' };
          return;
        }
        ctx.status = 500;
        ctx.body = { errcode: -1, errmsg: `sandbox error: ${(err as Error).message}` };
      }
    });
    const control = controlRouter(this);
    this.app.use(control.routes());
    this.app.use(control.allowedMethods());
    this.app.use(async (ctx) => this.handleApi(ctx));
  }

  // ---------------------------------------------------------------- server

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('emulator already listening');
    const server = http.createServer(this.app.callback());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  setCallbackUrl(url: string): void {
    this.callbackUrl = url;
  }

  // ---------------------------------------------------------------- directory

  addMember(userid: string, name: string): void {
    this.members.set(userid.toLowerCase(), { userid, name });
  }

  addKfAccount(openKfId: string): void {
    this.kfAccounts.add(openKfId);
  }

  addRobot(key: string): void {
    this.robotKeys?.add(key);
  }

  /** The member's canonical userid, or undefined (userids are case-insensitive in WeCom). */
  private member(userid: string): string | undefined {
    const m = this.members.get(userid.toLowerCase());
    if (m) return m.userid;
    if (this.openDirectory && USERID_RE.test(userid)) return userid;
    return undefined;
  }

  private requireMember(userid: string): string {
    const m = this.member(userid);
    if (!m) throw new Error(`unknown member: ${userid}`);
    return m;
  }

  // ---------------------------------------------------------------- inspection

  delivered(filter: { touser?: string; msgtype?: string; chatid?: string } = {}): DeliveredMessage[] {
    return this.deliveries.filter((d) => !d.dropReason && this.matches(d, filter)).map(clone);
  }

  dropped(filter: { touser?: string; msgtype?: string; chatid?: string } = {}): DeliveredMessage[] {
    return this.deliveries.filter((d) => d.dropReason && this.matches(d, filter)).map(clone);
  }

  private matches(d: DeliveredMessage, f: { touser?: string; msgtype?: string; chatid?: string }): boolean {
    if (f.touser !== undefined && d.touser.toLowerCase() !== f.touser.toLowerCase()) return false;
    if (f.msgtype !== undefined && d.msgtype !== f.msgtype) return false;
    if (f.chatid !== undefined && d.chatid !== f.chatid) return false;
    return true;
  }

  robotMessages(key?: string): any[] {
    return this.robotLog.filter((m) => key === undefined || m.key === key).map(clone);
  }

  appchatMessages(chatid?: string): any[] {
    return this.chatMessages.filter((m) => chatid === undefined || m.chatid === chatid).map(clone);
  }

  kfSent(externalUserId?: string): KfSentMessage[] {
    return this.kfSentLog.filter((m) => externalUserId === undefined || m.touser === externalUserId).map(clone);
  }

  /** How many kf messages went out so far (cheap: no copies; for polling loops). */
  kfSentCount(): number {
    return this.kfSentLog.length;
  }

  /** The kf messages sent from position `from` on (for incremental readers). */
  kfSentSince(from: number): KfSentMessage[] {
    return this.kfSentLog.slice(from).map(clone);
  }

  cardUpdates(): any[] {
    return this.updates.map(clone);
  }

  /** The card a member sees now: the latest template_card JSON, or replace_name once greyed. */
  cardState(userid: string, taskId: string): CardState | undefined {
    const m = this.member(userid) ?? userid;
    return clone(this.cards.get(this.cardKey(m, taskId)));
  }

  apiCalls(): ApiCall[] {
    return this.calls.map(clone);
  }

  callbacks(): CallbackRecord[] {
    return this.callbackLog.map(clone);
  }

  appchat(chatid: string): { chatid: string; name: string; owner: string; userlist: string[] } | undefined {
    return clone(this.chats.get(chatid));
  }

  /** The msg_list items waiting in the kf queue (customer messages and events). */
  kfQueue(openKfId?: string): any[] {
    return this.kfLog.filter((i) => openKfId === undefined || this.kfItemAccount(i) === openKfId).map(clone);
  }

  /** Polls until fn returns a truthy value (or an empty array stays empty) and resolves it. */
  async waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 5000, intervalMs = 20): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v && !(Array.isArray(v) && v.length === 0)) return v;
      if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  // ---------------------------------------------------------------- faults

  /** The next `times` calls of `path` answer `errcode` (e.g. -1, 45009, 45033, 40014, 42001, 60020). */
  injectError(path: string, errcode: number, times = 1): void {
    const list = this.injected.get(path) ?? [];
    list.push({ errcode, left: times });
    this.injected.set(path, list);
  }

  /** Every /cgi-bin route answers HTTP 503 while down. */
  setOutage(down: boolean): void {
    this.down = down;
  }

  /** WeCom may invalidate tokens early: the next use answers 40014; gettoken issues new ones. */
  invalidateTokens(): void {
    for (const t of this.tokens.values()) t.invalidated = true;
    delete this.currentToken.app;
    delete this.currentToken.kf;
  }

  /** The next `times` sync_msg calls answer has_more 1 with an empty msg_list (WeCom does that). */
  injectKfEmptyPages(times = 1): void {
    this.kfEmptyPages += times;
  }

  /** An OAuth code as the WeCom client would hand to the redirect_uri (single use, 5 min). */
  issueOAuthCode(userid: string): string {
    const m = this.requireMember(userid);
    const code = randomId(24);
    this.oauthCodes.set(code, { userid: m, issuedAt: this.now() });
    return code;
  }

  // ---------------------------------------------------------------- callbacks to the app

  async sendText(
    fromUser: string,
    content: string,
    opts?: CallbackSendOptions,
  ): Promise<CallbackResult & { msgId: string }> {
    const msgId = randomDigits(19);
    const xml = textMessageXml({ ...this.common(this.requireMember(fromUser)), content, msgId });
    return { ...(await this.sendCallback(xml, opts)), msgId };
  }

  async sendEnterAgent(fromUser: string, opts?: CallbackSendOptions): Promise<CallbackResult> {
    return this.sendCallback(enterAgentXml(this.common(this.requireMember(fromUser))), opts);
  }

  /** A button or submit click on a card delivered to that member; ResponseCode is fresh and usable once. */
  async clickButton(
    fromUser: string,
    taskId: string,
    eventKey: string,
    opts?: ClickOptions,
  ): Promise<CallbackResult & { responseCode: string }> {
    const user = this.requireMember(fromUser);
    const state = this.requireCard(user, taskId);
    if (state.replace_name !== undefined) {
      throw new Error(`card ${taskId} of ${user} is greyed out ("${state.replace_name}"): nothing to click`);
    }
    const keys = clickableKeys(state.card);
    if (!keys.includes(eventKey)) throw new Error(`card ${taskId} has no button "${eventKey}" (has: ${keys.join(', ')})`);
    const responseCode = this.issueResponseCode(taskId, user);
    const selected = opts?.selectedItems ?? defaultSelection(state.card);
    const xml = cardEventXml({
      ...this.common(user),
      event: 'template_card_event',
      eventKey,
      taskId,
      cardType: String(state.card.card_type),
      responseCode,
      selectedItems: selected,
    });
    return { ...(await this.sendCallback(xml, opts)), responseCode };
  }

  /** An action_menu click (template_card_menu_event). */
  async clickMenu(
    fromUser: string,
    taskId: string,
    eventKey: string,
    opts?: CallbackSendOptions,
  ): Promise<CallbackResult & { responseCode: string }> {
    const user = this.requireMember(fromUser);
    const state = this.requireCard(user, taskId);
    const keys = menuKeys(state.card);
    if (!keys.includes(eventKey)) throw new Error(`card ${taskId} has no menu item "${eventKey}"`);
    const responseCode = this.issueResponseCode(taskId, user);
    const xml = cardEventXml({
      ...this.common(user),
      event: 'template_card_menu_event',
      eventKey,
      taskId,
      cardType: String(state.card.card_type),
      responseCode,
    });
    return { ...(await this.sendCallback(xml, opts)), responseCode };
  }

  /** A citizen writes to the kf account: queue a msg_list item (origin 3), then kf_msg_or_event. */
  async kfCustomerSays(
    openKfId: string,
    externalUserId: string,
    content: string,
    opts?: { menuId?: string } & CallbackSendOptions,
  ): Promise<CallbackResult & { token: string; msgid: string }> {
    this.requireKfAccount(openKfId);
    const now = this.now();
    const cust = this.kfCustomer(openKfId, externalUserId);
    cust.lastCustomerMsgAt = now;
    cust.sentSinceLast = 0;
    const msgid = `from_msgid_${randomDigits(19)}`;
    const text: Record<string, string> = { content };
    if (opts?.menuId !== undefined) text.menu_id = opts.menuId;
    this.kfLog.push({
      msgid,
      open_kfid: openKfId,
      external_userid: externalUserId,
      send_time: Math.floor(now / 1000),
      origin: 3,
      msgtype: 'text',
      text,
    });
    const token = this.issueKfToken(openKfId);
    const xml = kfEventXml({ corpId: this.opts.corpId, createTime: Math.floor(now / 1000), token, openKfId });
    return { ...(await this.sendCallback(xml, opts)), token, msgid };
  }

  /**
   * A system event (origin 4): enter_session (a welcome_code is added when WeCom would:
   * no welcome and no message to this customer in 48 h; pass welcome_code: null to omit),
   * user_recall_msg, session_status_change...
   */
  async kfEvent(
    openKfId: string,
    externalUserId: string,
    event: Record<string, unknown>,
    opts?: CallbackSendOptions,
  ): Promise<CallbackResult & { token: string; msgid: string; welcomeCode?: string }> {
    this.requireKfAccount(openKfId);
    if (!nonEmpty(event.event_type)) throw new Error('kfEvent needs event.event_type');
    const now = this.now();
    const cust = this.kfCustomer(openKfId, externalUserId);
    const ev: Record<string, unknown> = {
      event_type: event.event_type,
      open_kfid: openKfId,
      external_userid: externalUserId,
      ...event,
    };
    if (ev.event_type === 'enter_session' && !('welcome_code' in event)) {
      const recent = (t?: number) => t !== undefined && now - t < KF_WINDOW;
      if (!recent(cust.lastWelcomeAt) && !recent(cust.lastServicerSendAt)) ev.welcome_code = randomId(24);
    }
    if (ev.welcome_code === null || ev.welcome_code === undefined) delete ev.welcome_code;
    if (typeof ev.welcome_code === 'string') {
      this.welcomeCodes.set(ev.welcome_code, { key: this.kfKey(openKfId, externalUserId), issuedAt: now, used: false });
    }
    const msgid = `from_msgid_${randomDigits(19)}`;
    // top-level open_kfid/external_userid are not returned for events (they sit in event{})
    this.kfLog.push({ msgid, send_time: Math.floor(now / 1000), origin: 4, msgtype: 'event', event: ev });
    const token = this.issueKfToken(openKfId);
    const xml = kfEventXml({ corpId: this.opts.corpId, createTime: Math.floor(now / 1000), token, openKfId });
    const res = await this.sendCallback(xml, opts);
    return { ...res, token, msgid, ...(typeof ev.welcome_code === 'string' ? { welcomeCode: ev.welcome_code } : {}) };
  }

  /** POSTs bytes as given (for forged or malformed callback tests). */
  async postRawCallback(xml: string, query: Record<string, string> = {}): Promise<CallbackResult> {
    const url = this.requireCallbackUrl();
    const res = await this.post(url, query, xml);
    this.logCallback('POST', url, query, xml, undefined, 1, res);
    return res;
  }

  /** Signs and encrypts plain XML exactly as WeCom does. */
  buildCallback(
    plainXml: string,
    opts: { timestamp?: string; nonce?: string; receiveId?: string } = {},
  ): { query: Record<string, string>; body: string } {
    const sealed = sealCallback(plainXml, {
      token: this.opts.token,
      encodingAESKey: this.opts.encodingAESKey,
      receiveId: opts.receiveId ?? this.opts.corpId,
      toUserName: this.opts.corpId,
      agentId: this.opts.agentId,
      timestamp: opts.timestamp ?? String(Math.floor(this.now() / 1000)),
      nonce: opts.nonce,
    });
    return { query: sealed.query, body: sealed.body };
  }

  /** GET URL verification, as when an admin saves the callback settings. */
  async verifyUrl(echostrPlain: string): Promise<{ status: number; body: string }> {
    const url = this.requireCallbackUrl();
    const query = sealEchostr(echostrPlain, {
      token: this.opts.token,
      encodingAESKey: this.opts.encodingAESKey,
      receiveId: this.opts.corpId,
      timestamp: String(Math.floor(this.now() / 1000)),
    });
    const u = this.withQuery(url, query);
    let res: CallbackResult;
    try {
      const r = await fetch(u, { method: 'GET', signal: AbortSignal.timeout(this.callbackTimeoutMs) });
      res = { status: r.status, body: await r.text() };
    } catch (err) {
      res = { status: 0, body: (err as Error).message };
    }
    this.logCallback('GET', url, query, '', echostrPlain, 1, res);
    return { status: res.status, body: res.body };
  }

  private common(user: string) {
    return {
      corpId: this.opts.corpId,
      fromUser: user,
      createTime: Math.floor(this.now() / 1000),
      agentId: this.opts.agentId,
    };
  }

  private requireCard(user: string, taskId: string): CardState {
    const state = this.cards.get(this.cardKey(user, taskId));
    if (!state) throw new Error(`card task_id ${taskId} was not delivered to ${user}`);
    return state;
  }

  private requireCallbackUrl(): string {
    if (!this.callbackUrl) throw new Error('no callback URL set (setCallbackUrl)');
    return this.callbackUrl;
  }

  private async sendCallback(plainXml: string, opts?: CallbackSendOptions): Promise<CallbackResult> {
    const url = this.requireCallbackUrl();
    const { query, body } = this.buildCallback(plainXml);
    const tries = opts?.retryOnFailure ? 3 : 1 + Math.min(2, Math.max(0, Math.floor(this.retries)));
    let res: CallbackResult = { status: 0, body: '' };
    for (let attempt = 1; attempt <= tries; attempt++) {
      res = await this.post(url, query, body);
      this.logCallback('POST', url, query, body, plainXml, attempt, res);
      if (res.status === 200) return { ...res, attempts: attempt };
    }
    return { ...res, attempts: tries };
  }

  private withQuery(url: string, query: Record<string, string>): URL {
    const u = new URL(url);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u;
  }

  private async post(url: string, query: Record<string, string>, body: string): Promise<CallbackResult> {
    try {
      const r = await fetch(this.withQuery(url, query), {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.callbackTimeoutMs),
      });
      return { status: r.status, body: await r.text() };
    } catch (err) {
      return { status: 0, body: (err as Error).message };
    }
  }

  private logCallback(
    method: 'GET' | 'POST',
    url: string,
    query: Record<string, string>,
    body: string,
    plainXml: string | undefined,
    attempt: number,
    res: CallbackResult,
  ): void {
    this.callbackLog.push({ method, url, query, body, plainXml, attempt, status: res.status, responseBody: res.body, at: this.now() });
  }

  // ---------------------------------------------------------------- API pipeline

  private route(path: string, auth: Auth, handler: (r: ApiRequest) => Answer): void {
    this.routes.set(path, { auth, handler });
  }

  private defineRoutes(): void {
    this.route('/cgi-bin/gettoken', 'none', (r) => this.getToken(r));
    this.route('/cgi-bin/getcallbackip', 'any', () => ok({ ip_list: ['127.0.0.1'] }));
    this.route('/cgi-bin/message/send', 'app', (r) => this.messageSend(r));
    this.route('/cgi-bin/message/update_template_card', 'app', (r) => this.updateTemplateCard(r));
    this.route('/cgi-bin/appchat/create', 'app', (r) => this.appchatCreate(r));
    this.route('/cgi-bin/appchat/get', 'app', (r) => this.appchatGet(r));
    this.route('/cgi-bin/appchat/send', 'app', (r) => this.appchatSend(r));
    this.route('/cgi-bin/webhook/send', 'none', (r) => this.webhookSend(r));
    this.route('/cgi-bin/kf/sync_msg', 'any', (r) => this.kfSyncMsg(r));
    this.route('/cgi-bin/kf/send_msg', 'any', (r) => this.kfSendMsg(r));
    this.route('/cgi-bin/kf/send_msg_on_event', 'any', (r) => this.kfSendMsgOnEvent(r));
    this.route('/cgi-bin/kf/account/list', 'any', () =>
      ok({ account_list: [...this.kfAccounts].map((id) => ({ open_kfid: id, name: id, avatar: '' })) }),
    );
    this.route('/cgi-bin/auth/getuserinfo', 'app', (r) => this.oauthUser(r, false));
    this.route('/cgi-bin/user/getuserinfo', 'app', (r) => this.oauthUser(r, true));
  }

  private async handleApi(ctx: Koa.Context): Promise<void> {
    const path = ctx.path;
    const route = this.routes.get(path);
    const query = flatQuery(ctx.query as Record<string, string | string[] | undefined>);
    if (!route) {
      // WeCom's gateway answers an unknown API path with HTTP 404
      ctx.status = 404;
      ctx.body = { errcode: 404, errmsg: `no such api: ${path}` };
      return;
    }
    if (this.down) {
      ctx.status = 503;
      ctx.body = { errcode: -1, errmsg: 'service unavailable (sandbox outage)' };
      this.calls.push({ path, method: ctx.method, query, body: undefined, errcode: -1, at: this.now() });
      return;
    }
    let body: Body = {};
    let answer: Answer | undefined;
    if (ctx.method === 'POST') {
      const raw = await readText(ctx.req);
      if (raw.trim()) {
        try {
          const parsed: unknown = JSON.parse(raw);
          body = isObj(parsed) ? parsed : {};
          if (!isObj(parsed)) answer = fail(40058, 'Warning: wrong json format.');
        } catch {
          answer = fail(40058, 'Warning: wrong json format.');
        }
      }
    }
    if (!answer) answer = this.takeInjected(path);
    if (!answer) {
      const auth = this.authenticate(query, route.auth);
      answer = 'errcode' in auth ? auth : route.handler({ query, body, tokenKind: auth.kind });
    }
    this.calls.push({ path, method: ctx.method, query, body, errcode: answer.errcode, at: this.now() });
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = answer;
  }

  private takeInjected(path: string): Answer | undefined {
    const list = this.injected.get(path);
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.left--;
    if (head.left <= 0) list.shift();
    return fail(head.errcode, 'injected by sandbox');
  }

  private authenticate(query: Record<string, string>, auth: Auth): Answer | { kind?: TokenKind } {
    if (auth === 'none') return {};
    const token = query.access_token;
    if (!token) return fail(41001);
    const rec = this.tokens.get(token);
    if (!rec || rec.invalidated) return fail(40014);
    if (this.now() >= rec.expiresAt) return fail(42001);
    if (auth === 'app' && rec.kind !== 'app') return fail(48002, 'this api needs the app access_token');
    return { kind: rec.kind };
  }

  private getToken({ query }: ApiRequest): Answer {
    if (!query.corpid) return fail(41002);
    if (query.corpid !== this.opts.corpId) return fail(40013);
    if (!query.corpsecret) return fail(41004);
    let kind: TokenKind | undefined;
    if (query.corpsecret === this.opts.secret) kind = 'app';
    else if (this.opts.kfSecret && query.corpsecret === this.opts.kfSecret) kind = 'kf';
    if (!kind) return fail(40001);
    const now = this.now();
    const cur = this.currentToken[kind];
    // within its lifetime a repeated gettoken answers the same token
    if (cur && !cur.invalidated && now < cur.expiresAt) {
      return ok({ access_token: cur.token, expires_in: Math.ceil((cur.expiresAt - now) / 1000) });
    }
    const rec: TokenRecord = { token: randomId(48), kind, expiresAt: now + this.tokenTtlMs, invalidated: false };
    this.tokens.set(rec.token, rec);
    this.currentToken[kind] = rec;
    return ok({ access_token: rec.token, expires_in: Math.round(this.tokenTtlMs / 1000) });
  }

  private checkAgent(agentid: unknown): Answer | undefined {
    if (agentid === undefined || agentid === null || agentid === '') return fail(41011);
    const n = Number(agentid);
    if (!Number.isInteger(n)) return fail(40056);
    // DOC 90313 301002: the token's app may not act for another agentid
    if (n !== this.opts.agentId) return fail(301002);
    return undefined;
  }

  /** Validates body[msgtype] for app messages and appchat; text beyond 2048 bytes is cut (DOC 90236). */
  private checkAppPayload(msgtype: string, b: Body): { error?: Answer; payload?: any; truncated?: boolean } {
    if (!APP_MSGTYPES.has(msgtype)) return { error: fail(40008) };
    const p = b[msgtype];
    if (msgtype === 'text') {
      if (!isObj(p) || !nonEmpty(p.content)) return { error: fail(44004) };
      const cut = truncateUtf8(p.content, 2048);
      return { payload: { ...p, content: asSeen(cut) }, truncated: cut !== p.content };
    }
    if (msgtype === 'markdown') {
      if (!isObj(p) || !nonEmpty(p.content)) return { error: fail(44004) };
      if (byteLength(p.content) > 2048) return { error: fail(45002) };
      return { payload: { ...clone(p), content: asSeen(p.content) } };
    }
    if (msgtype === 'textcard') {
      if (!isObj(p) || !nonEmpty(p.title)) return { error: fail(41016) };
      if (!nonEmpty(p.description)) return { error: fail(41033) };
      if (!nonEmpty(p.url)) return { error: fail(41010) };
      return { payload: clone(p) };
    }
    if (msgtype === 'template_card') {
      const code = validateTemplateCard(p);
      if (code) return { error: fail(code) };
      return { payload: clone(p) };
    }
    if (!isObj(p)) return { error: fail(40058, `${msgtype} missing`) };
    return { payload: clone(p) };
  }

  private resolveUsers(ids: string[]): { valid: string[]; invalid: string[] } {
    const valid: string[] = [];
    const invalid: string[] = [];
    const expanded = ids.includes('@all') ? [...this.members.values()].map((m) => m.userid) : ids;
    for (const id of expanded) {
      const m = this.member(id);
      if (m) {
        if (!valid.includes(m)) valid.push(m);
      } else if (!invalid.includes(id.toLowerCase())) {
        invalid.push(id.toLowerCase());
      }
    }
    return { valid, invalid };
  }

  private record(d: Omit<DeliveredMessage, 'seq'>): DeliveredMessage {
    const full = { seq: ++this.seq, ...d };
    this.deliveries.push(full);
    return full;
  }

  private messageSend({ body: b }: ApiRequest): Answer {
    const agentErr = this.checkAgent(b.agentid);
    if (agentErr) return agentErr;
    const msgtype = b.msgtype;
    if (!nonEmpty(msgtype)) return fail(40008);
    const checked = this.checkAppPayload(msgtype, b);
    if (checked.error) return checked.error;
    const card = msgtype === 'template_card' ? checked.payload : undefined;
    if (card && isCallbackCard(card) && !this.callbackUrl) return fail(43012);

    const tousers = splitIds(b.touser);
    const parties = splitIds(b.toparty);
    const tags = splitIds(b.totag);
    if (!tousers.length && !parties.length && !tags.length) return fail(82001);
    if (tousers.length > 1000) return fail(40032);
    const { valid, invalid } = this.resolveUsers(tousers);
    // no departments or tags exist in the sandbox directory
    const invalidFields: Record<string, string> = {};
    if (invalid.length) invalidFields.invaliduser = invalid.join('|');
    if (parties.length) invalidFields.invalidparty = parties.join('|');
    if (tags.length) invalidFields.invalidtag = tags.join('|');
    if (!valid.length) return fail(81013, undefined, invalidFields);

    const now = this.now();
    const { enable_duplicate_check: _e, duplicate_check_interval: _i, ...rest } = b;
    const dupKey = canonicalJson(rest);
    if (Number(b.enable_duplicate_check) === 1) {
      const interval = Math.min(14400, Math.max(0, Number(b.duplicate_check_interval) || 1800));
      const prev = this.sentBodies.get(dupKey);
      if (prev && now - prev.at < interval * 1000) return clone(prev.answer);
    }
    if (card?.task_id !== undefined && this.taskCards.has(card.task_id)) {
      return fail(42014, 'task_id already used by this app');
    }

    const msgid = randomId(48);
    const deliveredTo: string[] = [];
    for (const user of valid) {
      const key = `app:${user}`;
      let dropReason: DeliveredMessage['dropReason'];
      // DOC 90236: per app per member 30/min and 1000/h; the excess is dropped, not refused
      if (this.appMinute.count(key, now) >= 30) dropReason = 'member_minute_limit';
      else if (this.appHour.count(key, now) >= 1000) dropReason = 'member_hour_limit';
      else {
        this.appMinute.record(key, now);
        this.appHour.record(key, now);
        deliveredTo.push(user);
      }
      this.record({
        channel: 'app',
        msgid,
        touser: user,
        msgtype,
        payload: clone(checked.payload),
        body: clone(b),
        at: now,
        ...(checked.truncated ? { truncated: true } : {}),
        ...(dropReason ? { dropReason } : {}),
      });
    }

    const extra: Record<string, unknown> = { ...invalidFields, msgid };
    if (card?.task_id !== undefined) {
      this.taskCards.set(card.task_id, { taskId: card.task_id, msgid, card: clone(card), recipients: deliveredTo });
      for (const user of deliveredTo) {
        this.cards.set(this.cardKey(user, card.task_id), {
          userid: user,
          taskId: card.task_id,
          msgid,
          card: clone(card),
          updatedAt: now,
        });
      }
      if (RESPONSE_CODE_CARDS.has(card.card_type)) extra.response_code = this.issueResponseCode(card.task_id);
    }
    const answer = ok(extra);
    this.sentBodies.set(dupKey, { at: now, answer: clone(answer) });
    return answer;
  }

  private cardKey(userid: string, taskId: string): string {
    return `${userid}\u0000${taskId}`;
  }

  private issueResponseCode(taskId: string, userid?: string): string {
    const code = randomId(36);
    this.responseCodes.set(code, { taskId, issuedAt: this.now(), used: false, userid });
    return code;
  }

  private updateTemplateCard({ body: b }: ApiRequest): Answer {
    const agentErr = this.checkAgent(b.agentid);
    if (agentErr) return agentErr;
    const now = this.now();
    const rc = nonEmpty(b.response_code) ? this.responseCodes.get(b.response_code) : undefined;
    // used, expired (72 h) and unknown codes all answer 60140
    if (!rc || rc.used || now - rc.issuedAt >= RESPONSE_CODE_TTL) return fail(60140);
    const task = this.taskCards.get(rc.taskId);
    if (!task) return fail(42016);
    const hasButton = isObj(b.button);
    const hasCard = isObj(b.template_card);
    if (!hasButton && !hasCard) return fail(40058, 'button or template_card required');
    if (hasButton && !nonEmpty(b.button.replace_name)) return fail(42020);
    if (hasCard) {
      const code = validateTemplateCard(b.template_card);
      if (code) return fail(code);
    }
    const ids: string[] = Array.isArray(b.userids) ? b.userids.filter((u: unknown) => typeof u === 'string') : [];
    const { valid, invalid } = this.resolveUsers(ids);
    const targets = Number(b.atall) === 1 ? [...task.recipients] : valid.filter((u) => task.recipients.includes(u));
    if (!ids.length && Number(b.atall) !== 1) return fail(82001);
    rc.used = true;
    for (const user of targets) {
      const state = this.cards.get(this.cardKey(user, task.taskId));
      if (!state) continue;
      if (hasCard) {
        state.card = clone(b.template_card);
        delete state.replace_name;
      } else {
        state.replace_name = b.button.replace_name;
      }
      state.updatedAt = now;
    }
    this.updates.push({
      response_code: b.response_code,
      task_id: task.taskId,
      userids: targets,
      ...(hasButton ? { button: clone(b.button) } : {}),
      ...(hasCard ? { template_card: clone(b.template_card) } : {}),
      at: now,
    });
    return ok(invalid.length ? { invaliduser: invalid } : {});
  }

  // ---------------------------------------------------------------- appchat

  private appchatCreate({ body: b }: ApiRequest): Answer {
    if (b.name !== undefined && (typeof b.name !== 'string' || [...b.name].length > 50)) return fail(86004);
    const list = b.userlist;
    if (!Array.isArray(list) || list.length < 2 || list.length > 2000) return fail(86006);
    const { valid, invalid } = this.resolveUsers(list.map(String));
    if (invalid.length) return fail(86007, `invalid member: ${invalid.join('|')}`);
    let owner = valid[0] ?? '';
    if (b.owner !== undefined) {
      const o = typeof b.owner === 'string' ? this.member(b.owner) : undefined;
      if (!o) return fail(86005);
      owner = o;
    }
    let chatid: string;
    if (b.chatid !== undefined) {
      if (typeof b.chatid !== 'string' || !/^[0-9a-zA-Z]{1,32}$/.test(b.chatid)) return fail(86001);
      if (this.chats.has(b.chatid)) return fail(86215);
      chatid = b.chatid;
    } else {
      chatid = `wr${randomBytes(15).toString('hex')}`;
    }
    this.chats.set(chatid, { chatid, name: b.name ?? '', owner, userlist: valid, foreign: false });
    return ok({ chatid });
  }

  private appchatGet({ query }: ApiRequest): Answer {
    const chat = this.chats.get(query.chatid ?? '');
    if (!chat) return fail(86003);
    if (chat.foreign) return fail(86008);
    return ok({ chat_info: { chatid: chat.chatid, name: chat.name, owner: chat.owner, userlist: [...chat.userlist] } });
  }

  private appchatSend({ body: b }: ApiRequest): Answer {
    if (!nonEmpty(b.chatid)) return fail(86201);
    const chat = this.chats.get(b.chatid);
    if (!chat) return fail(86003);
    if (chat.foreign) return fail(86008);
    const msgtype = b.msgtype;
    if (!nonEmpty(msgtype)) return fail(40008);
    const checked = this.checkAppPayload(msgtype, b);
    if (checked.error) return checked.error;
    const now = this.now();
    this.chatMessages.push({ chatid: chat.chatid, msgtype, payload: clone(checked.payload), body: clone(b), at: now });
    for (const user of chat.userlist) {
      const key = `chat:${user}`;
      const over = this.chatMinute.count(key, now) >= 200;
      if (!over) this.chatMinute.record(key, now);
      this.record({
        channel: 'appchat',
        touser: user,
        chatid: chat.chatid,
        msgtype,
        payload: clone(checked.payload),
        body: clone(b),
        at: now,
        ...(checked.truncated ? { truncated: true } : {}),
        ...(over ? { dropReason: 'appchat_member_minute_limit' as const } : {}),
      });
    }
    return ok();
  }

  // ---------------------------------------------------------------- group robot

  private webhookSend({ query, body: b }: ApiRequest): Answer {
    const key = query.key;
    if (!nonEmpty(key) || (this.robotKeys && !this.robotKeys.has(key))) return fail(93000);
    const msgtype = b.msgtype;
    if (!nonEmpty(msgtype)) return fail(40008);
    const p = b[msgtype];
    if (!isObj(p)) return fail(40058, `${msgtype} missing`);
    if (msgtype === 'text') {
      if (!nonEmpty(p.content)) return fail(44004);
      if (byteLength(p.content) > 2048) return fail(40058, 'text.content exceed max length 2048');
    }
    if (msgtype === 'markdown') {
      if (!nonEmpty(p.content)) return fail(44004);
      if (byteLength(p.content) > 4096) return fail(40058, 'markdown.content exceed max length 4096');
    }
    const now = this.now();
    // 20 messages per minute per robot; a robot refuses with 45009 instead of dropping
    if (this.robotMinute.count(key, now) >= 20) return fail(45009);
    this.robotMinute.record(key, now);
    this.robotLog.push({ key, msgtype, payload: clone(p), body: clone(b), at: now });
    return ok();
  }

  // ---------------------------------------------------------------- WeChat Customer Service

  private kfKey(openKfId: string, externalUserId: string): string {
    return `${openKfId}\u0000${externalUserId}`;
  }

  private kfCustomer(openKfId: string, externalUserId: string): KfCustomer {
    const key = this.kfKey(openKfId, externalUserId);
    let c = this.kfCustomers.get(key);
    if (!c) {
      c = { openKfId, externalUserId, sentSinceLast: 0 };
      this.kfCustomers.set(key, c);
    }
    return c;
  }

  private requireKfAccount(openKfId: string): void {
    if (!this.kfAccounts.has(openKfId)) throw new Error(`unknown open_kfid: ${openKfId}`);
  }

  private issueKfToken(openKfId: string): string {
    const token = `ENC${randomId(33)}`;
    this.kfTokens.set(token, { openKfId, expiresAt: this.now() + KF_TOKEN_TTL });
    return token;
  }

  private kfItemAccount(item: any): string | undefined {
    return item.open_kfid ?? item.event?.open_kfid;
  }

  private encodeCursor(pos: number): string {
    return Buffer.from(`${this.instanceTag}:${pos}`).toString('base64url');
  }

  private decodeCursor(cursor: string): number | undefined {
    const [tag, pos] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
    const n = Number(pos);
    if (tag !== this.instanceTag || !Number.isInteger(n) || n < 0 || n > this.kfLog.length) return undefined;
    return n;
  }

  private kfSyncMsg({ body: b }: ApiRequest): Answer {
    const openKfId: string | undefined = nonEmpty(b.open_kfid) ? b.open_kfid : undefined;
    if (openKfId !== undefined && !this.kfAccounts.has(openKfId)) return fail(95000);
    if (nonEmpty(b.token)) {
      const t = this.kfTokens.get(b.token);
      if (!t || this.now() >= t.expiresAt) return fail(95007);
    }
    const limit = b.limit === undefined || b.limit === null || b.limit === 0 ? 1000 : Number(b.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail(40058, 'limit must be 1..1000');
    let start = 0;
    if (nonEmpty(b.cursor)) {
      if (byteLength(b.cursor) > 64) return fail(50100);
      const pos = this.decodeCursor(b.cursor);
      if (pos === undefined) return fail(50100);
      start = pos;
    }
    const wanted = (i: any) => openKfId === undefined || this.kfItemAccount(i) === openKfId;
    const remaining = this.kfLog.slice(start).some(wanted);
    if (this.kfEmptyPages > 0 && remaining) {
      this.kfEmptyPages--;
      return ok({ next_cursor: this.encodeCursor(start), has_more: 1, msg_list: [] });
    }
    const list: any[] = [];
    let pos = start;
    while (pos < this.kfLog.length && list.length < limit) {
      const item = this.kfLog[pos];
      pos++;
      if (wanted(item)) list.push(clone(item));
    }
    const hasMore = this.kfLog.slice(pos).some(wanted) ? 1 : 0;
    return ok({ next_cursor: this.encodeCursor(pos), has_more: hasMore, msg_list: list });
  }

  private checkKfPayload(msgtype: unknown, b: Body, allowed: Set<string>): { error?: Answer; payload?: any } {
    if (!nonEmpty(msgtype) || !allowed.has(msgtype)) return { error: fail(40008) };
    const p = b[msgtype];
    if (!isObj(p)) return { error: fail(40058, `${msgtype} missing`) };
    if (msgtype === 'text') {
      if (!nonEmpty(p.content)) return { error: fail(44004) };
      if (byteLength(p.content) > 2048) return { error: fail(45002) };
    }
    if (msgtype === 'msgmenu') {
      const list = p.list ?? [];
      if (!Array.isArray(list) || list.length > 10) return { error: fail(95008) };
      for (const item of list) {
        if (!isObj(item) || !MSGMENU_ITEM_TYPES.has(String(item.type)) || !isObj(item[item.type])) {
          return { error: fail(95009) };
        }
      }
    }
    return { payload: clone(p) };
  }

  private kfSendMsg({ body: b }: ApiRequest): Answer {
    if (!nonEmpty(b.open_kfid) || !this.kfAccounts.has(b.open_kfid)) return fail(95000);
    if (!nonEmpty(b.touser)) return fail(40096);
    const clientKey = nonEmpty(b.msgid) ? `${b.open_kfid}\u0000${b.msgid}` : undefined;
    if (b.msgid !== undefined && (typeof b.msgid !== 'string' || !KF_MSGID_RE.test(b.msgid))) {
      return fail(40058, 'msgid must match [0-9a-zA-Z_-]{1,32}');
    }
    // a msgid already used for this account is not sent again (WeCom's answer here is undocumented)
    if (clientKey && this.kfClientMsgIds.has(clientKey)) return clone(this.kfClientMsgIds.get(clientKey)!);
    const checked = this.checkKfPayload(b.msgtype, b, KF_MSGTYPES);
    if (checked.error) return checked.error;
    const cust = this.kfCustomers.get(this.kfKey(b.open_kfid, b.touser));
    if (!cust) return fail(40096);
    const now = this.now();
    if (cust.lastCustomerMsgAt === undefined || now - cust.lastCustomerMsgAt > KF_WINDOW) return fail(95002);
    if (cust.sentSinceLast >= KF_WINDOW_MAX) return fail(95001);
    cust.sentSinceLast++;
    cust.lastServicerSendAt = now;
    const msgid = nonEmpty(b.msgid) ? b.msgid : randomId(24);
    this.kfSentLog.push({
      msgid,
      open_kfid: b.open_kfid,
      touser: b.touser,
      msgtype: b.msgtype,
      payload: checked.payload,
      body: clone(b),
      onEvent: false,
      at: now,
    });
    const answer = ok({ msgid });
    if (clientKey) this.kfClientMsgIds.set(clientKey, clone(answer));
    return answer;
  }

  private kfSendMsgOnEvent({ body: b }: ApiRequest): Answer {
    if (!nonEmpty(b.code)) return fail(41049);
    const w = this.welcomeCodes.get(b.code);
    const now = this.now();
    // single use, within 20 s of the event
    if (!w || w.used || now - w.issuedAt > WELCOME_CODE_TTL) return fail(41050);
    const checked = this.checkKfPayload(b.msgtype, b, new Set(['text', 'msgmenu']));
    if (checked.error) return checked.error;
    if (b.msgid !== undefined && (typeof b.msgid !== 'string' || !KF_MSGID_RE.test(b.msgid))) return fail(40058);
    w.used = true;
    const cust = this.kfCustomers.get(w.key);
    if (cust) cust.lastWelcomeAt = now;
    const msgid = nonEmpty(b.msgid) ? b.msgid : randomId(24);
    this.kfSentLog.push({
      msgid,
      open_kfid: cust?.openKfId ?? '',
      touser: cust?.externalUserId ?? '',
      msgtype: b.msgtype,
      payload: checked.payload,
      body: clone(b),
      onEvent: true,
      at: now,
    });
    return ok({ msgid });
  }

  // ---------------------------------------------------------------- OAuth

  private oauthUser({ query }: ApiRequest, legacy: boolean): Answer {
    if (!nonEmpty(query.code)) return fail(41008);
    const c = this.oauthCodes.get(query.code);
    this.oauthCodes.delete(query.code);
    if (!c || this.now() - c.issuedAt > OAUTH_CODE_TTL) return fail(40029);
    return ok(legacy ? { UserId: c.userid } : { userid: c.userid });
  }
}
