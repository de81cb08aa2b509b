import { expect } from 'chai';
import { Escalation, Staff, VerificationRequest } from '../../entities';
import type { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { cardsTo, lastCard, mark, textsTo } from '../helpers/inbox';
import { createRequest, sweep } from '../helpers/scheduler';
import { VerificationMother, idNumber } from '../helpers/mothers/verification';
import { holderCard, liveCards } from '../escalations/holder';

/** The working day of issue 18, told as county staff live it: who, what, when. */
export const DAY = '2026-12-01';
export const at = (hhmm: string) => `${DAY}T${hhmm}:00+08:00`;

/** Fifteen applicants: each request its own person, so a wrong answer would show. */
export const APPLICANTS = ['李明华', '王晓燕', '赵志强', '孙丽娟', '周建国', '吴秀英', '郑海涛', '冯玉兰', '陈卫东', '褚晓梅', '卫国平', '蒋桂芳', '沈立新', '韩春梅', '杨德胜'];

const ITEMS = ['失业保险金申领', '城乡居民养老保险参保登记', '低保申请', '就业困难人员认定'];

export interface DayRequest {
  id: number;
  number: string;
  /** The serial the chat accepts (0007). */
  short: string;
  requester: string;
  issuer: string;
  applicant: string;
}

/** The day's actors and their moves, each as the person does it in WeCom. */
export class WorkingDay {
  readonly requests: DayRequest[] = [];
  /** Where the day started in the emulator's log. */
  readonly start: number;
  readonly updatesAtStart: number;
  private readonly apis = new Map<string, Api>();

  constructor(
    readonly h: Harness,
    apis: Record<string, Api>,
  ) {
    for (const [k, v] of Object.entries(apis)) this.apis.set(k, v);
    this.start = mark(h);
    this.updatesAtStart = h.emu.cardUpdates().length;
  }

  /** The scheduler's sweep at that minute (as cron runs `nocert scheduler run`), then the outbox. */
  async tick(hhmm: string): Promise<void> {
    await sweep(this.h, at(hhmm));
  }

  /** A unit's system files a request; the issuing unit's cards go out. */
  async file(hhmm: string, requester: string, issuer: string, over: Record<string, unknown> = {}): Promise<DayRequest> {
    await this.tick(hhmm);
    const i = this.requests.length;
    const applicant = APPLICANTS[i];
    const r = await createRequest(this.apis.get(requester)!, {
      requesterUnit: requester,
      issuerUnit: issuer,
      serviceItem: ITEMS[i % ITEMS.length],
      applicant: { name: applicant, idNumber: idNumber() },
      question: `申请人${applicant}是否有相关记录`,
      ...over,
    } as Parameters<typeof VerificationMother.body>[0]);
    await this.h.sys.settle();
    const req: DayRequest = { id: r.id, number: r.number, short: r.number.slice(-4), requester, issuer, applicant };
    this.requests.push(req);
    return req;
  }

  async say(userid: string, text: string): Promise<string[]> {
    const m0 = mark(this.h);
    await this.h.emu.sendText(userid, text);
    await this.h.sys.settle();
    return textsTo(this.h, userid, m0);
  }

  async click(userid: string, taskId: string, key: string): Promise<void> {
    await this.h.emu.clickButton(userid, taskId, key);
    await this.h.sys.settle();
  }

  /** 受理 on the newest card of the request on the person's phone. */
  async accept(hhmm: string, userid: string, r: DayRequest): Promise<void> {
    await this.tick(hhmm);
    const card = holderCard(this.h, userid, r.id);
    expect(card, `${userid} holds a card of ${r.number}`).to.exist;
    expect(liveCards(this.h, userid, r.id), `${userid}: one live card of ${r.number}`).to.deep.equal([card!.taskId]);
    await this.click(userid, card!.taskId, `verif_accept:${r.id}`);
    expect((await this.request(r)).assignee).to.equal(userid);
  }

  /** 核验一致 with the short number, then 确认 after the echo. */
  async answer(hhmm: string, userid: string, r: DayRequest): Promise<void> {
    await this.tick(hhmm);
    const echo = await this.say(userid, `核验一致 ${r.short}`);
    expect(echo.join('\n'), 'the request is echoed before the answer is final').to.include(r.number);
    await this.say(userid, '确认');
    expect((await this.request(r)).status).to.equal('answered');
  }

  /** 退回 on the answer card, then the first preset reason. */
  async giveBack(hhmm: string, userid: string, r: DayRequest): Promise<void> {
    await this.tick(hhmm);
    const card = holderCard(this.h, userid, r.id)!;
    await this.click(userid, card.taskId, `verif_act:${r.id}:return`);
    await this.click(userid, card.taskId, `verif_act:${r.id}:reason0`);
    expect((await this.request(r)).status).to.equal('returned');
  }

  /** An office member's button on their escalation card of the request. */
  async office(hhmm: string, userid: string, r: DayRequest, action: 'urge' | 'order'): Promise<void> {
    await this.tick(hhmm);
    const [e] = await this.escalations(r);
    const card = lastCard(this.h, userid, `esc${e.id}_`)!;
    if (action === 'urge') await this.h.emu.clickButton(userid, card.taskId, `office_urge:${e.id}`);
    else await this.h.emu.clickButton(userid, card.taskId, `office_order:${e.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['2h'] }] });
    await this.h.sys.settle();
  }

  request(r: DayRequest): Promise<VerificationRequest> {
    return this.h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: r.id });
  }

  escalations(r: DayRequest): Promise<Escalation[]> {
    return this.h.sys.dataSource.getRepository(Escalation).find({ where: { requestId: r.id }, order: { id: 'ASC' } });
  }

  /** Every app message of the day to a person (cards and texts; updates are not messages). */
  messages(): Array<{ touser: string; at: number; text: string }> {
    return this.h.emu
      .delivered()
      .filter((d) => d.seq > this.start && d.channel === 'app' && !d.dropReason)
      .map((d) => ({ touser: d.touser, at: d.at, text: JSON.stringify(d.payload) }));
  }

  updates(): Array<{ userids: string[]; at: number; task: string }> {
    return this.h.emu
      .cardUpdates()
      .slice(this.updatesAtStart)
      .map((u) => ({ userids: u.userids, at: u.at, task: String(u.task_id) }));
  }

  async staffUnits(): Promise<Map<string, string>> {
    const staff = await this.h.sys.dataSource.getRepository(Staff).find();
    return new Map(staff.map((s) => [s.userid, s.unitCode]));
  }

  /** The office members' escalation cards of a request that still offer buttons. */
  async liveEscalationCards(r: DayRequest, member: string): Promise<string[]> {
    const ids = (await this.escalations(r)).map((e) => e.id);
    return cardsTo(this.h, member)
      .filter((c) => ids.some((e) => c.taskId.startsWith(`esc${e}_`)))
      .map((c) => c.taskId)
      .filter((t) => {
        const st = this.h.emu.cardState(member, t)!;
        return !st.replace_name && Array.isArray(st.card.button_list) && st.card.button_list.length > 0;
      });
  }

  /** `待办` as the person types it: exactly one message back, listing these requests. */
  async todoLists(userid: string, open: DayRequest[]): Promise<string> {
    const reply = await this.say(userid, '待办');
    expect(reply, `${userid}: one message`).to.have.length(1);
    const text = reply[0];
    if (!open.length) expect(text).to.equal('你当前没有未办结的协查。');
    else expect(text.split('\n')[0]).to.equal(`你有 ${open.length} 件未办结的协查（最急的在前）：`);
    for (const r of open) expect(text, `${userid} sees ${r.number}`).to.include(`编号${r.short}`);
    for (const r of this.requests.filter((x) => !open.includes(x))) expect(text, `${userid} does not see ${r.number}`).not.to.include(`编号${r.short}`);
    return text;
  }
}
