import { EntityManager, LessThanOrEqual } from 'typeorm';
import { OpenQuestion } from '../../entities';
import { QuestionKind, QuestionModule, ttlOf } from './ttl';
import { CONVERSATION } from './messages';

export interface AskInput<M extends QuestionModule> {
  person: string;
  module: M;
  /** What the question is about in the module's terms (request id, complaint id, ...). */
  subject: string;
  kind: QuestionKind<M>;
  /** What it is about, as the person reads it ("投诉 TS… 的办结结果"). */
  label: string;
  data?: object;
  /** The card click that asked, when its card is updated once the answer arrives. */
  responseCode?: string | null;
  now: Date;
}

/**
 * Asks the person a question: their next text answers it. Replaces any older question of
 * theirs and returns it when it was still live, so the caller can tell them which
 * question the next message now answers.
 */
export async function ask<M extends QuestionModule>(m: EntityManager, q: AskInput<M>): Promise<OpenQuestion | null> {
  const repo = m.getRepository(OpenQuestion);
  const older = await current(m, q.person, q.now);
  await repo.delete({ userid: q.person });
  await repo.insert({
    userid: q.person,
    module: q.module,
    subject: q.subject,
    kind: q.kind,
    label: q.label.slice(0, 200),
    data: JSON.stringify(q.data ?? {}),
    responseCode: q.responseCode || null,
    askedAt: q.now,
    expiresAt: new Date(q.now.getTime() + ttlOf(q.module, q.kind)),
  });
  return older;
}

/** The person's live question, or null (an expired one is removed). */
export async function current(m: EntityManager, person: string, now: Date): Promise<OpenQuestion | null> {
  const q = await m.getRepository(OpenQuestion).findOneBy({ userid: person });
  if (!q) return null;
  if (q.expiresAt.getTime() <= now.getTime()) {
    await m.getRepository(OpenQuestion).delete({ userid: person, expiresAt: LessThanOrEqual(now) });
    return null;
  }
  return q;
}

export async function close(m: EntityManager, person: string): Promise<void> {
  await m.getRepository(OpenQuestion).delete({ userid: person });
}

/** Closes everyone's question about a subject (the request or case moved on without them). */
export async function closeSubject(m: EntityManager, module: QuestionModule, subject: string): Promise<void> {
  await m.getRepository(OpenQuestion).delete({ module, subject });
}

export function dataOf<T>(q: OpenQuestion): T {
  return JSON.parse(q.data) as T;
}

/**
 * The text of a new question, with a note when it replaced a different live question
 * (asking the same thing again is not worth a note).
 */
export function askText(text: string, replaced: OpenQuestion | null, asked: { module: string; subject: string; kind: string }): string {
  if (!replaced) return text;
  if (replaced.module === asked.module && replaced.subject === asked.subject && replaced.kind === asked.kind) return text;
  return `${text}\n${CONVERSATION.replaced(replaced.label)}`;
}
