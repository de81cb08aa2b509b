/**
 * Labels of the accountability records (SPEC 4, 责任追究和容错免责管理办法), for the API and
 * the export.
 */
import type { CaseGround, CaseOutcome, CaseStatus, ExemptionGround } from '../../entities/AccountabilityCase';

/** Art. 4 grounds the system records. */
export const GROUND_LABEL: Record<CaseGround, string> = {
  verification_overdue: '未在规定时间内完成部门核验（第四条第三项）',
  order_overdue: '未在责成时限内办结（核验实施办法第十一条）',
  complaint_upheld: '投诉举报查证属实',
  other: '其他',
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
