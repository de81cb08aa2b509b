/**
 * Every Chinese sentence of the deadline stages, escalations and office actions.
 * Nothing here carries the applicant's personal data (SPEC 1 Art. 12):
 * only request numbers, unit and staff names, times.
 */
import type { DeadlineCategory } from '../calendar';
import { CATEGORY_SHORT } from '../verification/messages';

export { CATEGORY_SHORT };
export { formatLate } from '../calendar/messages';

/** Presets an office member picks from on the card (button_selection): no typing on a phone. */
export const ORDER_PRESET_LABEL = {
  '2h': '2小时内',
  today: '今天下班前',
  next_day: '下一工作日下班前',
  '3d': '3个工作日内',
} as const;
export type OrderPreset = keyof typeof ORDER_PRESET_LABEL;

export const LEVEL_LABEL: Record<number, string> = { 1: '一级', 2: '二级' };

export const OFFICE_ACTION_TEXT = {
  urge: '督办',
  order: '责成限时办结',
  summons: '约谈',
  selectionTitle: '限时办结时限',
} as const;

/** One office action on the escalation card: "责成11-26 17:30前办结（王五）", "督办（王五 10:02）". */
export const DONE_LINE = {
  order: (by: string, who: string) => `责成${by}前办结（${who}）`,
  other: (action: string, who: string, at: string) => `${action}（${who} ${at}）`,
};

/**
 * Texts to the units lead with the other unit and the item, then the deadline (what a lock
 * screen shows in its first 40 characters); the number comes last. `u` is
 * `unitItem(unit, item)`: the requesting unit for the issuing unit's staff and vice versa.
 */
export const unitItem = (unit: string, item: string) => `${unit}「${item}」`;

export const TEXT = {
  reminderPending: (u: string, number: string, due: string) => `【协查提醒】${u}截止 ${due}：已过答复时限的一半，仍未受理。请在卡片上受理并按时答复。协查 ${number}`,
  reminderAccepted: (u: string, number: string, due: string) => `【协查提醒】${u}截止 ${due}：你受理的协查已过答复时限的一半，请按时答复。协查 ${number}`,
  backup: (number: string, requester: string, item: string, due: string, why: string) =>
    `【B角补位】${requester}「${item}」截止 ${due}：${why}，请你及时受理（见上方卡片）。协查 ${number}`,
  backupAAway: (a: string) => `A角${a}请假`,
  /** On B's request card, after the number. */
  backupCardWhy: (why: string) => `${why}，请你补位`,
  backupASilent: (a: string) => `A角${a}和联络员尚未处理`,
  backupNoA: '本单位没有在岗的A角，联络员尚未处理',
  warningPending: (u: string, number: string, due: string) => `【即将超时】${u}截止 ${due}：仍未受理，超时将报告联席会议办公室。协查 ${number}`,
  warningAccepted: (u: string, number: string, due: string) => `【即将超时】${u}截止 ${due}：仍未答复，超时将报告联席会议办公室。协查 ${number}`,
  escalatedToIssuer: (u: string, number: string) => `${u}协查 ${number} 已超过答复时限，已报告联席会议办公室，请立即办理。`,
  escalatedToRequester: (u: string, number: string) =>
    `${u}：你单位的协查 ${number} 已超过答复时限。系统已代你单位报告联席会议办公室（证明事项核验实施办法第十一条）。`,
  escalated2ToIssuer: (u: string, number: string, by: string) => `${u}协查 ${number} 未在责成时限 ${by} 前办结，已再次报告联席会议办公室。`,
  escalated2ToRequester: (u: string, number: string) => `${u}：你单位的协查 ${number} 未在联席会议办公室责成的时限内办结，已再次报告。`,
  urged: (u: string, number: string, late: string) => `【督办】${u}已超时 ${late}：联席会议办公室督办，请立即办理。协查 ${number}`,
  ordered: (u: string, number: string, by: string) => `【责成限时办结】${u}须于 ${by} 前办结：联席会议办公室责成你单位限时办结（证明事项核验实施办法第十一条）。协查 ${number}`,
  orderReminder: (u: string, number: string, by: string) => `【限时办结提醒】${u}须于 ${by} 前办结，时间已过半。协查 ${number}`,
  orderWarning: (u: string, number: string, by: string) => `【限时办结即将到期】${u}须于 ${by} 前办结，逾期将再次报告联席会议办公室。协查 ${number}`,
  orderedToRequester: (u: string, number: string, issuer: string, by: string) => `${u}：联席会议办公室已责成${issuer}于 ${by} 前办结你单位的协查 ${number}。`,
  // answers to an office member's click
  notOffice: '只有联席会议办公室成员可以办理督办事项。',
  alreadyClosed: (number: string) => `协查 ${number} 已办结，无需再督办。`,
  presetPast: (label: string) => `所选时限「${label}」已过，请选择其他时限后再点击「责成限时办结」。`,
  unknownEscalation: '没有找到该督办事项。',
  urgeDone: (number: string) => `已督办协查 ${number}，已通知受理人和联络员。`,
  orderDone: (number: string, by: string) => `已责成于 ${by} 前办结协查 ${number}，到期未办结将再次报告。`,
  summonsDone: (number: string) => `已记录协查 ${number} 的约谈请求，待报县政府。`,
  orderedAfterClose: (u: string, number: string, by: string) => `【责成限时办结】${u}须于 ${by} 前完成整改：协查 ${number} 逾期答复，联席会议办公室责成你单位整改（证明事项核验实施办法第十一条）。`,
  windowOver: (number: string) => `协查 ${number} 办结已超过30天，不能再责成或约谈。`,
  notLate: (number: string) => `协查 ${number} 已按时答复，不能约谈。`,
  summonsAsk: (number: string, unit: string, person: string) =>
    `确认就协查 ${number}（${unit}）报请县政府约谈 ${person}？\n请回复约谈事由（逾期造成的影响），回复即确认；回复“取消”放弃。`,
  summonsReasonEmpty: '约谈事由不能为空，请描述逾期造成的影响；回复“取消”放弃。',
  summonsCancelled: (number: string) => `已取消协查 ${number} 的约谈。`,
  urgeRepeated: (number: string) => `协查 ${number} 刚刚已督办，未重复发送。`,
} as const;

/** The holder's card texts live with the verification module's (its answer card shows them too). */
export { HOLDER, type HolderStage } from '../verification/messages';

/** `nocert scheduler run` about its own environment (operators read English). */
export const ENV_WARN = {
  noGroup: 'warning: neither OFFICE_CHAT_ID nor OFFICE_ROBOT_WEBHOOK is set here: escalations and the weekly summary of this sweep reach no office group',
  differs: (key: string, server: string, here: string) => `warning: ${key} differs from the running server's (server: ${server}, here: ${here}): messages of this sweep may go elsewhere`,
} as const;

/** The office's `超时` / `督办` list in chat. */
export const OVERDUE = {
  words: ['超时', '督办'] as readonly string[],
  none: (url: string) => `当前没有超时未办结的协查。控制台：${url}`,
  header: (n: number) => `当前超时未办结的协查（${n}件），按截止时间排序：`,
  line: (i: number, r: { unit: string; item: string; number: string; due: string; late: string; owner: string | null }) =>
    `${i}. ${r.unit}｜${r.item}｜截止${r.due}｜已超时${r.late}｜${r.owner ? `受理人${r.owner}` : '未受理'}｜${r.number}`,
  more: (n: number) => `……另有 ${n} 件`,
  footer: (url: string) => `督办、责成请在「协查督办」卡片上操作，或打开控制台：${url}`,
} as const;

/** 约谈 records (SPEC 1 Art. 11). */
export const SUMMONS = {
  unitHead: '单位负责人',
  defaultRequest: (unit: string, number: string) => `协查 ${number} 逾期答复造成不良影响，提请县政府约谈${unit}相关责任人。`,
  toUnit: (u: string, number: string, person: string, effect: string) =>
    `【约谈】${u}协查 ${number} 逾期答复，联席会议办公室已提请县政府约谈 ${person}。事由：${effect}`,
  label: (number: string) => `协查 ${number} 的约谈事由`,
  decision: { approved: '同意约谈', declined: '不予约谈' } as Record<string, string>,
  /** The supervision export's sheet of summonses. */
  sheet: '约谈记录',
  columns: ['协查编号', '单位', '约谈对象', '逾期影响', '提请县政府事项', '提请人', '提请时间', '县政府决定', '约谈日期'],
} as const;

export interface GroupItem {
  level: number;
  number: string;
  issuerUnitName: string;
  requesterUnitName: string;
  ownerName: string | null;
  category: DeadlineCategory;
  due: string;
  late: string;
}

/** One block of the office group's report (markdown, WECOM.md section 5). */
export function groupItem(i: GroupItem): string {
  return [
    `**协查超时（${LEVEL_LABEL[i.level] ?? i.level}）${i.number}**`,
    `> 核验单位：${i.issuerUnitName}`,
    `> 需求单位：${i.requesterUnitName}`,
    `> 受理人：${i.ownerName ?? '未受理'}`,
    `> 类别：${CATEGORY_SHORT[i.category]}`,
    `> 截止：${i.due}　超时：<font color="warning">${i.late}</font>`,
  ].join('\n');
}

export const GROUP = {
  header: (n: number) => `### 协查超时报告（${n}件）`,
  sandboxChatName: '联席会议办公室（沙箱）',
  footer: '请在企业微信「协查督办」卡片上督办、责成限时办结或记录约谈。',
  urged: (who: string, number: string) => `${who} 已督办协查 ${number}。`,
  ordered: (who: string, issuer: string, number: string, by: string) => `${who} 已责成${issuer}于 ${by} 前办结协查 ${number}。`,
  summons: (who: string, issuer: string, number: string) => `${who} 已记录约谈请求：协查 ${number}（${issuer}），报县政府。`,
} as const;

/** Escalation card texts (cards/escalation.card.ts). */
export const CARD = {
  source: '协查督办',
  /** Lead (title, then desc): which unit is late on which item, how late, then the number. */
  title: (level: number, issuer: string, item: string) => `${level === 2 ? '二次超时' : '协查超时'}｜${issuer}「${item}」`,
  desc: (late: string, number: string) => `已超时 ${late}｜协查 ${number}`,
  closedDesc: (outcome: string, number: string) => `${outcome}｜协查 ${number}`,
  emphasisDesc: '超时（办公时间）',
  issuer: '核验单位',
  requester: '需求单位',
  owner: '受理人',
  noOwner: '未受理',
  category: '类别',
  due: '截止时间',
  orderedBy: '责成时限',
  detail: '查看详情（需登录）',
  done: '已办理：',
  orderNoticeTitle: (requester: string, item: string) => `责成限时办结｜${requester}「${item}」`,
  orderNoticeDesc: (by: string, number: string) => `${by}前办结（联席会议办公室责成）｜协查 ${number}`,
  orderNoticeEmphasis: '办结时限',
  closedButton: '已办结',
  closedAnswered: (late: string) => `已答复（超时${late}）`,
  closedReturned: (late: string) => `已退回（超时${late}）`,
  overtaken: '已转二次超时，见新卡片',
} as const;

/** Complaint deadlines (SPEC 3 Art. 7, 10), driven by the complaints module's queries. */
