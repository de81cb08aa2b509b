/** Chinese text of the supervision figures (SPEC 1 Art. 13): export headers and the weekly summary. */
import { CATEGORY_SHORT } from '../verification/messages';
import { STATUS_LABEL as CASE_STATUS_LABEL } from '../accountability/messages';
import { STATUS_LABEL as REQUEST_STATUS_LABEL } from '../verification/messages';

export { CATEGORY_SHORT, CASE_STATUS_LABEL, REQUEST_STATUS_LABEL };

export const XLSX = {
  sheets: { units: '单位统计', people: '个人统计', overdue: '超时明细', automatic: '数据自动答复' },
  automatic: ['月份', '单位代码', '单位名称', '协查件数', '数据自动答复', '自动答复占比(%)'],
  allUnits: '全部单位',
  figures: {
    requests: '协查件数',
    answered: '已答复',
    returned: '已退回',
    openInTime: '办理中（未超时）',
    onTime: '按时办结',
    overdue: '超时（计入考核）',
    exempted: '超时已免责',
    onTimeRate: '按时办结率',
    medianMinutes: '答复用时中位数（办公分钟）',
    p90Minutes: '答复用时P90（办公分钟）',
  },
  unit: '单位代码',
  unitName: '单位名称',
  userid: '人员账号',
  name: '姓名',
  number: '编号',
  issuer: '核验单位',
  requester: '需求单位',
  category: '类别',
  status: '状态',
  dueAt: '答复截止',
  closedAt: '办结时间',
  person: '责任人',
  caseStatus: '追责状态',
  counts: '计入考核',
  yes: '是',
  no: '否',
  period: (from: string, to: string) => `统计期间：${from} 至 ${to}`,
} as const;

function pct(r: number | null): string {
  return r === null ? '—' : `${(r * 100).toFixed(1)}%`;
}

function mins(n: number | null): string {
  return n === null ? '—' : `${n}分钟`;
}

export const WEEKLY = {
  title: (from: string, to: string) => `### 协查核验周报（${from.slice(5)} 至 ${to.slice(5)}）`,
  totals: (requests: number, onTimeRate: number | null, overdue: number, exempted: number) =>
    `> 协查 ${requests} 件，按时办结率 ${pct(onTimeRate)}，超时 <font color="warning">${overdue}</font> 件${exempted ? `（另有 ${exempted} 件已免责）` : ''}`,
  times: (median: number | null, p90: number | null) => `> 答复用时中位数 ${mins(median)}，P90 ${mins(p90)}（按办公时间计）`,
  worstHeader: '超时较多的单位：',
  worstLine: (name: string, overdue: number, rate: number | null) => `> ${name}：超时 ${overdue} 件，按时率 ${pct(rate)}`,
  noOverdue: '> 本周无超时协查。',
  openEscalations: (n: number, consoleUrl: string) => `尚未办结的超时协查：${n} 件（详见督办卡片或 [办公室控制台](${consoleUrl})）`,
} as const;
