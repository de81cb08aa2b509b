/**
 * The card office members receive when an agency applies for an extension (投诉举报办法
 * Art. 10): who applied, for how many working days, why, and the deadline it would move;
 * 同意 / 不同意. Pure: view + options -> template_card JSON, deterministic task_id.
 */
import { cardTime, clipChars, complaintButtonKey } from './complaint.card';
import { maskFreeText } from '../src/verification/mask';

export interface ComplaintExtensionCardView {
  complaintId: number;
  number: string;
  agencyName: string;
  days: number;
  reason: string;
  dueAt: Date;
  extensionId: number;
  requestedAt: Date;
}

/** One card per application. */
export function complaintExtensionTaskId(v: Pick<ComplaintExtensionCardView, 'extensionId' | 'requestedAt'>): string {
  return `cplext${v.extensionId}_${v.requestedAt.getTime().toString(36)}`;
}

/** What greys the card once decided. */
export const EXTENSION_DECIDED_LABEL = { granted: '已同意延期', refused: '已不同意延期', lapsed: '申请已失效' } as const;

export function complaintExtensionCard(v: ComplaintExtensionCardView, opts: { tz: string }): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: '投诉举报 · 延期申请', desc_color: 1 },
    main_title: { title: `延期申请 ${v.number}`, desc: '投诉举报办法第十条：由联席会议办公室审批' },
    emphasis_content: { title: `${v.days}个工作日`, desc: '申请延期' },
    sub_title_text: clipChars(maskFreeText(`延期理由：${v.reason}`), 150),
    horizontal_content_list: [
      { keyname: '被投诉单位', value: clipChars(v.agencyName, 28) },
      { keyname: '现办理期限', value: cardTime(opts.tz, v.dueAt) },
      { keyname: '申请时间', value: cardTime(opts.tz, v.requestedAt) },
    ],
    task_id: complaintExtensionTaskId(v),
    button_list: [
      { text: '同意', style: 1, key: complaintButtonKey('extgrant', v.complaintId) },
      { text: '不同意', style: 2, key: complaintButtonKey('extrefuse', v.complaintId) },
    ],
  };
}
