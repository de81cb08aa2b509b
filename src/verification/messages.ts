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
  cancel: '取消',
} as const;

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
} as const;

export const TEXT = {
  acceptedOwner: (number: string, due: string) =>
    `你已受理协查 ${number}，请于 ${due} 前答复。\n核验后回复「${WORDS.match}」或「${WORDS.mismatch}」；需要查阅纸质档案或历史档案时回复「${WORDS.toPaper}」或「${WORDS.toHistorical}」。\n有多件待答复时，请在后面加编号，如「${WORDS.match} ${number}」。`,
  askMismatch: (number: string) => `请说明 ${number} 核验不一致的具体情况，你的下一条消息将作为答复内容（回复「${WORDS.cancel}」放弃）。`,
  askReturnReason: (number: string) => `你已退回协查 ${number}。请说明退回原因（例如不属于本单位职责），你的下一条消息将作为退回原因。`,
  askCategoryReason: (number: string, category: DeadlineCategory) =>
    `请说明将 ${number} 转为${CATEGORY_SHORT[category]}的原因，你的下一条消息将作为原因（回复「${WORDS.cancel}」放弃）。`,
  reasonEmpty: '内容不能为空，请重新输入。',
  promptCancelled: (number: string) => `已取消，${number} 保持不变。`,
  answeredOwner: (number: string, result: VerificationResult) => `已答复 ${number}：核验${RESULT_LABEL[result]}。结果已告知需求单位。`,
  returnedOwner: (number: string) => `已记录 ${number} 的退回原因，并告知需求单位。`,
  categoryChangedOwner: (number: string, category: DeadlineCategory, due: string) => `${number} 已转为${CATEGORY_LABEL[category]}，新的答复截止时间为 ${due}。`,
  notOwner: (number: string, owner: string) => `${number} 由${owner}受理，只有受理人可以答复。`,
  noOpenRequest: '你目前没有待答复的协查请求。',
  ambiguous: (numbers: string[], word: string) => `你有多件待答复的协查请求（${numbers.join('、')}），请在回复后加编号，例如「${word} ${numbers[0]}」。`,
  unknownNumber: (number: string) => `没有找到协查请求 ${number}。`,
  notAccepted: (number: string) => `${number} 尚未受理，请先在卡片上点击「受理」。`,
  notAnswerable: (number: string, status: VerificationStatus) => `${number} 当前${STATUS_LABEL[status]}，不能再答复。`,
  categoryNotLonger: (number: string, current: DeadlineCategory) => `${number} 当前为${CATEGORY_SHORT[current]}，只能转为时限更长的类别。`,
  cancelledToOwner: (number: string) => `协查 ${number} 已被需求单位撤回，无需再答复。`,
  failed: (number: string) => `${number} 的操作未能完成，请稍后再试或在详情页办理。`,
  /** What an open question is about, when it is replaced or cancelled. */
  questionLabel: (kind: 'mismatch_details' | 'return_reason' | 'category_reason', number: string) =>
    ({ mismatch_details: `协查 ${number} 核验不一致的情况说明`, return_reason: `协查 ${number} 的退回原因`, category_reason: `协查 ${number} 转类别的原因` })[kind],
} as const;

/** The detail page (HTML); full personal data appears only here, for authorised readers. */
export const PAGE_TEXT = {
  title: (number: string) => `协查请求 ${number}`,
  forbidden: '你无权查看该协查请求。只有需求单位、核验单位和联席会议办公室的工作人员可以查看。',
  notFound: '没有找到该协查请求。',
  loginFailed: '企业微信登录失败，请从企业微信中重新打开链接。',
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
  entryHeaders: ['编号', '记录单位', '类型', '发生时间', '材料/核验内容', '目的', '结果', '记录人', '记录时间'],
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
  which: (word: string) => `你有多件未办结的协查，请在回复后加编号，例如「${word} 0007」：`,
  ambiguousShort: (short: string) => `编号 ${short} 对应你的多件协查，请回复完整编号：`,
} as const;
