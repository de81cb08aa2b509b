import { byteLength } from './sliding-window';
import { Answer, ApiRequest, ok, fail, nonEmpty, isObj, clone } from './state';
import { AppchatApi } from './api-appchat';
/** webhook/send: group robots. */
export abstract class RobotApi extends AppchatApi {
  // ---------------------------------------------------------------- group robot

  protected webhookSend({ query, body: b }: ApiRequest): Answer {
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
}
