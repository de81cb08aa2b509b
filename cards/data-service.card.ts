/**
 * The issuing unit's card after its data service answered a request on its behalf (秒核,
 * issue 15): the result, the service's reply (masked, Art. 12) and 改判 until the original
 * deadline. Pure: view + now -> template_card.
 */
import type { VerificationResult } from '../entities/VerificationRequest';
import { shortTime } from '../src/calendar/format';
import { maskReply } from '../src/verification/mask';
import { RESULT_LABEL } from '../src/verification/messages';
import { VerificationCardView, clip, issuerFields, leadTitle } from './verification.card';
import { cardKey } from './keys';

export function autoAnsweredCard(v: VerificationCardView, taskId: string, result: VerificationResult, reply: string | null, _now: Date): Record<string, unknown> {
  const due = shortTime(v.tz, v.dueAt).slice(5);
  return {
    card_type: 'button_interaction',
    source: { desc: '协查核验·数据自动答复', desc_color: result === 'match' ? 0 : 2 },
    main_title: { title: leadTitle(v.requesterUnitName, v.serviceItem, `自动答复核验${RESULT_LABEL[result]}`), desc: clip(`协查请求 ${v.number} 系统已代答，${due}前可改判`, 44) },
    emphasis_content: { title: `核验${RESULT_LABEL[result]}`, desc: '数据服务自动答复' },
    ...(reply ? { sub_title_text: clip(`答复内容：${maskReply(reply, [v.applicantName])}`, 160) } : {}),
    horizontal_content_list: issuerFields(v),
    card_action: { type: 1, url: v.detailUrl },
    task_id: taskId,
    button_list: [{ text: '改判', style: 2, key: cardKey('verif_act', `${v.id}:override`) }],
  };
}
