export type { OutboxChannel } from '../../../entities/OutboxMessage';
export { enqueue, enqueueMany, onEnqueueCommitted, recipientsOf, rewritePending, type EnqueueMessage, type EnqueueManyResult } from './write';
export { OutboxDispatcher, type OutboxDispatcherOptions, type RunResult } from './dispatcher';
export { PERMANENT_ERRCODES } from './policy';
export { kfMsgId, lanesOf, tagDistinct } from './send-shape';
