import { EntityManager, In } from 'typeorm';
import { Staff, VerificationEvent } from '../../entities';
import { unitNames } from '../directory/who';

/**
 * The request's history as people read it (issue 18 item 10): what happened and who did
 * it, never an event code or a userid. Who: 「县公安局联络员 张三」 from the directory;
 * the system and unit systems by kind.
 */
export const HISTORY_TEXT = {
  event: {
    created: '发起协查',
    notified: '已通知核验单位',
    accepted: '受理',
    answered: '答复',
    answer_withdrawn: '撤回答复',
    returning: '点击退回（待说明原因）',
    return_cancelled: '取消退回',
    returned: '退回',
    cancelled: '需求单位撤回请求',
    category_changed: '转档案核验',
    deadline_recomputed: '重新计算答复时限',
    reminder_sent: '催办提醒',
    backup_pinged: '提醒B角补位',
    warning_sent: '即将超时提醒',
    escalated: '超时，报告联席会议办公室',
    urged: '联席会议办公室督办',
    ordered_completion: '联席会议办公室责成限时办结',
    order_reminder_sent: '限时办结提醒',
    order_warning_sent: '限时办结即将到期提醒',
    summons_requested: '提请约谈',
    summons_decided: '约谈决定',
    requester_notified: '已告知需求单位',
    ledger_recorded: '记入台账',
    card_refreshed: '卡片已重发',
  } as Record<string, string>,
  otherEvent: '其他记录',
  system: '系统',
  dataService: '系统（数据服务自动核验）',
  unitSystem: '单位业务系统',
  someone: '工作人员',
  role: { liaison: '联络员', A: 'A角', B: 'B角', deputy: '代办员', member: '' } as Record<string, string>,
  separator: ' · ',
} as const;

export interface HistoryLine {
  at: Date;
  label: string;
  who: string;
  reason: string | null;
}

/** 「县公安局联络员 张三」 for each userid the directory knows; others as 工作人员. */
export async function staffLabels(m: EntityManager, userids: string[]): Promise<(userid: string) => string> {
  const ids = [...new Set(userids)];
  const staff = ids.length ? await m.getRepository(Staff).findBy({ userid: In(ids) }) : [];
  const units = await unitNames(m, staff.map((s) => s.unitCode));
  const byId = new Map(staff.map((s) => [s.userid, s]));
  const t = HISTORY_TEXT;
  return (userid: string) => {
    const s = byId.get(userid);
    if (!s) return t.someone;
    const role = s.role === 'deputy' && s.ab ? t.role[s.ab] : (t.role[s.role] ?? '');
    return `${units.get(s.unitCode) ?? ''}${role} ${s.name}`.trim();
  };
}

/** Names the actors of a request's events; userids never reach the page. */
export async function historyLines(m: EntityManager, events: VerificationEvent[]): Promise<HistoryLine[]> {
  const person = await staffLabels(m, events.map((e) => e.actor).filter((a): a is string => !!a && a !== 'system' && !a.includes(':')));
  const t = HISTORY_TEXT;
  const who = (actor: string | null): string => {
    if (!actor || actor === 'system') return t.system;
    if (actor.startsWith('system:')) return t.dataService;
    if (actor.startsWith('api:')) return t.unitSystem;
    return person(actor);
  };
  return events.map((e) => ({ at: e.at, label: t.event[e.type] ?? t.otherEvent, who: who(e.actor), reason: e.reason }));
}
