/**
 * A WeCom emulator for sandbox mode and tests: the same routes, fields, errcodes,
 * limits, signatures and encryption as WeCom (WECOM.md lists the facts it relies on).
 * Everything is in memory; the clock is injectable.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { BodyTooLargeError, flatQuery, readText } from './http-body';
import { EmulatorOptions, DeliveredMessage, ApiCall, CardState, CallbackRecord, KfSentMessage, TokenKind, Auth, Answer, Body, ApiRequest, ok, fail, isObj, clone, randomId } from './state';
import { EmulatorDriver } from './driver';
import { controlRouter } from './control-routes';
import { oauthPagesRouter } from './oauth-pages';

export type { EmulatorOptions, DeliveredMessage, CallbackResult, CallbackSendOptions, ClickOptions, ApiCall, CardState, CallbackRecord, KfSentMessage } from './state';

/** The emulator: the HTTP server and API pipeline, inspection and fault injection; the API areas and the test driver are its base classes. */
export class WeComEmulator extends EmulatorDriver {
  readonly app: Koa;
  private server?: http.Server;
  private readonly routes = new Map<string, { auth: Auth; handler: (r: ApiRequest) => Answer }>();

  constructor(opts: EmulatorOptions) {
    super(opts);
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
    this.app.use(oauthPagesRouter(this, { corpId: opts.corpId, agentId: opts.agentId }).routes());
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

  // ---------------------------------------------------------------- inspection

  delivered(filter: { touser?: string; msgtype?: string; chatid?: string } = {}): DeliveredMessage[] {
    return this.deliveries.filter((d) => !d.dropReason && this.matches(d, filter)).map(clone);
  }

  /**
   * Everything WeCom recorded from position `from` of its delivery log on (dropped ones left
   * out) and the position to ask from next: for pollers, which must not copy the whole log.
   */
  deliveredSince(from: number): { next: number; items: DeliveredMessage[] } {
    return { next: this.deliveries.length, items: this.deliveries.slice(from).filter((d) => !d.dropReason).map(clone) };
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

  /**
   * Calls fn with each kf message as it is sent (not a copy: do not change it), until the
   * returned function is called: for waiters that must not poll.
   */
  onKfSent(fn: (m: KfSentMessage) => void): () => void {
    this.kfSentListeners.add(fn);
    return () => this.kfSentListeners.delete(fn);
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

  /** Every card delivered to a member, as the member sees it now, oldest first. */
  cardsOf(userid: string): CardState[] {
    const m = (this.member(userid) ?? userid).toLowerCase();
    return [...this.cards.values()].filter((c) => c.userid.toLowerCase() === m).map(clone);
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

  /** The next `times` callbacks are never posted (DOC 90930: WeCom may drop events). */
  dropCallbacks(times = 1): void {
    this.dropCallbacksLeft += times;
  }

  /** DOC 90930 (network_only) or DOC 90238 (any_failure): which failures a callback is retried on. */
  setCallbackRetry(mode: 'any_failure' | 'network_only'): void {
    this.callbackRetry = mode;
  }

  /** Every /cgi-bin route answers HTTP 503 while down. */
  setOutage(down: boolean): void {
    this.down = down;
  }

  /** As a corp created after 2023-12-01: the kf secret is refused (40001), kf calls need the app token. */
  setKfSecretRefused(on: boolean): void {
    this.kfSecretRefused = on;
    if (on) {
      for (const t of this.tokens.values()) if (t.kind === 'kf') t.invalidated = true;
      delete this.currentToken.kf;
    }
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

  /** An OAuth code of someone who is not a member of the corp: getuserinfo answers an openid, no userid. */
  issueNonMemberOAuthCode(openid = `o${randomId(20)}`, externalUserId?: string): string {
    const code = randomId(24);
    this.oauthCodes.set(code, { openid, externalUserId, issuedAt: this.now() });
    return code;
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
}
