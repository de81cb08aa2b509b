import { byteLength } from './sliding-window';
import { Answer, Body, ApiRequest, KfCustomer, KF_TOKEN_TTL, KF_WINDOW, KF_WINDOW_MAX, WELCOME_CODE_TTL, KF_MSGID_RE, KF_MSGTYPES, MSGMENU_ITEM_TYPES, ok, fail, nonEmpty, isObj, clone, randomId, type KfSentMessage } from './state';
import { RobotApi } from './api-robot';
/** WeChat Customer Service: sync_msg, send_msg, send_msg_on_event, the 48 h / 5 message window. */
export abstract class KfApi extends RobotApi {
  // ---------------------------------------------------------------- WeChat Customer Service

  protected kfKey(openKfId: string, externalUserId: string): string {
    return `${openKfId}\u0000${externalUserId}`;
  }

  protected kfCustomer(openKfId: string, externalUserId: string): KfCustomer {
    const key = this.kfKey(openKfId, externalUserId);
    let c = this.kfCustomers.get(key);
    if (!c) {
      c = { openKfId, externalUserId, sentSinceLast: 0, sessionState: 4 };
      this.kfCustomers.set(key, c);
    }
    return c;
  }

  protected requireKfAccount(openKfId: string): void {
    if (!this.kfAccounts.has(openKfId)) throw new Error(`unknown open_kfid: ${openKfId}`);
  }

  protected issueKfToken(openKfId: string): string {
    const token = `ENC${randomId(33)}`;
    this.kfTokens.set(token, { openKfId, expiresAt: this.now() + KF_TOKEN_TTL });
    return token;
  }

  protected kfItemAccount(item: any): string | undefined {
    return item.open_kfid ?? item.event?.open_kfid;
  }

  protected encodeCursor(pos: number): string {
    return Buffer.from(`${this.instanceTag}:${pos}`).toString('base64url');
  }

  protected decodeCursor(cursor: string): number | undefined {
    const [tag, pos] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
    const n = Number(pos);
    if (tag !== this.instanceTag || !Number.isInteger(n) || n < 0 || n > this.kfLog.length) return undefined;
    return n;
  }

  protected kfSyncMsg({ body: b }: ApiRequest): Answer {
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

  protected checkKfPayload(msgtype: unknown, b: Body, allowed: Set<string>): { error?: Answer; payload?: any } {
    if (!nonEmpty(msgtype) || !allowed.has(msgtype)) return { error: fail(40008) };
    const p = b[msgtype];
    if (!isObj(p)) return { error: fail(40058, `${msgtype} missing`) };
    if (msgtype === 'text') {
      if (!nonEmpty(p.content)) return { error: fail(44004) };
      if (byteLength(p.content) > 2048) return { error: fail(45002) };
    }
    if (msgtype === 'msgmenu') {
      // DOC 94677: at most 50 items, of which at most 10 click/view/miniprogram
      const list = p.list ?? [];
      if (!Array.isArray(list) || list.length > 50) return { error: fail(95008) };
      for (const item of list) {
        if (!isObj(item) || !MSGMENU_ITEM_TYPES.has(String(item.type)) || !isObj(item[item.type])) {
          return { error: fail(95009) };
        }
      }
      if (list.filter((i: any) => i.type !== 'text').length > 10) return { error: fail(95008) };
    }
    return { payload: clone(p) };
  }

  protected kfSendMsg({ body: b }: ApiRequest): Answer {
    if (!nonEmpty(b.open_kfid) || !this.kfAccounts.has(b.open_kfid)) return fail(95000);
    if (!nonEmpty(b.touser)) return fail(40096);
    const clientKey = nonEmpty(b.msgid) ? `${b.open_kfid}\u0000${b.msgid}` : undefined;
    if (b.msgid !== undefined && (typeof b.msgid !== 'string' || !KF_MSGID_RE.test(b.msgid))) {
      return fail(40058, 'msgid must match [0-9a-zA-Z_-]{1,32}');
    }
    // DOC 94677: a msgid already used answers 95033 (msgid重复); nothing is sent again
    if (clientKey && this.kfClientMsgIds.has(clientKey)) return fail(95033);
    const checked = this.checkKfPayload(b.msgtype, b, KF_MSGTYPES);
    if (checked.error) return checked.error;
    const cust = this.kfCustomers.get(this.kfKey(b.open_kfid, b.touser));
    if (!cust) return fail(40096);
    const now = this.now();
    if (cust.lastCustomerMsgAt === undefined || now - cust.lastCustomerMsgAt > KF_WINDOW) return fail(95002);
    if (cust.sentSinceLast >= KF_WINDOW_MAX) return fail(95001);
    // DOC 94677 / 94669: only a session that is new (0) or with the bot (1) takes API messages
    if (cust.sessionState !== 0 && cust.sessionState !== 1) return fail(95018);
    cust.sentSinceLast++;
    cust.lastServicerSendAt = now;
    if (cust.sessionState === 0) cust.sessionState = 1;
    const msgid = nonEmpty(b.msgid) ? b.msgid : randomId(24);
    this.recordKfSent({
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

  private recordKfSent(m: KfSentMessage): void {
    this.kfSentLog.push(m);
    for (const fn of this.kfSentListeners) fn(m);
  }

  protected kfSendMsgOnEvent({ body: b }: ApiRequest): Answer {
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
    this.recordKfSent({
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
}
