import { EntityManager } from 'typeorm';
import { z } from 'zod';
import { ExemptionComment, ExemptionEntry } from '../../entities';
import { AppError } from '../errors';
import { SlidingWindowLimiter } from '../http/rate-limit';

/** A public comment on the list (Art. 12): the same rules for the API and the public page. */
export const commentBody = z
  .object({
    content: z.string().trim().min(1).max(1000),
    entryId: z.number().int().positive().optional(),
    name: z.string().trim().max(32).optional(),
    contact: z.string().trim().max(64).optional(),
  })
  .strict();
export type CommentInput = z.infer<typeof commentBody>;

/** Comments per client IP per minute, shared by POST /api/v1/exemptions/comments and the public page's form. */
export const COMMENT_LIMIT = { limit: 10, windowMs: 60_000 };
const limiters = new WeakMap<object, SlidingWindowLimiter>();

/** One limiter per running system (keyed by its data source), so both entry points count together. */
export function commentLimiter(owner: object): SlidingWindowLimiter {
  let l = limiters.get(owner);
  if (!l) limiters.set(owner, (l = new SlidingWindowLimiter(COMMENT_LIMIT.limit, COMMENT_LIMIT.windowMs)));
  return l;
}

export async function saveComment(m: EntityManager, body: CommentInput, now: Date): Promise<ExemptionComment> {
  if (body.entryId && !(await m.getRepository(ExemptionEntry).findOneBy({ id: body.entryId }))) {
    throw new AppError('validation_failed', `entryId: no list entry ${body.entryId}`);
  }
  return m.getRepository(ExemptionComment).save({ entryId: body.entryId ?? null, content: body.content, name: body.name || null, contact: body.contact || null, status: 'new', readBy: null, createdAt: now });
}

/** Newest first; status 'new' or 'read' filters. */
export async function listComments(m: EntityManager, status?: string, limit = 200): Promise<ExemptionComment[]> {
  const qb = m.getRepository(ExemptionComment).createQueryBuilder('c').orderBy('c.id', 'DESC').limit(limit);
  if (status) qb.where('c.status = :s', { s: status });
  return qb.getMany();
}

export async function markCommentRead(m: EntityManager, id: number, by: string): Promise<void> {
  const res = await m.getRepository(ExemptionComment).update({ id }, { status: 'read', readBy: by.slice(0, 100) });
  if (!res.affected) throw new AppError('exemption_not_found', `no comment ${id}`);
}
