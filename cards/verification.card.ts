/**
 * Cards of a verification request for the issuing unit's liaison and deputies
 * (SPEC 1 Art. 7, CONTRACT.md "What people see in WeCom"). Pure: view + now -> template_card.
 * Personal data is masked here, whatever the caller passes (Art. 12).
 */
import type { DeadlineCategory } from '../src/calendar';
import { shortTime } from '../src/calendar/format';
import { PROVISIONAL_NOTE } from '../src/calendar/messages';
import { maskName, maskIdNumber, maskFreeText, maskReply } from '../src/verification/mask';
import { CATEGORY_LABEL, CARD_TEXT, RETURN_REASONS, RESULT_LABEL } from '../src/verification/messages';
import type { VerificationResult } from '../entities/VerificationRequest';
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
  /** What is asked (shortened and masked on the card). */
  question?: string;
  detailUrl: string;
  /** Office time zone, for the deadline shown. */
  tz: string;
}

/** WECOM.md section 3: horizontal values are cut near 30 characters, titles near 36. */
export function clip(s: string, n: number): string {
  // No more UTF-16 units than n: no more characters either (the usual case, without splitting).
  if (s.length <= n) return s;
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

export function applicantLine(v: Pick<VerificationCardView, 'applicantName' | 'applicantIdNumber'>): string {
  return `${maskName(v.applicantName)} ${maskIdNumber(v.applicantIdNumber)}`;
}

/**
 * The title a lock screen shows first (about 40 characters): the other unit, the item and
 * the deadline, so two requests of one unit are told apart without opening them.
 */
export function leadTitle(unitName: string, serviceItem: string, tail: string): string {
  return `${clip(`${clip(unitName, 10)}·${serviceItem}`, 36 - [...tail].length - 1)} ${tail}`;
}

function dueTail(v: VerificationCardView): string {
  return `截止${shortTime(v.tz, v.dueAt).slice(5)}`;
}

/** The question, shortened and masked, for the card (Art. 12). */
function questionText(v: VerificationCardView): Record<string, unknown> {
  return v.question ? { sub_title_text: clip(`核验内容：${maskReply(v.question, [v.applicantName])}`, 60) } : {};
}

export function issuerFields(v: VerificationCardView) {
  return [
    { keyname: '需求单位', value: clip(v.requesterUnitName, 30) },
    { keyname: '服务事项', value: clip(v.serviceItem, 30) },
    { keyname: '证明材料', value: clip(v.certificate, 30) },
    { keyname: '类别', value: CATEGORY_LABEL[v.category] },
    { keyname: '截止时间', value: clip(`${shortTime(v.tz, v.dueAt)}${v.provisional ? PROVISIONAL_NOTE : ''}`, 30) },
    { keyname: '申请人', value: applicantLine(v) },
  ];
}

function actKey(v: VerificationCardView, op: string): string {
  return cardKey('verif_act', `${v.id}:${op}`);
}

/**
 * The request card: number, requesting unit, item, certificate, category, deadline, masked applicant; 受理 / 退回.
 * `why`: why this person got it when they stand in for someone (deputy B while A is away).
 */
export function verificationRequestCard(v: VerificationCardView, taskId: string, now: Date, why: string | null = null): Record<string, unknown> {
  const late = now.getTime() > v.dueAt.getTime();
  return {
    card_type: 'button_interaction',
    source: { desc: '协查核验', desc_color: late ? 2 : 0 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, dueTail(v)), desc: clip(why ? `协查请求 ${v.number}｜${why}` : `协查请求 ${v.number}`, 44) },
    emphasis_content: { title: clip(shortTime(v.tz, v.dueAt).slice(5), 14), desc: late ? '已超过答复时限' : '答复截止' },
    ...questionText(v),
    horizontal_content_list: issuerFields(v),
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
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, clip(outcome, 14)), desc: clip(outcome, 44) },
    horizontal_content_list: [
      { keyname: '需求单位', value: clip(v.requesterUnitName, 30) },
      { keyname: '服务事项', value: clip(v.serviceItem, 30) },
      { keyname: '证明材料', value: clip(v.certificate, 30) },
      { keyname: '申请人', value: applicantLine(v) },
    ],
    card_action: { type: 1, url: v.detailUrl },
  };
}

/** The owner's card once accepted (same task, a whole new card): the five answers of CONTRACT.md. */
export function verificationAnswerCard(v: VerificationCardView, taskId: string, ownerName: string, now: Date): Record<string, unknown> {
  const late = now.getTime() > v.dueAt.getTime();
  return {
    card_type: 'button_interaction',
    source: { desc: '协查核验', desc_color: late ? 2 : 0 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, dueTail(v)), desc: clip(`协查请求 ${v.number} 已由${ownerName}受理，${late ? '已超时，请立即答复' : '请答复'}`, 44) },
    emphasis_content: { title: clip(shortTime(v.tz, v.dueAt).slice(5), 14), desc: late ? '已超过答复时限' : '答复截止' },
    ...questionText(v),
    horizontal_content_list: issuerFields(v),
    card_action: { type: 1, url: v.detailUrl },
    task_id: taskId,
    button_list: [
      { text: CARD_TEXT.match, style: 1, key: actKey(v, 'match') },
      { text: CARD_TEXT.mismatch, style: 2, key: actKey(v, 'mismatch') },
      { text: CARD_TEXT.toPaper, style: 4, key: actKey(v, 'paper') },
      { text: CARD_TEXT.toHistorical, style: 4, key: actKey(v, 'historical') },
      { text: CARD_TEXT.return, style: 3, key: actKey(v, 'return') },
    ],
  };
}

/** After 退回: the preset reasons of Art. 7 and 取消 (a mis-tap is recoverable). */
export function verificationReasonCard(v: VerificationCardView, taskId: string, _now: Date): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: '协查核验', desc_color: 1 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, '选择退回原因'), desc: clip(`协查请求 ${v.number}：请选择退回原因`, 44) },
    ...questionText(v),
    horizontal_content_list: issuerFields(v),
    card_action: { type: 1, url: v.detailUrl },
    task_id: taskId,
    button_list: [
      ...RETURN_REASONS.map((text, i) => ({ text, style: i === RETURN_REASONS.length - 1 ? 4 : 2, key: actKey(v, `reason${i}`) })),
      { text: CARD_TEXT.cancel, style: 4, key: actKey(v, 'undo') },
    ],
  };
}

/** Before an answer is final: the request echoed (number, item, applicant masked) with 确认 / 取消. */
export function verificationConfirmCard(v: VerificationCardView, taskId: string, result: VerificationResult, details: string | null, _now: Date): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: '协查核验', desc_color: result === 'match' ? 0 : 2 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, `确认核验${RESULT_LABEL[result]}？`), desc: clip(`协查请求 ${v.number} 申请人 ${maskName(v.applicantName)}`, 44) },
    emphasis_content: { title: `核验${RESULT_LABEL[result]}`, desc: '请核对后确认' },
    ...(details ? { sub_title_text: clip(`情况说明：${maskFreeText(details)}`, 160) } : questionText(v)),
    horizontal_content_list: issuerFields(v),
    card_action: { type: 1, url: v.detailUrl },
    task_id: taskId,
    button_list: [
      { text: CARD_TEXT.confirm, style: 1, key: actKey(v, `confirm_${result}`) },
      { text: CARD_TEXT.cancel, style: 2, key: actKey(v, 'back') },
    ],
  };
}

/** Answered: what was sent, and 撤回 while the correction window is open. */
export function verificationAnsweredOwnerCard(v: VerificationCardView, taskId: string, result: VerificationResult, withdrawMinutes: number, _now: Date): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: '协查核验', desc_color: 0 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, `${CARD_TEXT.answered}：核验${RESULT_LABEL[result]}`), desc: clip(`协查请求 ${v.number} ${withdrawMinutes}分钟内可撤回`, 44) },
    horizontal_content_list: issuerFields(v),
    card_action: { type: 1, url: v.detailUrl },
    task_id: taskId,
    button_list: [{ text: CARD_TEXT.withdraw, style: 2, key: actKey(v, 'withdraw') }],
  };
}
