/** The one open question per person, and what answers it. */
export { ask, current, close, closeSubject, dataOf, askText } from './store';
export type { AskInput } from './store';
export { Conversation, conversationOf } from './registry';
export type { Answerer, Command, TextOutcome } from './registry';
export { QUESTION_TTL_MS, ttlOf } from './ttl';
export type { QuestionKind, QuestionModule } from './ttl';
export { CONVERSATION } from './messages';
