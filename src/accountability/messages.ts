/**
 * Labels of the accountability records (SPEC 4, 责任追究和容错免责管理办法), for the API and
 * the export.
 */
import type { CaseGround, CaseOutcome, CaseStatus, Employment, ExemptionGround } from '../../entities/AccountabilityCase';

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
