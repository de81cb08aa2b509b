/**
 * What the requesting unit sees in WeCom about its request (SPEC 1 Art. 7): the answer,
 * a return with its reason, a longer deadline. Pure; free text is masked (Art. 12).
 */
import type { DeadlineCategory } from '../src/calendar';
import type { VerificationResult } from '../entities/VerificationRequest';
import { maskName, maskIdNumber, maskFreeText } from '../src/verification/mask';
import { CATEGORY_LABEL, RESULT_LABEL } from '../src/verification/messages';
import { VerificationCardView, clip, leadTitle } from './verification.card';
import { shortTime } from '../src/calendar/format';

export interface ResultCardView extends VerificationCardView {
  /** Name of the person who answered (or returned). */
  ownerName: string | null;
}

function common(v: ResultCardView) {
  return [
    { keyname: '核验单位', value: clip(v.issuerUnitName, 30) },
    { keyname: '服务事项', value: clip(v.serviceItem, 30) },
    { keyname: '证明材料', value: clip(v.certificate, 30) },
    { keyname: '申请人', value: `${maskName(v.applicantName)} ${maskIdNumber(v.applicantIdNumber)}` },
  ];
}

export function verificationAnsweredCard(v: ResultCardView, result: VerificationResult, details: string | null, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: result === 'match' ? 0 : 2 },
    main_title: { title: leadTitle(v.issuerUnitName, v.serviceItem, `核验${RESULT_LABEL[result]}`), desc: clip(`核验结果 ${v.number} 已答复`, 44) },
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
    main_title: { title: leadTitle(v.issuerUnitName, v.serviceItem, '已退回'), desc: clip(`退回原因：${maskFreeText(reason)}`, 44) },
    emphasis_content: { title: '已退回', desc: clip(maskFreeText(reason), 22) },
    sub_title_text: clip(`退回原因：${maskFreeText(reason)}`, 160),
    horizontal_content_list: [...common(v), ...(v.ownerName ? [{ keyname: '退回人', value: clip(v.ownerName, 30) }] : [])],
    card_action: { type: 1, url: v.detailUrl },
  };
}

export function verificationDeadlineCard(v: ResultCardView, from: DeadlineCategory, reason: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: 1 },
    main_title: { title: leadTitle(v.issuerUnitName, v.serviceItem, `改截止${shortTime(v.tz, v.dueAt).slice(5)}`), desc: clip(`${v.number} ${CATEGORY_LABEL[from]} → ${CATEGORY_LABEL[v.category]}`, 44) },
    emphasis_content: { title: clip(shortTime(v.tz, v.dueAt).slice(5), 14), desc: '新的答复截止' },
    sub_title_text: clip(`原因：${maskFreeText(reason)}`, 160),
    horizontal_content_list: common(v),
    card_action: { type: 1, url: v.detailUrl },
  };
}

/** The requesting unit is told its request was accepted, and by whom (who to call). */
export function verificationAcceptedCard(v: ResultCardView, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: 0 },
    main_title: { title: leadTitle(v.issuerUnitName, v.serviceItem, '已受理'), desc: clip(`协查请求 ${v.number} 截止 ${shortTime(v.tz, v.dueAt).slice(5)}`, 44) },
    emphasis_content: { title: clip(shortTime(v.tz, v.dueAt).slice(5), 14), desc: '答复截止' },
    horizontal_content_list: [...common(v), ...(v.ownerName ? [{ keyname: '受理人', value: clip(v.ownerName, 30) }] : [])],
    card_action: { type: 1, url: v.detailUrl },
  };
}

/** An answer taken back within its window: the earlier result no longer stands. */
export function verificationWithdrawnCard(v: ResultCardView, result: VerificationResult, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: '协查核验', desc_color: 2 },
    main_title: { title: leadTitle(v.issuerUnitName, v.serviceItem, '答复已撤回'), desc: clip(`更正：${v.number} 此前的“核验${RESULT_LABEL[result]}”作废，请等待重新答复`, 44) },
    emphasis_content: { title: '答复已撤回', desc: '以重新答复为准' },
    horizontal_content_list: common(v),
    card_action: { type: 1, url: v.detailUrl },
  };
}
