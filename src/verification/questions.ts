import { EntityManager } from 'typeorm';
import { VerificationRequest } from '../../entities';
import type { DeadlineCategory } from '../calendar';
import { ask, askText } from '../conversation';
import { TEXT } from './messages';
import { queueText } from './notify';

export type VerificationQuestion = 'mismatch_details' | 'return_reason' | 'category_reason';

/** What a verification question carries: the new category of a category move. */
export interface QuestionData {
  to?: DeadlineCategory;
}

function askingText(kind: VerificationQuestion, req: VerificationRequest, to: DeadlineCategory | null): string {
  if (kind === 'mismatch_details') return TEXT.askMismatch(req.number);
  if (kind === 'return_reason') return TEXT.askReturnReason(req.number);
  return TEXT.askCategoryReason(req.number, to!);
}

/**
 * Asks the owner for details or a reason in the chat: their next text answers it (one open
 * question per person, src/conversation). Says so, and which older question it replaced.
 */
export async function askVerification(m: EntityManager, person: string, req: VerificationRequest, kind: VerificationQuestion, to: DeadlineCategory | null, now: Date): Promise<void> {
  const subject = String(req.id);
  const data: QuestionData = to ? { to } : {};
  const replaced = await ask(m, { person, module: 'verification', subject, kind, label: TEXT.questionLabel(kind, req.number), data, now });
  await queueText(m, person, askText(askingText(kind, req, to), replaced, { module: 'verification', subject, kind }), now, subject);
}
