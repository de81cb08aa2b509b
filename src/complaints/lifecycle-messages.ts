/**
 * Chinese text of the case lifecycle: what the complainant is told over WeChat Customer
 * Service (Art. 9, 10), what the agency's liaison reads in the chat, what the office group
 * sees, and the labels of the statistics export. The conversation's own sentences are in
 * messages.ts.
 */
import { GROUND_LABELS } from './messages';
import type { Channel, RejectionGround, TerminationGround } from './model';
import type { ComplaintStatus } from '../../entities/Complaint';
import { clip } from './validate';

export { GROUND_LABELS };

export const REJECTION_LABELS: Record<RejectionGround, string> = {
  too_vague: '投诉内容不具体，无法核实',
  malicious_repeat: '对正在处理的事项恶意重复投诉',
  litigation_arbitration_review: '属于诉讼、仲裁或行政复议范围',
  other: '其他',
};

/** Button texts (WeCom shows about 10 characters). */
export const REJECTION_BUTTONS: Record<RejectionGround, string> = {
  too_vague: '内容不具体',
  malicious_repeat: '恶意重复投诉',
  litigation_arbitration_review: '属诉讼仲裁复议',
  other: '其他理由',
};

export const TERMINATION_LABELS: Record<TerminationGround, string> = {
  withdrawn: '投诉人撤回投诉',
  arbitration_review_litigation_started: '已进入仲裁、行政复议或诉讼程序',
  other: '其他',
};

export const TERMINATION_BUTTONS: Record<TerminationGround, string> = {
  withdrawn: '投诉人撤回',
  arbitration_review_litigation_started: '已进入仲裁复议诉讼',
  other: '其他情形',
};

export const CHANNEL_LABELS: Record<Channel, string> = {
  kf: '微信客服',
  hotline_12345: '12345热线',
  letter: '信函',
  fax: '传真',
  sms: '短信',
  email: '电子邮件',
  online: '网上平台',
  window: '监督窗口',
  ministry_platform: '司法部证明事项投诉平台',
  enforcement_supervision: '执法监督',
};

export const STATUS_LABELS: Record<ComplaintStatus, string> = {
  registered: '已登记',
  accepted: '已受理',
  rejected: '不予受理',
  extended: '已延期',
  resolved: '已办结',
  terminated: '已终止',
};

/** "2026年12月3日17:30" from the office-local ISO string formatInZone gives. */
export function localDateTime(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日${m[4]}:${m[5]}` : iso;
}

/** Art. 10: what the complainant is told when the case ends; Art. 9: that theirs was linked. */
export const CITIZEN = {
  outcome: {
    resolved: (result: string): string => `已办结。\n办理结果：${clip(result, 600)}\n感谢您的监督。`,
    rejected: (ground: RejectionGround, reason: string | null): string =>
      `经审核不予受理。\n原因：${REJECTION_LABELS[ground]}${reason ? `。${clip(reason, 400)}` : ''}\n如有疑问，请回复“人工服务”或拨打12345政务服务热线。`,
    terminated: (ground: TerminationGround, reason: string | null): string =>
      `已终止办理。\n原因：${TERMINATION_LABELS[ground]}${reason ? `。${clip(reason, 400)}` : ''}`,
  },
  final: (n: string, outcome: string): string => `您的投诉（编号：${n}）${outcome}`,
  linkedFinal: (n: string, original: string, outcome: string): string => `您的投诉（编号：${n}）已与编号${original}合并办理，现${outcome}`,
  /** A step on the way (accepted, extended, reopened): told as it happens (Art. 10). */
  step: (n: string, step: string): string => `您的投诉（编号：${n}）${step}`,
  linkedStep: (n: string, original: string, step: string): string => `您的投诉（编号：${n}）已与编号${original}合并办理，${step}`,
  progress: {
    accepted: (due: string): string => `已受理，将于${due}前办结，办理结果会在这里告诉您。`,
    extended: (due: string, reason: string): string => `因情况复杂，经联席会议办公室同意延期办理，将于${due}前办结。\n延期理由：${clip(reason, 300)}`,
    reopened: (due: string, reason: string): string => `经联席会议办公室复核，已重新办理，将于${due}前办结。\n原因：${clip(reason, 300)}`,
  },
  /** Art. 9: another receiver received the same complaint first; that case handles it. */
  relinked: (n: string, first: string): string =>
    `您的投诉（编号：${n}）所反映的事项此前已由其他渠道受理登记（编号：${first}），将合并到编号${first}一并办理，办理结果会在这里告诉您。`,
  linked: (n: string, original: string): string =>
    `您的投诉（编号：${n}）与您此前反映的投诉（编号：${original}）是同一件事，已合并到编号${original}一并办理，办理结果会在这里告诉您。`,
};

/** The `summary` line of a status query (flow.ts T.statusFound). */
export const STATUS_SUMMARY = {
  registered: '已收到您的投诉，正在审核是否受理。',
  accepted: (due: string): string => `已受理，将于${localDateTime(due)}前办结。`,
  extended: (due: string): string => `情况较复杂，已延期，将于${localDateTime(due)}前办结。`,
  resolved: (result: string): string => clip(result, 400),
  rejected: (ground: RejectionGround, reason: string | null): string => `${REJECTION_LABELS[ground]}${reason ? `。${clip(reason, 300)}` : ''}`,
  terminated: (ground: TerminationGround, reason: string | null): string => `${TERMINATION_LABELS[ground]}${reason ? `。${clip(reason, 300)}` : ''}`,
  linked: (original: string): string => `已与编号${original}的投诉合并办理。`,
};

/** What the liaison of the agency complained about reads in the app chat. */
export const LIAISON = {
  askRejectReason: (n: string, ground: RejectionGround): string =>
    `投诉${n}：您选择了不予受理（${REJECTION_LABELS[ground]}）。请直接回复说明理由，回复“取消”放弃。`,
  askTerminateReason: (n: string, ground: TerminationGround): string =>
    `投诉${n}：您选择了终止办理（${TERMINATION_LABELS[ground]}）。请直接回复说明情况，回复“取消”放弃。`,
  askResult: (n: string): string => `投诉${n}：请直接回复办理结果（将告知投诉人），回复“取消”放弃。`,
  askExtension: (n: string): string =>
    `投诉${n}：请直接回复申请延期的理由，可写明延期天数（最多5个工作日，如“3个工作日，需调取档案”，不写按5个工作日）。申请须经联席会议办公室同意。回复“取消”放弃。`,
  cancelled: (n: string): string => `投诉${n}：已取消，案件状态没有变化。`,
  /** What an open question is about, when it is replaced or cancelled. */
  questionLabel: (n: string, kind: 'reject' | 'terminate' | 'extend' | 'resolve'): string =>
    `投诉${n}的${{ reject: '不予受理理由', terminate: '终止办理说明', extend: '延期理由', resolve: '办理结果' }[kind]}`,
  tooShort: '内容太简短了，请写清楚一些（至少2个字）。',
  tooLong: '内容太长了，请精简到2000字以内。',
  extensionTooLong: '延期最多5个工作日，请重新回复。',
  done: (n: string, status: string, due?: string): string => `投诉${n}：${status}。${due ? `办理期限：${localDateTime(due)}。` : ''}`,
  notAllowed: '您不是被投诉单位的联络员或代办员，不能处理这件投诉。',
  stale: (n: string, status: string): string => `投诉${n}当前状态为“${status}”，这个操作已不可用。`,
  extensionRefused: (n: string): string => `投诉${n}已经申请过一次延期，不能再次申请（投诉举报办法第十条）。`,
  extensionLate: (n: string): string => `投诉${n}已超过办理期限，不能再申请延期（投诉举报办法第十条：须在期限届满前申请）。`,
  extensionApplied: (n: string, days: number): string => `投诉${n}：已提交延期${days}个工作日的申请，等待联席会议办公室审批，审批前办理期限不变。`,
  extensionGranted: (n: string, due: string): string => `投诉${n}：联席会议办公室已同意延期，新的办理期限：${localDateTime(due)}。`,
  extensionDenied: (n: string, due: string, note: string | null): string =>
    `投诉${n}：联席会议办公室未同意延期${note ? `（${clip(note, 200)}）` : ''}，请在${localDateTime(due)}前办结。`,
  reassignedAway: (n: string, agency: string): string => `投诉${n}已转由${agency}办理，您不能再处理这件投诉。`,
  reassignedNote: (n: string, agency: string): string => `投诉${n}已由联席会议办公室转由${agency}办理，您无需再处理。`,
  reopened: (n: string, due: string): string => `投诉${n}：联席会议办公室已决定重新办理，请在${localDateTime(due)}前办结。`,
  byOffice: (n: string, status: string, due?: string): string =>
    `投诉${n}：联席会议办公室已将其标记为“${status}”。${due ? `办理期限：${localDateTime(due)}。` : ''}`,
};

/** What the office reads (group messages carry no personal data: number, agency, ground only). */
export const OVERSIGHT = {
  closed: (n: string, agency: string, status: string, ground: string): string =>
    `投诉${n}（被投诉单位：${agency}）${status}，情形：${ground}。如认为处理不当，办公室可决定重新办理。`,
  extensionApplied: (n: string, agency: string, days: number): string => `投诉${n}：${agency}申请延期${days}个工作日，请在卡片上审批。`,
};

/** The office member deciding an extension from the card. */
export const EXTENSION = {
  notOffice: '只有联席会议办公室成员可以审批延期申请。',
  decided: (n: string, status: string): string => `投诉${n}的延期申请已处理（${status}），这个操作已不可用。`,
  granted: (n: string, due: string): string => `投诉${n}：已同意延期，新的办理期限：${localDateTime(due)}。`,
  refused: (n: string, due: string): string => `投诉${n}：未同意延期，办理期限仍为${localDateTime(due)}。`,
  statusLabels: { pending: '待审批', granted: '已同意', refused: '不同意', lapsed: '已失效' } as Record<string, string>,
};

/** Art. 12: the monthly exchange between receivers, and the office's note that the analysis is ready. */
export const SHARING = {
  channelReceiver: {
    kf: '微信客服（审批服务窗口）',
    hotline_12345: '12345热线中心',
    letter: '信函',
    fax: '传真',
    sms: '短信',
    email: '电子邮件',
    online: '网上平台',
    window: '审批服务窗口',
    ministry_platform: '司法局（司法部证明事项投诉平台）',
    enforcement_supervision: '执法监督',
  } as Record<Channel, string>,
  ground: (g: string): string => GROUND_LABELS[g as keyof typeof GROUND_LABELS] ?? g,
  summary: (month: string, total: number, receivers: string, grounds: string, agencies: string): string =>
    `【投诉举报信息共享】${monthLabel(month)}其他受理单位共受理证明事项投诉举报${total}件（不含个人信息）。\n按受理单位：${receivers}\n按事由：${grounds}\n按被投诉单位：${agencies}\n请结合本单位受理情况做好协调配合。`,
  seriousMark: '（含查实或超期）',
  officeAnalysis: (month: string, total: number, flags: string): string =>
    `【投诉举报分析】${monthLabel(month)}共受理${total}件。${flags ? `需关注：${flags}。` : '无高发或严重问题。'}请研究提出整改措施（GET /api/v1/complaints/analysis?period=${month}）。`,
};

function monthLabel(ym: string): string {
  const [y, m] = ym.split('-');
  return `${y}年${Number(m)}月`;
}

/** The office group, when a citizen asks for a person (人工服务). */
export const OFFICE = {
  handoff: (kf: string, who: string, open: string | null): string =>
    `微信客服有市民申请人工服务（客服账号：${kf}，市民：${who}）。${open ? `其未办结投诉：${open}。` : ''}请在企业微信“微信客服”中接待。`,
};

/** Labels of the xlsx export (Art. 12-13 analysis). */
export const EXPORT = {
  sheetMonths: '按月汇总',
  sheetAgencies: '按单位',
  sheetCases: '投诉明细',
  month: '月份',
  total: '投诉总数',
  hotline: '12345热线件',
  duplicates: '重复投诉（已合并）',
  flagged: '重复被投诉单位',
  agencyCode: '单位代码',
  agency: '被投诉单位',
  count: '件数',
  flag: '标记',
  flagText: '同月被投诉3件及以上',
  number: '编号',
  channel: '渠道',
  ground: '事由',
  status: '状态',
  receivedAt: '收到时间',
  closedAt: '办结时间',
  dueAt: '办理期限',
  duplicateOf: '合并至',
  complainant: '投诉人',
  phone: '联系电话',
  resultDelivered: '结果已告知',
  yes: '是',
  no: '否',
  open: '办理中',
  ground_: (g: string): string => `事由：${g}`,
  channel_: (c: string): string => `渠道：${c}`,
  outcome_: (s: string): string => `状态：${s}`,
};
