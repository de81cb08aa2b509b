import { clickableKeys, defaultSelection, menuKeys } from './template-card';
import { PassiveReply, cardEventXml, enterAgentXml, kfEventXml, openPassiveReply, sealCallback, sealEchostr, textMessageXml } from './callback-xml';
import { CallbackResult, CallbackSendOptions, ClickOptions, CardState, KF_WINDOW, KfSessionState, nonEmpty, randomId, randomDigits } from './state';
import { AuthApi } from './api-auth';
import { exchange } from '../wecom/http-exchange';
/** The test driver: what people do in WeCom (texts, clicks, kf messages), posted to the app as signed, encrypted callbacks. */
export abstract class EmulatorDriver extends AuthApi {
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
  ): Promise<CallbackResult & { responseCode: string; passive?: PassiveReply }> {
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
    const res = await this.sendCallback(xml, opts);
    const passive = this.applyPassiveReply(user, taskId, res);
    return { ...res, responseCode, ...(passive ? { passive } : {}) };
  }

  /**
   * DOC 90241: the app may answer a click with an encrypted update_button or a whole new
   * card, for the clicker alone; an empty body changes nothing.
   */
  protected applyPassiveReply(user: string, taskId: string, res: CallbackResult): PassiveReply | undefined {
    if (res.status !== 200 || !res.body.trim()) return undefined;
    const reply = openPassiveReply(res.body, { token: this.opts.token, encodingAESKey: this.opts.encodingAESKey, receiveId: this.opts.corpId });
    const state = this.cards.get(this.cardKey(user, taskId));
    if (state && reply.kind === 'update_button') state.replace_name = reply.replaceName;
    if (state && reply.kind === 'update_template_card') {
      state.card = reply.card;
      delete state.replace_name;
    }
    if (state && reply.kind !== 'invalid') state.updatedAt = this.now();
    return reply;
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
    // A customer writing outside a session opens a new one (state 0, DOC 94669).
    if (cust.sessionState === 4) cust.sessionState = 0;
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
      // DOC 94670, DOC 95122: no welcome_code when the customer was welcomed, or wrote, in 48 h
      const recent = (t?: number) => t !== undefined && now - t < KF_WINDOW;
      if (!recent(cust.lastWelcomeAt) && !recent(cust.lastCustomerMsgAt)) ev.welcome_code = randomId(24);
    }
    if (ev.event_type === 'enter_session' && cust.sessionState === 4) cust.sessionState = 0;
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

  /**
   * The session moves (DOC 94669): 2 queued for a human, 3 a human servicer took it, 4 ended,
   * 0/1 back to the API. Queues a session_status_change event (origin 4) and calls back.
   */
  async kfSetSessionState(
    openKfId: string,
    externalUserId: string,
    state: KfSessionState,
    opts: { servicer?: string } & CallbackSendOptions = {},
  ): Promise<CallbackResult & { token: string; msgid: string }> {
    this.requireKfAccount(openKfId);
    const cust = this.kfCustomer(openKfId, externalUserId);
    const from = cust.sessionState;
    cust.sessionState = state;
    if (opts.servicer !== undefined) cust.servicer = opts.servicer;
    // change_type: 1 taken from the queue, 2 transferred, 3 ended, 4 re-taken
    const changeType = state === 4 ? 3 : state === 3 ? (from === 2 ? 1 : from === 4 ? 4 : 2) : 2;
    const event: Record<string, unknown> = { event_type: 'session_status_change', change_type: changeType };
    if (state === 3 && cust.servicer) event.new_servicer_userid = cust.servicer;
    if (state === 4) event.msg_code = randomId(16);
    return this.queueKfItem(openKfId, externalUserId, { origin: 4, msgtype: 'event', event }, opts);
  }

  /** A human servicer replied from the WeCom client (origin 5, DOC 94670); it never counts against our window. */
  async kfServicerSays(
    openKfId: string,
    externalUserId: string,
    content: string,
    opts: { servicer?: string } & CallbackSendOptions = {},
  ): Promise<CallbackResult & { token: string; msgid: string }> {
    this.requireKfAccount(openKfId);
    const cust = this.kfCustomer(openKfId, externalUserId);
    const servicer = opts.servicer ?? cust.servicer ?? 'servicer01';
    return this.queueKfItem(openKfId, externalUserId, { origin: 5, msgtype: 'text', text: { content }, servicer_userid: servicer, open_kfid: openKfId, external_userid: externalUserId }, opts);
  }

  /** WeCom could not deliver one of our sends (msg_send_fail, DOC 94670): fail_msgid names it. */
  async kfMsgSendFail(
    openKfId: string,
    externalUserId: string,
    failMsgid: string,
    opts: { failType?: number } & CallbackSendOptions = {},
  ): Promise<CallbackResult & { token: string; msgid: string }> {
    this.requireKfAccount(openKfId);
    const event = { event_type: 'msg_send_fail', fail_msgid: failMsgid, fail_type: opts.failType ?? 0 };
    return this.queueKfItem(openKfId, externalUserId, { origin: 4, msgtype: 'event', event }, opts);
  }

  private async queueKfItem(
    openKfId: string,
    externalUserId: string,
    item: Record<string, any>,
    opts?: CallbackSendOptions,
  ): Promise<CallbackResult & { token: string; msgid: string }> {
    const now = this.now();
    const msgid = `from_msgid_${randomDigits(19)}`;
    const full: Record<string, any> = { msgid, send_time: Math.floor(now / 1000), ...item };
    if (full.event) full.event = { open_kfid: openKfId, external_userid: externalUserId, ...full.event };
    this.kfLog.push(full);
    const token = this.issueKfToken(openKfId);
    const xml = kfEventXml({ corpId: this.opts.corpId, createTime: Math.floor(now / 1000), token, openKfId });
    return { ...(await this.sendCallback(xml, opts)), token, msgid };
  }

  /** The session state WeCom holds for this customer (DOC 94669). */
  kfSessionState(openKfId: string, externalUserId: string): KfSessionState {
    return this.kfCustomers.get(this.kfKey(openKfId, externalUserId))?.sessionState ?? 4;
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
      // WECOM.md section 1: the URL check must be answered within 1 s
      const r = await exchange({ method: 'GET', url: u, timeoutMs: Math.min(1000, this.callbackTimeoutMs) });
      res = { status: r.status, body: r.text };
    } catch (err) {
      res = { status: 0, body: (err as Error).message };
    }
    this.logCallback('GET', url, query, '', echostrPlain, 1, res);
    return { status: res.status, body: res.body };
  }

  protected common(user: string) {
    return {
      corpId: this.opts.corpId,
      fromUser: user,
      createTime: Math.floor(this.now() / 1000),
      agentId: this.opts.agentId,
    };
  }

  protected requireCard(user: string, taskId: string): CardState {
    const state = this.cards.get(this.cardKey(user, taskId));
    if (!state) throw new Error(`card task_id ${taskId} was not delivered to ${user}`);
    return state;
  }

  protected requireCallbackUrl(): string {
    if (!this.callbackUrl) throw new Error('no callback URL set (setCallbackUrl)');
    return this.callbackUrl;
  }

  protected async sendCallback(plainXml: string, opts?: CallbackSendOptions): Promise<CallbackResult> {
    const url = this.requireCallbackUrl();
    if (this.dropCallbacksLeft > 0) {
      // DOC 90930: events may be dropped; the app must find them by pulling (kf sync_msg).
      this.dropCallbacksLeft--;
      const res: CallbackResult = { status: 0, body: 'dropped by WeCom (sandbox)', attempts: 0, dropped: true };
      this.logCallback('POST', url, {}, '', plainXml, 0, res);
      return res;
    }
    const { query, body } = this.buildCallback(plainXml);
    const networkOnly = this.callbackRetry === 'network_only';
    const tries = networkOnly || opts?.retryOnFailure ? 3 : 1 + Math.min(2, Math.max(0, Math.floor(this.retries)));
    let res: CallbackResult = { status: 0, body: '' };
    for (let attempt = 1; attempt <= tries; attempt++) {
      res = await this.post(url, query, body);
      this.logCallback('POST', url, query, body, plainXml, attempt, res);
      if (res.status === 200) return { ...res, attempts: attempt };
      // DOC 90930: an HTTP answer, whatever its status, is not retried; only no answer is.
      if (networkOnly && res.status !== 0) return { ...res, attempts: attempt };
    }
    return { ...res, attempts: tries };
  }

  protected withQuery(url: string, query: Record<string, string>): URL {
    const u = new URL(url);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u;
  }

  protected async post(url: string, query: Record<string, string>, body: string): Promise<CallbackResult> {
    try {
      const r = await exchange({ method: 'POST', url: this.withQuery(url, query), headers: { 'content-type': 'text/xml; charset=utf-8' }, body, timeoutMs: this.callbackTimeoutMs });
      return { status: r.status, body: r.text };
    } catch (err) {
      return { status: 0, body: (err as Error).message };
    }
  }

  protected logCallback(
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
}
