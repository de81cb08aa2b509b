/**
 * What the requesting unit sees in WeCom about its request (SPEC 1 Art. 7): the answer,
 * a return with its reason, a longer deadline. Pure; free text is masked (Art. 12).
 */
import type { DeadlineCategory } from '../src/calendar';
import type { VerificationResult } from '../entities/VerificationRequest';
import { maskName, maskIdNumber, maskFreeText } from '../src/verification/mask';
import { CATEGORY_LABEL, RESULT_LABEL } from '../src/verification/messages';
import { VerificationCardView, clip } from './verification.card';
import { shortTime } from '../src/calendar/format';

export interface ResultCardView extends VerificationCardView {
  /** Name of the person who answered (or returned). */
  ownerName: string | null;
}

function common(v: ResultCardView) {
  return [
    { keyname: '核验单位', value: clip(v.issuerUnitName, 30) },
    { keyname: '证明材料', value: clip(v.certificate, 30) },
    { keyname: '申请人', value: `${maskName(v.applicantName)} ${maskIdNumber(v.applicantIdNumber)}` },
  ];
}

export function verificationAnsweredCard(v: ResultCardView, result: VerificationResult, details: string | null, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: result === 'match' ? 0 : 2 },
    main_title: { title: clip(`核验结果 ${v.number}`, 36), desc: clip(`${v.issuerUnitName} 已答复`, 44) },
    emphasis_content: { title: RESULT_LABEL[result], desc: '核验结果' },
    ...(details ? { sub_title_text: clip(maskFreeText(details), 160) } : {}),
    horizontal_content_list: [...common(v), ...(v.ownerName ? [{ keyname: '答复人', value: clip(v.ownerName, 30) }] : [])],
    card_action: { type: 1, url: v.detailUrl },
  };
}

export function verificationReturnedCard(v: ResultCardView, reason: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: 2 },
    main_title: { title: clip(`协查退回 ${v.number}`, 36), desc: clip(`${v.issuerUnitName} 退回了该请求`, 44) },
    emphasis_content: { title: '已退回', desc: '不属于本单位职责等' },
    sub_title_text: clip(`退回原因：${maskFreeText(reason)}`, 160),
    horizontal_content_list: [...common(v), ...(v.ownerName ? [{ keyname: '退回人', value: clip(v.ownerName, 30) }] : [])],
    card_action: { type: 1, url: v.detailUrl },
  };
}

export function verificationDeadlineCard(v: ResultCardView, from: DeadlineCategory, reason: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: 1 },
    main_title: { title: clip(`答复时限调整 ${v.number}`, 36), desc: clip(`${CATEGORY_LABEL[from]} → ${CATEGORY_LABEL[v.category]}`, 44) },
    emphasis_content: { title: clip(shortTime(v.tz, v.dueAt).slice(5), 14), desc: '新的答复截止' },
    sub_title_text: clip(`原因：${maskFreeText(reason)}`, 160),
    horizontal_content_list: common(v),
    card_action: { type: 1, url: v.detailUrl },
  };
}
