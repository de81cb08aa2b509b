/**
 * Every user-facing sentence of the exemption list (SPEC 2): labels, the chat form, the
 * replies, reminders and the xlsx column headers. Cards take their text from here too.
 */
import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import type { ExemptionMethod } from '../../entities/ExemptionEntry';
import type { DeadlineCategory } from '../calendar';

export const METHOD_LABEL: Readonly<Record<ExemptionMethod, string>> = {
  sharing: '数据共享',
  commitment: '告知承诺',
  verification: '部门核验',
  other: '其他',
};

export const KIND_LABEL: Readonly<Record<AdjustmentKind, string>> = {
  add: '新增',
  change: '变更',
  cancel: '取消',
};

export const CATEGORY_LABEL: Readonly<Record<DeadlineCategory, string>> = {
  digital: '电子档案',
  paper: '纸质档案',
  historical: '历史档案',
};

/** Accepted spellings when reading a category from a form or a file. */
export const CATEGORY_ALIASES: Readonly<Record<string, DeadlineCategory>> = {
  电子: 'digital',
  电子档案: 'digital',
  纸质: 'paper',
  纸质档案: 'paper',
  历史: 'historical',
  历史档案: 'historical',
};

/**
 * Art. 6-8 reasons as people read them (cards and chat show these, never the codes).
 * `function_change` and `other` serve two or three kinds; the kind is shown beside them.
 */
export const REASON_LABEL: Readonly<Record<string, string>> = {
  law_requires: '法律法规颁布或修订需增加证明材料',
  power_delegated: '承接上级下放的权力事项涉及证明材料',
  function_change: '机构职能调整',
  still_required_omitted: '实际仍要求出具证明材料且清单遗漏',
  other: '其他',
  unit_changed: '证明需求单位或出具单位变更',
  item_renamed: '政务服务事项名称变更',
  certificate_changed: '证明材料名称或种类变更',
  method_changed: '免提交方式变更',
  law_removes_item: '法律法规颁布、修订或废止需取消事项',
  government_abolished_item: '国务院或省市县政府决定取消事项',
};

export const STATUS_LABEL: Readonly<Record<string, string>> = {
  draft: '待申请',
  pending: '待审核',
  returned: '退回修改',
  approved: '已同意',
  rejected: '未同意',
  withdrawn: '已撤回',
};

export const DECISION_LABEL = { approve: '同意', return: '退回修改', reject: '不同意' } as const;

/** Column headers of the list workbook (import and export), in order. */
export const XLSX = {
  sheet: '证明事项免提交清单',
  headers: {
    id: '编号',
    serviceItem: '政务服务事项',
    certificate: '证明材料',
    requesterUnit: '索要单位编码',
    issuerUnit: '出具单位编码',
    method: '免提交方式',
    legalBasis: '设定依据',
    defaultCategory: '默认核验类别',
    requesterUnitName: '索要单位名称',
    issuerUnitName: '出具单位名称',
  },
  title: (n: number | null, date: string): string => (n === null ? `证明事项免提交清单（草稿，${date}导出）` : `证明事项免提交清单（第${n}版，${date}发布）`),
} as const;

/** Chat words that start an application (WeCom app chat). */
export const APPLY_TRIGGERS: readonly string[] = ['清单调整', '调整清单', '申请调整清单', '免提交清单调整', '清单调整申请'];

/** Form labels (the left side of "标签：内容"), each with the accepted spellings. */
export const FORM_LABELS = {
  entryId: ['条目编号', '编号', '清单编号'],
  serviceItem: ['事项', '政务服务事项', '服务事项'],
  certificate: ['材料', '证明材料', '证明'],
  requesterUnit: ['索要单位'],
  issuerUnit: ['出具单位'],
  method: ['方式', '免提交方式'],
  legalBasis: ['依据', '设定依据'],
  defaultCategory: ['类别', '核验类别', '默认核验类别'],
  reason: ['原因', '调整原因'],
  causeDate: ['起因日期', '原因发生日期', '日期'],
  note: ['说明', '备注'],
} as const;

function reasonChoices(reasons: readonly string[]): string {
  return reasons.map((r) => REASON_LABEL[r]).join(' / ');
}

/** Chinese for the domain's refusals (AppError details.reason), shown in the chat. */
const FIELD_LABEL: Readonly<Record<string, string>> = {
  unitCode: '申请单位',
  entryId: '条目编号',
  causeDate: '起因日期',
  serviceItem: '事项',
  certificate: '材料',
  requesterUnit: '索要单位',
  issuerUnit: '出具单位',
  method: '方式',
  legalBasis: '依据',
  defaultCategory: '类别',
};

export function refusalText(details: unknown): string {
  const d = (details ?? {}) as Record<string, unknown>;
  switch (d.reason) {
    case 'unit_unknown':
      return `找不到单位“${String(d.value)}”`;
    case 'entry_not_found':
      return `清单中没有编号为${String(d.entryId)}的条目`;
    case 'entry_cancelled':
      return `编号为${String(d.entryId)}的条目已取消`;
    case 'entry_duplicate':
      return `清单中已有相同的条目（编号${String(d.entryId)}）`;
    case 'open_application':
      return d.applicationId ? `该事项已有尚未办结的申请（申请号${String(d.applicationId)}）` : '该事项已有尚未办结的申请';
    case 'nothing_to_change':
      return '填写的内容与清单现状相同，没有需要变更的内容';
    case 'reason_invalid':
      return '调整原因与调整类型不符';
    case 'note_required':
      return MSG.formNoteRequired;
    case 'legal_basis_required':
      return '新增、变更或取消证明材料须填写法律法规依据（仅变更免提交方式的除外）';
    case 'fields_missing':
      return `请填写：${((d.fields as string[]) ?? []).map((f) => FIELD_LABEL[f] ?? f).join('、')}`;
    case 'cause_in_future':
      return '起因日期不能晚于今天';
    case 'not_own_entry':
      return '只能申请调整本单位索要或出具证明的事项';
    case 'not_own_unit':
      return '只能以本单位名义申请';
    case 'cancel_with_fields':
      return '取消事项只需填写条目编号、原因、依据和起因日期';
    case 'application_state':
    case 'application_not_found':
      return '申请的状态已经变化，请刷新后再试';
    case 'stale_round':
      return '申请已重新提交，请在新的审核卡片上处理';
    case 'comment_required':
      return '请填写理由';
    default:
      return '内容有误，请检查后重试';
  }
}

export const MSG = {
  cardSource: '免提交清单',
  startTitle: '证明事项清单调整申请',
  startDesc: '请选择调整类型',
  startSub: (unitName: string): string => `申请单位：${unitName}。请在原因发生之日起7个工作日内提出申请。`,
  reminderTitle: '清单调整申请即将到期',
  reminderSub: (due: string, note: string | null): string => `请在${due}前提交证明事项清单调整申请。${note ? `事由：${note}` : ''}`,
  reminderOverdueSub: (due: string, note: string | null): string => `申请时限已于${due}届满，请尽快提交证明事项清单调整申请（将记录为逾期）。${note ? `事由：${note}` : ''}`,
  startButtons: { add: '新增事项', change: '变更事项', cancel: '取消事项' } as Readonly<Record<AdjustmentKind, string>>,
  form: (kind: AdjustmentKind, reasons: readonly string[]): string => {
    const head = `请复制下面的内容，在冒号后填写，然后发送给我（发送“取消”放弃）：\n`;
    const tail = `原因：（${reasonChoices(reasons)}）\n起因日期：YYYY-MM-DD\n说明：（原因为“其他”时必填）`;
    if (kind === 'add') {
      return `${head}【新增事项】\n事项：\n材料：\n出具单位：（单位编码或全称）\n方式：（数据共享 / 告知承诺 / 部门核验 / 其他）\n依据：\n类别：（电子档案 / 纸质档案 / 历史档案，部门核验时填写）\n${tail}`;
    }
    if (kind === 'change') {
      return `${head}【变更事项】只填写要变更的项目；除仅变更免提交方式外，须填写依据\n条目编号：\n事项：\n材料：\n出具单位：\n方式：\n依据：\n类别：\n${tail}`;
    }
    return `${head}【取消事项】\n条目编号：\n依据：\n${tail}`;
  },
  formErrors: (errors: string[]): string => `申请内容有误，请修改后重新发送（发送“取消”放弃）：\n${errors.map((e, i) => `${i + 1}. ${e}`).join('\n')}`,
  formUnknownLabel: (label: string): string => `不认识的项目“${label}”`,
  formMissing: (label: string): string => `请填写“${label}”`,
  formBadMethod: '“方式”应为：数据共享、告知承诺、部门核验或其他',
  formBadCategory: '“类别”应为：电子档案、纸质档案或历史档案',
  formBadReason: (choices: string): string => `“原因”应为其中之一：${choices}`,
  formNoteRequired: '原因为“其他”时，请在“说明”中写明具体情形',
  formBadDate: '“起因日期”应为日期，如 2026-11-20',
  formBadEntryId: '“条目编号”应为清单中的数字编号',
  formNothingToChange: '请至少填写一项要变更的内容',
  formTooLong: (label: string, max: number): string => `“${label}”不能超过${max}个字`,
  formUnknownUnit: (v: string): string => `找不到单位“${v}”，请填写单位编码或全称`,
  confirmTitle: '请确认清单调整申请',
  confirmButtons: { submit: '提交申请', discard: '放弃' },
  submitted: (id: number, late: boolean): string =>
    `申请已提交（申请号 ${id}），请等待联席会议办公室审核。${late ? '本申请已超过7个工作日的申请时限，已如实记录。' : ''}在清单发布前，请由本单位自行选择免提交方式办理，不得要求申请人提交该证明。`,
  submitFailed: (reason: string): string => `申请未能提交：${reason}`,
  discarded: '已放弃本次申请。',
  /** What an open question is about, when it is replaced or cancelled. */
  questionLabel: (kind: 'apply_form' | 'apply_confirm' | 'review_comment', applicationId: number): string =>
    kind === 'review_comment' ? `申请号${applicationId}的审核意见` : '免提交清单调整申请',
  notStaff: '您不在通讯录中，无法申请调整清单，请联系联席会议办公室。',
  staleCard: '该卡片已失效，请重新发起。',
  grey: {
    stale: '已失效',
    failed: '未提交',
    discarded: '已放弃',
    submitted: (id: number): string => `已提交·申请号${id}`,
    chosen: (label: string): string => `已选择：${label}`,
  },
  apiReviewer: '联席会议办公室',
  reviewTitle: '清单调整申请待审核',
  reviewButtons: { approve: '同意', return: '退回修改', reject: '不同意' },
  reviewAsk: (decision: 'return' | 'reject'): string => `请输入${decision === 'return' ? '退回修改' : '不同意'}的理由（发送“取消”放弃）：`,
  reviewAbandoned: '已放弃本次审核，申请仍待审核。',
  reviewDone: (label: string, who: string): string => `已${label}·${who}`,
  reviewAlready: (label: string): string => `已处理：${label}`,
  reviewNotOffice: '只有联席会议办公室成员可以审核。',
  reviewFailed: (reason: string): string => `审核未完成：${reason}`,
  reviewRecorded: (id: number, label: string): string => `已记录：申请号 ${id} ${label}。`,
  decisionToUnit: (id: number, submitted: string, summary: string, label: string, comment: string | null): string =>
    `您单位${submitted}提交的清单调整申请（申请号 ${id}，${summary}）审核结果：${label}。${comment ? `意见：${comment}` : ''}${label === DECISION_LABEL.return ? '请修改后重新提交。' : ''}`,
  publishedToUnit: (n: number, ids: number[]): string => `您单位的清单调整申请（申请号 ${ids.join('、')}）已随第${n}版证明事项免提交清单发布。`,
  causeReminder: (due: string): string => `清单调整申请将于${due}到期，请及时提交。`,
  publicationOverdue: (last: string | null, due: string): string =>
    last === null ? `证明事项免提交清单尚未发布，应于${due}前发布。` : `证明事项免提交清单上次发布于${last}，已超过半年（应于${due}前再次发布），请及时发布新版本。`,
  summary: (kind: AdjustmentKind, serviceItem: string, certificate: string): string => `${KIND_LABEL[kind]}：${serviceItem}／${certificate}`,
  labels: {
    unit: '申请单位',
    kind: '调整类型',
    entry: '条目编号',
    reason: '原因',
    causeDate: '起因日期',
    due: '申请时限',
    late: '逾期',
    method: '方式',
    issuer: '出具单位',
    requester: '索要单位',
    serviceItem: '事项',
    certificate: '材料',
    basis: '依据',
    category: '类别',
    changedMark: '（变更）',
  },
  lateMark: '已超时限',
  /** Only the fields that were wrong or missing are asked again; the rest is kept. */
  formFieldErrors: (errors: string[], lines: string[]): string =>
    `申请内容有误，其余内容已记下。请只发送以下项目（发送“取消”放弃）：\n${errors.map((e, i) => `${i + 1}. ${e}`).join('\n')}${lines.length ? `\n——\n${lines.join('\n')}` : ''}`,
  fieldHint: (key: string, reasons: readonly string[]): string => {
    const hints: Record<string, string> = {
      issuerUnit: '（单位编码或全称）',
      requesterUnit: '（单位编码或全称）',
      method: '（数据共享 / 告知承诺 / 部门核验 / 其他）',
      defaultCategory: '（电子档案 / 纸质档案 / 历史档案）',
      reason: `（${reasons.map((r) => REASON_LABEL[r]).join(' / ')}）`,
      causeDate: 'YYYY-MM-DD',
    };
    return hints[key] ?? '';
  },
  returnedTitle: (id: number): string => `清单调整申请被退回修改·申请号${id}`,
  returnedSub: (summary: string, comment: string | null): string => `${summary}${comment ? `\n意见：${comment}` : ''}\n请修改后重新提交，或撤回申请。`,
  resubmitButtons: { edit: '修改后重新提交', withdraw: '撤回申请' },
  resubmitForm: (id: number, lines: string[], comment: string | null): string =>
    `修改申请号 ${id}：${comment ? `办公室意见：${comment}\n` : ''}请只发送要修改的项目（“标签：内容”，未发送的项目保持不变，发送“取消”放弃）。当前内容：\n${lines.join('\n')}`,
  confirmResubmitTitle: (id: number): string => `请确认重新提交·申请号${id}`,
  resubmitted: (id: number, round: number): string => `申请号 ${id} 已重新提交（第${round}轮），请等待联席会议办公室审核。`,
  withdrawnText: (id: number): string => `申请号 ${id} 已撤回。`,
  resubmitNotOwn: '只有申请单位的工作人员可以修改该申请。',
  resubmitStale: (label: string): string => `该申请当前状态为“${label}”，无法修改。`,
  /** Art. 5: an approved change waits in the working list until the next numbered version. */
  publishNote: (version: number, due: string | null): string => `将随第${version}版证明事项免提交清单发布${due ? `（清单应于${due}前发布）` : ''}，发布前请按本单位免提交方式办理。`,
  issuerTold: (unitName: string, id: number, summary: string, note: string): string => `${unitName}的清单调整申请（申请号 ${id}，${summary}）已同意，涉及贵单位出具的证明。${note}`,
  reviewLabels: { note: '说明', applicant: '申请人', round: '轮次', changed: '本轮修改' },
  roundValue: (n: number): string => `第${n}轮`,
  changeLine: (label: string, from: string, to: string): string => `${label}：${from || '（空）'}→${to || '（空）'}`,
  noChange: '与上一轮相同',
};

/** Sandbox mode's demo list (published at start when no version exists): the demo units only. */
export const DEMO_ENTRIES = [
  { serviceItem: '失业保险金申领', certificate: '户籍证明', requesterUnit: 'RSJ', issuerUnit: 'GAJ', method: 'verification', legalBasis: '《失业保险条例》第十六条', defaultCategory: 'digital' },
  { serviceItem: '个体工商户设立登记', certificate: '无犯罪记录证明', requesterUnit: 'SCJ', issuerUnit: 'GAJ', method: 'verification', legalBasis: '《促进个体工商户发展条例》第八条', defaultCategory: 'paper' },
  { serviceItem: '户口迁移', certificate: '社保缴纳证明', requesterUnit: 'GAJ', issuerUnit: 'RSJ', method: 'sharing', legalBasis: '《户口登记条例》第十条', defaultCategory: 'digital' },
  { serviceItem: '食品经营许可', certificate: '居住证明', requesterUnit: 'SCJ', issuerUnit: 'GAJ', method: 'commitment', legalBasis: '《食品经营许可和备案管理办法》第十二条', defaultCategory: 'digital' },
] as const;
export const DEMO_NOTE = '沙箱演示清单';
