import { EntityManager } from 'typeorm';
import { VerificationRequest } from '../../entities';
import type { VerificationResult, VerificationStatus } from '../../entities/VerificationRequest';
import type { DeadlineCategory } from '../calendar';
import { ask, askText } from '../conversation';
import { maskName } from './mask';
import { TEXT } from './messages';
import { queueText } from './notify';
import { aboutForIssuer } from './common';

export type VerificationQuestion = 'mismatch_details' | 'return_reason' | 'category_reason' | 'confirm_answer';

/** What a verification question carries. */
export interface QuestionData {
  /** category_reason: the new category. */
  to?: DeadlineCategory;
  /** return_reason: where 取消 takes the request back to; `other`: the 其他 button was tapped. */
  from?: VerificationStatus;
  other?: boolean;
  /** confirm_answer: the answer waiting for 确认. */
  result?: VerificationResult;
  details?: string | null;
}

function askingText(kind: VerificationQuestion, a: string, req: VerificationRequest, data: QuestionData): string {
  if (kind === 'mismatch_details') return TEXT.askMismatch(a);
  if (kind === 'return_reason') return data.other ? TEXT.askOtherReason(a) : TEXT.askReturnReason(a);
  if (kind === 'confirm_answer') return TEXT.askConfirm(a, maskName(req.applicantName), data.result!, data.details ?? null);
  return TEXT.askCategoryReason(a, data.to!);
}

/**
 * Asks the owner for details, a reason or a confirmation in the chat: their next text
 * answers it (one open question per person, src/conversation). Says so, and which older
 * question it replaced. `responseCode`: the click that asked, to update that card later.
 */
export async function askVerification(
  m: EntityManager,
  person: string,
  req: VerificationRequest,
  kind: VerificationQuestion,
  data: QuestionData,
  now: Date,
  responseCode: string | null = null,
): Promise<void> {
  const subject = String(req.id);
  const a = await aboutForIssuer(m, req);
  const replaced = await ask(m, { person, module: 'verification', subject, kind, label: TEXT.questionLabel(kind, a), data, responseCode, now });
  await queueText(m, person, askText(askingText(kind, a, req, data), replaced, { module: 'verification', subject, kind }), now, subject);
}
