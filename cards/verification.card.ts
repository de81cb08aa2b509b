/**
 * Cards of a verification request for the issuing unit's liaison and deputies
 * (SPEC 1 Art. 7, CONTRACT.md "What people see in WeCom"). Pure: view + now -> template_card.
 * Personal data is masked here, whatever the caller passes (Art. 12).
 */
import type { DeadlineCategory } from '../src/calendar';
import { shortTime } from '../src/calendar/format';
import { PROVISIONAL_NOTE } from '../src/calendar/messages';
import { maskName, maskIdNumber } from '../src/verification/mask';
import { CATEGORY_LABEL, CARD_TEXT } from '../src/verification/messages';
import { cardKey } from './keys';

export interface VerificationCardView {
  id: number;
  number: string;
  requesterUnitName: string;
  issuerUnitName: string;
  serviceItem: string;
  certificate: string;
  category: DeadlineCategory;
  dueAt: Date;
  /** The deadline was counted on a year derived from the holiday regulation. */
  provisional?: boolean;
  /** Full values: the card masks them. */
  applicantName: string;
  applicantIdNumber: string;
  detailUrl: string;
  /** Office time zone, for the deadline shown. */
  tz: string;
}

/** WECOM.md section 3: horizontal values are cut near 30 characters, titles near 36. */
export function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

function applicantLine(v: VerificationCardView): string {
  return `${maskName(v.applicantName)} ${maskIdNumber(v.applicantIdNumber)}`;
}

/** The request card: number, requesting unit, item, certificate, category, deadline, masked applicant; 受理 / 退回. */
export function verificationRequestCard(v: VerificationCardView, taskId: string, now: Date): Record<string, unknown> {
  const late = now.getTime() > v.dueAt.getTime();
  return {
    card_type: 'button_interaction',
    source: { desc: '协查核验', desc_color: late ? 2 : 0 },
    main_title: { title: clip(`协查请求 ${v.number}`, 36), desc: clip(`${v.requesterUnitName} 请求核验`, 44) },
    emphasis_content: { title: clip(shortTime(v.tz, v.dueAt).slice(5), 14), desc: late ? '已超过答复时限' : '答复截止' },
    horizontal_content_list: [
      { keyname: '需求单位', value: clip(v.requesterUnitName, 30) },
      { keyname: '服务事项', value: clip(v.serviceItem, 30) },
      { keyname: '证明材料', value: clip(v.certificate, 30) },
      { keyname: '类别', value: CATEGORY_LABEL[v.category] },
      { keyname: '截止时间', value: clip(`${shortTime(v.tz, v.dueAt)}${v.provisional ? PROVISIONAL_NOTE : ''}`, 30) },
      { keyname: '申请人', value: applicantLine(v) },
    ],
    jump_list: [{ type: 1, title: '查看详情（需登录）', url: v.detailUrl }],
    card_action: { type: 1, url: v.detailUrl },
    task_id: taskId,
    button_list: [
      { text: CARD_TEXT.accept, style: 1, key: cardKey('verif_accept', v.id) },
      { text: CARD_TEXT.return, style: 2, key: cardKey('verif_return', v.id) },
    ],
  };
}

/**
 * A fresh card without buttons, for a recipient whose card can no longer be updated
 * (response_code used or older than 72 h, WECOM.md section 4): it states who took it.
 */
export function verificationClosedCard(v: VerificationCardView, outcome: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: 0 },
    main_title: { title: clip(`协查请求 ${v.number}`, 36), desc: clip(outcome, 44) },
    horizontal_content_list: [
      { keyname: '需求单位', value: clip(v.requesterUnitName, 30) },
      { keyname: '证明材料', value: clip(v.certificate, 30) },
      { keyname: '申请人', value: applicantLine(v) },
    ],
    card_action: { type: 1, url: v.detailUrl },
  };
}
