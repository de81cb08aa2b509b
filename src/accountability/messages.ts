/**
 * Labels of the accountability records (SPEC 4, 责任追究和容错免责管理办法), for the API and
 * the export.
 */
import type { AppealState, CaseGround, CaseOutcome, CaseStatus, DecidingBody, Employment, ExemptionGround, ExemptionState } from '../../entities/AccountabilityCase';

/** Art. 4 grounds the system records. */
export const GROUND_LABEL: Record<CaseGround, string> = {
  verification_overdue: '未在规定时间内完成部门核验（第四条第三项）',
  order_overdue: '未在责成时限内办结（核验实施办法第十一条）',
  complaint_upheld: '投诉举报查证属实',
  other: '其他',
  unauthorised_certificate: '擅自要求申请人提供证明（第四条第一项）',
  unauthorised_change: '擅自变更证明事项办理方式（第四条第二项）',
  verification_late: '未在规定时间内完成部门核验（第四条第三项）',
  falsification: '在证明查询、开具、核验、代办等工作中弄虚作假（第四条第四项）',
  commitment_unchecked: '未按规定对告知承诺事项申请人进行检查验收（第四条第五项）',
  other_serious: '造成严重后果、依法应当追究责任的其他行为（第四条第六项）',
};

/** Art. 2: 借用、聘用、挂职 staff are covered as well. */
export const EMPLOYMENT_LABEL: Record<Employment, string> = {
  staff: '在编人员',
  borrowed: '借用人员',
  hired: '聘用人员',
  seconded: '挂职人员',
};

/** Art. 5 (一)-(四). */
export const OUTCOME_LABEL: Record<CaseOutcome, string> = {
  rectify: '责令限期整改',
  written_review: '责令书面检查',
  circulated_criticism: '通报批评',
  disciplinary: '依法依规处理',
};

/** Art. 8 (一)-(五). */
export const EXEMPTION_LABEL: Record<ExemptionGround, string> = {
  reform_direction: '符合中央及省市县确定的改革方向',
  no_prohibition_breached: '未违反法律法规规章的禁止性、义务性规定',
  due_decision: '依法经过科学、民主决策',
  harm_remedied: '主动挽回损失、消除不良影响或有效阻止危害结果发生',
  other_lawful: '其他依法不予追究责任的情形',
};

export const STATUS_LABEL: Record<CaseStatus, string> = {
  open: '待处理',
  decided: '已追责',
  exempted: '已免责（不影响考核）',
  revoked: '复核撤销',
};

/** Art. 5: the bodies with accountability functions. */
export const BODY_LABEL: Record<DecidingBody, string> = {
  discipline_inspection: '纪检监察机关',
  organisation_personnel: '组织人事部门',
  supervising_unit: '主管单位',
  own_unit: '所在单位',
};

/** Art. 6: the result of a review or appeal. */
export const APPEAL_LABEL: Record<AppealState, string> = {
  pending: '复核（申诉）办理中，原决定不停止执行',
  upheld: '维持原决定',
  revised: '变更处理方式',
  revoked: '撤销原决定',
};

/** Art. 7-11. */
export const EXEMPTION_STATE_LABEL: Record<ExemptionState, string> = {
  applied: '已申请容错免责，待调查核实',
  approved: '免责已批准并备案（不影响年度考核等）',
  rejected: '免责申请未获批准',
};

/** Steps of a case in the export and the API. */
export const EVENT_LABEL: Record<string, string> = {
  opened: '立案',
  decided: '作出处理决定',
  appealed: '申请复核（申诉）',
  appeal_decided: '复核（申诉）结果',
  exemption_applied: '申请容错免责',
  exemption_investigated: '免责调查核实',
  exemption_approved: '免责批准并备案',
  exemption_rejected: '免责未获批准',
  exempted: '免责批准并备案',
};

/** What the person concerned reads in WeCom: labels only, never codes. */
export const CARD = {
  source: '责任追究和容错免责',
  title: (id: number) => `责任追究 第${id}号`,
  opened: '你被列为以下事项的责任人员',
  decided: '处理决定已作出',
  appealResult: '复核（申诉）结果',
  exemptionResult: '容错免责申请结果',
  ground: '事由',
  unit: '单位',
  outcome: '处理决定',
  body: '决定机关',
  rectifyBy: '整改期限',
  appeal: '复核结果',
  exemption: '免责结果',
  approver: '批准机关',
  stands: '复核（申诉）期间原决定不停止执行',
  appealButton: '申请复核/申诉',
  exemptButton: '申请容错免责',
  okButton: '知道了',
  seen: '已阅',
  asked: '已在对话中作答',
} as const;

export const TEXT = {
  askAppeal: (id: number) => `请直接回复申请复核（申诉）的理由（第${id}号责任追究事项）。复核期间原决定不停止执行。回复「取消」放弃。`,
  askExemption: (id: number, grounds: string) => `请回复容错免责情形的序号及说明（第${id}号责任追究事项），例如「4 当日已补办并说明情况」。\n${grounds}\n回复「取消」放弃。`,
  exemptionFormat: '格式不对：请回复序号（1-5）加一段说明，例如「4 当日已补办并说明情况」。',
  appealFiled: (id: number) => `已提交第${id}号事项的复核（申诉）申请，由联席会议办公室登记结果。原决定在此期间不停止执行。`,
  exemptionFiled: (id: number) => `已提交第${id}号事项的容错免责申请，由追责机关调查核实后报批。`,
  notYours: '该事项的责任人员不是你，无法代为申请。',
  refused: (why: string) => `未能提交：${why}`,
  label: (id: number, what: string) => `第${id}号责任追究事项的${what}`,
} as const;

/** Why a step is refused, as the person reads it. */
export const REFUSAL: Record<string, string> = {
  accountability_invalid_state: '该事项当前状态下不能办理此项申请',
  accountability_not_party: '只有该事项的单位或责任人员本人可以申请',
};

/** Export headings (xlsx). */
export const XLSX = {
  sheet: '责任追究台账',
  title: '责任追究和容错免责台账',
  headers: ['编号', '事由', '单位', '责任人员', '人员类别', '状态', '计入考核', '处理决定', '决定机关', '复核（申诉）', '容错免责', '批准机关', '步骤', '时间', '办理人', '说明'],
  yes: '是',
  no: '否',
} as const;
