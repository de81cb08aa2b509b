import { randomBytes } from 'node:crypto';
import { Answer, ApiRequest, ok, fail, nonEmpty, clone } from './state';
import { MessageApi } from './api-message';
/** appchat/create, get and send: the app's group chats. */
export abstract class AppchatApi extends MessageApi {
  // ---------------------------------------------------------------- appchat

  protected appchatCreate({ body: b }: ApiRequest): Answer {
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

  protected appchatGet({ query }: ApiRequest): Answer {
    const chat = this.chats.get(query.chatid ?? '');
    if (!chat) return fail(86003);
    if (chat.foreign) return fail(86008);
    return ok({ chat_info: { chatid: chat.chatid, name: chat.name, owner: chat.owner, userlist: [...chat.userlist] } });
  }

  protected appchatSend({ body: b }: ApiRequest): Answer {
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
}
