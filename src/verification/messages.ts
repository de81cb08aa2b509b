/**
 * Every Chinese sentence the verification module sends in WeCom or shows on its pages.
 * No personal data goes into these texts except where a function says so.
 */
import type { DeadlineCategory } from '../calendar';
import type { VerificationStatus, VerificationResult } from '../../entities/VerificationRequest';

/** Chat words fixed by CONTRACT.md ("What people see in WeCom"). */
export const WORDS = {
  match: '核验一致',
  mismatch: '核验不一致',
  toPaper: '转纸质档案',
  toHistorical: '转历史档案',
  return: '退回',
  confirm: '确认',
  withdraw: '撤回',
  correct: '更正',
  query: '查询',
  cancel: '取消',
} as const;

/**
 * Words that are commands somewhere in the app: never taken as mismatch details or a
 * reason (a person typing 帮助 while the bot waits means help, not the answer).
 */
export const COMMAND_WORDS: readonly string[] = ['帮助', '取消', '待办', '确认', '撤回', '更正', '查询', '菜单', '核验一致', '核验不一致', '转纸质档案', '转历史档案', '退回', '受理', '清单调整', '超时', '督办', '我回来了'];

/** Art. 7: the preset return reasons offered as buttons; the last asks for the reason in the chat. */
export const RETURN_REASONS = ['不属于本单位职责', '无此记录', '信息不全无法核验', '其他（请回复说明）'] as const;
export const OTHER_REASON = 3;

/** Minutes during which the answerer can take an answer back (撤回 / 更正). */
export const WITHDRAW_MINUTES = 5;

export const CATEGORY_LABEL: Record<DeadlineCategory, string> = {
  digital: '电子数据（30分钟）',
  paper: '纸质档案（1个工作日）',
  historical: '历史档案（2个工作日）',
};

export const CATEGORY_SHORT: Record<DeadlineCategory, string> = {
  digital: '电子数据',
  paper: '纸质档案',
  historical: '历史档案',
};

export const STATUS_LABEL: Record<VerificationStatus, string> = {
  pending: '待受理',
  accepted: '已受理',
  returning: '退回中（待说明原因）',
  answered: '已答复',
  returned: '已退回',
  cancelled: '已撤回',
};

export const RESULT_LABEL: Record<VerificationResult, string> = {
  match: '一致',
  mismatch: '不一致',
};

export const CHANNEL_LABEL: Record<string, string> = {
  system: '系统',
  fax: '传真',
  email: '电子邮件',
  oa: 'OA',
};

export const LEDGER_KIND_LABEL: Record<string, string> = {
  supplementary: '要求补充材料',
  onsite: '现场核验',
  voluntary: '申请人自愿提交',
};

/** Card button texts (CONTRACT.md: 受理 / 退回) and what a greyed card shows. */
export const CARD_TEXT = {
  accept: '受理',
  return: '退回',
  acceptedBySelf: '已受理',
  returnedBySelf: '已退回',
  takenBy: (name: string) => `已由${name}受理`,
  returnedBy: (name: string) => `已由${name}退回`,
  answered: '已答复',
  cancelled: '请求已撤回',
  returningBy: (name: string) => `已由${name}退回（待说明原因）`,
  match: '核验一致',
  mismatch: '核验不一致',
  toPaper: '转纸质档案',
  toHistorical: '转历史档案',
  confirm: '确认',
  cancel: '取消',
  withdraw: '撤回',
  overdue: '已超时',
  /** On deputy B's card when it is B's because A is away (or the unit has no A). */
  coverAway: (a: string) => `A角${a}请假，由你（B角）受理`,
  coverNoA: '本单位未设A角，由你（B角）受理',
} as const;

/**
 * Texts name a request by unit, item and number (`about`), never by number alone: two
 * requests of one unit for one item differ only in number.
 */
export const TEXT = {
  about: (unit: string, item: string, number: string) => `${unit}「${item}」协查 ${number}`,
  acceptedOwner: (a: string, due: string, number: string) =>
    `你已受理${a}，请于 ${due} 前答复。\n请在卡片上选择答复，或回复「${WORDS.match}」「${WORDS.mismatch}」「${WORDS.toPaper}」「${WORDS.toHistorical}」「${WORDS.return}」。\n有多件待答复时，请在后面加编号，如「${WORDS.match} ${number}」。`,
  /** 受理 after the deadline: the owner learns at once that the answer is already late. */
  acceptedOwnerLate: (a: string, due: string, late: string, number: string) =>
    `你已受理${a}。该请求已超过答复时限（截止 ${due}，已超时${late}），请立即答复。\n请在卡片上选择答复，或回复「${WORDS.match} ${number}」等。`,
  askMismatch: (a: string) => `请说明${a}核验不一致的具体情况，你的下一条消息将作为答复内容（回复「${WORDS.cancel}」放弃）。`,
  askReturnReason: (a: string) =>
    `你正在退回${a}，截止时间照常计算。请在卡片上选择退回原因，或回复序号：${RETURN_REASONS.slice(0, OTHER_REASON).map((r, i) => `${i + 1}.${r}`).join(' ')}，或直接写明原因（回复「${WORDS.cancel}」撤销退回）。`,
  askOtherReason: (a: string) => `请说明退回${a}的原因，你的下一条消息将作为退回原因（回复「${WORDS.cancel}」撤销退回）。`,
  askCategoryReason: (a: string, category: DeadlineCategory) =>
    `请说明将${a}转为${CATEGORY_SHORT[category]}的原因，你的下一条消息将作为原因（回复「${WORDS.cancel}」放弃）。`,
  askConfirm: (a: string, applicant: string, result: VerificationResult, details: string | null) =>
    `请核对：${a}，申请人 ${applicant}，答复「核验${RESULT_LABEL[result]}」${details ? `，情况说明：${details}` : ''}。\n回复「${WORDS.confirm}」提交，回复「${WORDS.cancel}」放弃。`,
  reasonEmpty: '内容不能为空，请重新输入。',
  commandAsText: (word: string) => `「${word}」是命令词，不能作为说明内容。请直接写明具体情况（回复「${WORDS.cancel}」放弃）。`,
  promptCancelled: (a: string) => `已取消，${a} 保持不变。`,
  returnCancelled: (a: string, status: VerificationStatus) => `已撤销退回，${a} 恢复为${STATUS_LABEL[status]}，请继续办理。`,
  answeredOwner: (a: string, number: string, result: VerificationResult) =>
    `已答复${a}：核验${RESULT_LABEL[result]}。结果已告知需求单位。${WITHDRAW_MINUTES}分钟内如需更正，请回复「${WORDS.withdraw} ${number}」或点卡片上的「撤回」。`,
  returnedOwner: (a: string, reason: string) => `已退回${a}，原因：${reason}。已告知需求单位。`,
  withdrawnOwner: (a: string) => `已撤回对${a}的答复，需求单位已收到更正通知。请重新答复。`,
  withdrawTooLate: (a: string) => `${a}答复已超过${WITHDRAW_MINUTES}分钟，不能撤回。如需更正，请联系需求单位或联席会议办公室。`,
  categoryChangedOwner: (a: string, category: DeadlineCategory, due: string) => `${a}已转为${CATEGORY_LABEL[category]}，新的答复截止时间为 ${due}。`,
  categoryAfterDeadline: (a: string, due: string) => `${a}已超过答复时限（${due}），不能再转纸质档案或历史档案，请尽快答复。确需调整的，由联席会议办公室办理。`,
  notOwner: (a: string, owner: string) => `${a} 由${owner}受理，只有受理人可以答复。`,
  noOpenRequest: '你目前没有待答复的协查请求。',
  unknownNumber: (number: string) => `没有找到协查请求 ${number}。`,
  notAccepted: (a: string) => `${a} 尚未受理，请先在卡片上点击「受理」。`,
  notAnswerable: (a: string, status: VerificationStatus) => `${a} 当前${STATUS_LABEL[status]}，不能再答复。`,
  categoryNotLonger: (a: string, current: DeadlineCategory) => `${a}当前为${CATEGORY_SHORT[current]}，只能转为时限更长的类别。`,
  cancelledToOwner: (a: string) => `${a} 已被需求单位撤回，无需再答复。`,
  failed: (number: string) => `${number} 的操作未能完成，请稍后再试或在详情页办理。`,
  confirmHint: `请回复「${WORDS.confirm}」提交答复，或回复「${WORDS.cancel}」放弃。`,
  nothingToConfirm: `当前没有等待确认的答复。`,
  /** 查询 HC…: where a request stands, for the two units and the office. */
  status: (a: string, status: VerificationStatus, due: string, owner: string | null, overdue: boolean, extra: string | null) =>
    `${a}：${STATUS_LABEL[status]}${owner ? `（受理人：${owner}）` : ''}，答复截止 ${due}${overdue ? '，已超时' : ''}。${extra ?? ''}`,
  queryUsage: `请回复「${WORDS.query} 编号」，例如「${WORDS.query} HC20261126-0001」。`,
  /** What an open question is about, when it is replaced or cancelled. */
  questionLabel: (kind: string, a: string) =>
    ({ mismatch_details: `${a}核验不一致的情况说明`, return_reason: `${a}的退回原因`, category_reason: `${a}转类别的原因`, confirm_answer: `${a}答复的确认` })[kind] ?? a,
} as const;

/** The detail page (HTML); full personal data appears only here, for authorised readers. */
export const PAGE_TEXT = {
  title: (number: string) => `协查请求 ${number}`,
  forbidden: '你无权查看该协查请求。只有需求单位、核验单位和联席会议办公室的工作人员可以查看。',
  notFound: '没有找到该协查请求。',
  loginFailed: '企业微信登录失败，请从企业微信中重新打开链接。',
  notCorpMember: '您不是本单位企业微信的成员，无法查看协查详情。',
  viewLogged: '本次查看已记录（证明事项核验实施办法第十二条）。',
  /** Between an event and its reason in the history list. */
  reasonSeparator: '：',
  fields: {
    number: '编号',
    status: '状态',
    requester: '需求单位',
    issuer: '核验单位',
    serviceItem: '服务事项',
    certificate: '证明材料',
    category: '类别',
    dueAt: '答复截止',
    applicantName: '申请人姓名',
    applicantId: '身份证号码',
    question: '核验内容',
    assignee: '受理人',
    result: '核验结果',
    reply: '答复内容',
    returnReason: '退回原因',
    channel: '渠道',
    template: '协查函模板',
    events: '办理记录',
  },
  actions: {
    heading: '办理',
    match: '核验一致',
    mismatch: '核验不一致',
    toPaper: '转纸质档案',
    toHistorical: '转历史档案',
    return: '退回',
    textLabel: '说明（核验不一致、退回、转类别时必填）',
    submit: '提交',
    done: '已办理。',
  },
} as const;

/** The ledger export (.xlsx): sheet names and column headers, for the units. */
export const LEDGER_XLSX = {
  requestSheet: '核验台账',
  entrySheet: '补充材料台账',
  requestHeaders: ['编号', '渠道', '需求单位', '核验单位', '服务事项', '证明材料', '类别', '申请人', '身份证号码', '发起时间', '答复截止', '状态', '受理人', '结果', '答复时间', '退回原因', '核验用时（办公分钟）', '是否超时'],
  entryHeaders: ['编号', '记录单位', '类型', '发生时间', '材料/核验内容', '目的', '结果', '作为申请材料', '记录人', '记录时间'],
  yes: '是',
  no: '否',
};

/** `待办` and the list of a person's open requests (unit, item, deadline; most urgent first). */
export const TODO = {
  words: ['待办', '我的待办', '待办事项'] as readonly string[],
  none: '你当前没有未办结的协查。',
  header: (n: number) => `你有 ${n} 件未办结的协查（最急的在前）：`,
  line: (i: number, r: { requester: string; item: string; due: string; left: string; state: string; short: string }) =>
    `${i}. ${r.requester}「${r.item}」截止${r.due}（${r.left}）${r.state}｜编号${r.short}`,
  left: (late: boolean, span: string) => (late ? `已超时${span}` : `剩${span}`),
  state: { to_accept: '待受理', accepted: '待答复', returning: '待补退回理由' } as Record<string, string>,
  footer: '受理请点卡片；答复可回复如「核验一致 0007」（编号后四位即可）。',
  /** When a reply names no request and several are open (the other half of the list above). */
  which: (word: string, short = '0007') => `你有多件未办结的协查，请在回复后加编号，例如「${word} ${short}」：`,
  ambiguousShort: (short: string) => `编号 ${short} 对应你的多件协查，请回复完整编号：`,
} as const;

/**
 * The holder's one card of a late request (src/escalations/holder-cards.ts): the latest
 * stage, shown on the card instead of a text per stage; the owner's answer card of a late
 * request shows them too (src/verification/late-status.ts).
 */
export const HOLDER = {
  stage: {
    /** Late, before the sweep reported it. */
    late: '已超时，请立即答复',
    overdue: '已超时，已报告联席会议办公室',
    urge: '联席会议办公室督办',
    order: '联席会议办公室责成限时办结',
    order_reminder: '限时办结提醒：时间已过半',
    order_warning: '限时办结即将到期',
    escalation2: '未在责成时限内办结，已再次报告',
  },
  lateTail: (late: string) => `已超时${late}`,
  /** The card a stage replaced: greyed in place, the new one below. */
  superseded: '已更新，见新卡片',
  lateEmphasis: '已超时（办公时间）',
  orderLine: (by: string) => `责成${by}前办结`,
  dueLine: (due: string) => `原截止${due}`,
  stageLine: (stage: string) => `最新：${stage}`,
  ownerLine: (owner: string) => `受理人：${owner}`,
} as const;
export type HolderStage = keyof typeof HOLDER.stage;
