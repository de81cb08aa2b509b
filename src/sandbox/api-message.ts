import { byteLength, truncateUtf8 } from './sliding-window';
import { RESPONSE_CODE_CARDS, isCallbackCard, validateTemplateCard } from './template-card';
import { DeliveredMessage, Answer, Body, ApiRequest, RESPONSE_CODE_TTL, APP_MSGTYPES, ok, fail, nonEmpty, isObj, clone, canonicalJson, splitIds, randomId, asSeen, EmulatorState } from './state';

/** message/send and update_template_card: app messages, cards and their response codes. */
export abstract class MessageApi extends EmulatorState {
  protected checkAgent(agentid: unknown): Answer | undefined {
    if (agentid === undefined || agentid === null || agentid === '') return fail(41011);
    const n = Number(agentid);
    if (!Number.isInteger(n)) return fail(40056);
    // DOC 90313 301002: the token's app may not act for another agentid
    if (n !== this.opts.agentId) return fail(301002);
    return undefined;
  }

  /** Validates body[msgtype] for app messages and appchat; text beyond 2048 bytes is cut (DOC 90236). */
  protected checkAppPayload(msgtype: string, b: Body): { error?: Answer; payload?: any; truncated?: boolean } {
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

  protected resolveUsers(ids: string[]): { valid: string[]; invalid: string[] } {
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

  protected record(d: Omit<DeliveredMessage, 'seq'>): DeliveredMessage {
    const full = { seq: ++this.seq, ...d };
    this.deliveries.push(full);
    return full;
  }

  protected messageSend({ body: b }: ApiRequest): Answer {
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
      if (prev && now - prev.at < interval * 1000) return this.duplicateOf(prev.answer, card);
    }
    if (card?.task_id !== undefined && this.taskCards.has(card.task_id)) {
      return fail(42014, 'task_id already used by this app');
    }

    const msgid = randomId(48);
    const deliveredTo: string[] = [];
    // DOC 90236: members without a licence are named in unlicenseduser and receive nothing
    const unlicensed = valid.filter((u) => this.unlicensed.has(u.toLowerCase()));
    if (unlicensed.length) invalidFields.unlicenseduser = unlicensed.join('|');
    for (const user of valid.filter((u) => !this.unlicensed.has(u.toLowerCase()))) {
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
      // DOC 90236: interaction cards, and notice cards carrying an action_menu
      if (isCallbackCard(card)) extra.response_code = this.issueResponseCode(card.task_id);
    }
    const answer = ok(extra);
    this.sentBodies.set(dupKey, { at: now, answer: clone(answer) });
    return answer;
  }

  /** The answer to a send the duplicate check suppressed: undocumented, so configurable. */
  protected duplicateOf(first: Answer, card: any): Answer {
    if (this.duplicateAnswer === '42014' && card?.task_id !== undefined) return fail(42014, 'task_id already used by this app');
    if (this.duplicateAnswer === 'no_response_code') {
      const { response_code: _r, ...rest } = clone(first);
      return rest as Answer;
    }
    return clone(first);
  }

  protected cardKey(userid: string, taskId: string): string {
    return `${userid}\u0000${taskId}`;
  }

  protected issueResponseCode(taskId: string, userid?: string): string {
    const code = randomId(36);
    this.responseCodes.set(code, { taskId, issuedAt: this.now(), used: false, userid });
    return code;
  }

  protected updateTemplateCard({ body: b }: ApiRequest): Answer {
    const agentErr = this.checkAgent(b.agentid);
    if (agentErr) return agentErr;
    const now = this.now();
    const rc = nonEmpty(b.response_code) ? this.responseCodes.get(b.response_code) : undefined;
    // expired (72 h) and unknown codes answer 60140; a used one too, unless configured (UNCONFIRMED)
    if (!rc || now - rc.issuedAt >= RESPONSE_CODE_TTL) return fail(60140);
    if (rc.used) return fail(this.usedResponseCodeErrcode, 'response_code already used');
    const task = this.taskCards.get(rc.taskId);
    if (!task) return fail(42016);
    const hasButton = isObj(b.button);
    const hasCard = isObj(b.template_card);
    if (!hasButton && !hasCard) return fail(40058, 'button or template_card required');
    if (hasButton && !nonEmpty(b.button.replace_name)) return fail(42020);
    // DOC 94888: replace_name only for button, vote and multiple cards (the errcode is our choice)
    if (hasButton && !RESPONSE_CODE_CARDS.has(String(task.card.card_type))) return fail(40058, 'button.replace_name needs a button, vote or multiple card');
    if (hasCard) {
      // DOC 94888: the update body has no task_id of its own
      const code = validateTemplateCard(b.template_card, { update: true });
      if (code) return fail(code);
    }
    const ids: string[] = Array.isArray(b.userids) ? b.userids.filter((u: unknown) => typeof u === 'string') : [];
    const { valid, invalid } = this.resolveUsers(ids);
    // DOC 94888: users the code does not cover come back in invaliduser
    for (const u of valid) if (!task.recipients.includes(u)) invalid.push(u);
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
}
