export type { OutboxChannel } from '../../../entities/OutboxMessage';
export { enqueue, enqueueMany, enqueueRows, onEnqueueCommitted, recipientsOf, rewritePending, shapeOutboxRow, type EnqueueMessage, type EnqueueManyResult, type OutboxRow } from './write';
export { OutboxDispatcher, type OutboxDispatcherOptions, type RunResult } from './dispatcher';
export { PERMANENT_ERRCODES } from './policy';
export { kfMsgId, lanesOf, tagDistinct } from './send-shape';
