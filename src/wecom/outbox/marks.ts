import { EntityManager } from 'typeorm';
import { OutboxMessage } from '../../../entities/OutboxMessage';
import { GroupCommitter } from '../../db/group-commit';
import { changeRows, placeholders, q, sqlValue } from '../../db/fast-sql';

/** What marking a row sent writes (besides status 'sent' and the claim cleared). */
export type SentValues = Pick<OutboxMessage, 'msgid' | 'responseCode' | 'response' | 'errcode' | 'lastError' | 'sentAt'>;

const COLUMNS: Array<[keyof SentValues, string]> = [
  ['msgid', 'msgid'],
  ['responseCode', 'response_code'],
  ['response', 'response'],
  ['errcode', 'errcode'],
  ['lastError', 'last_error'],
  ['sentAt', 'sent_at'],
];

/**
 * Rows sent at about the same time by the dispatcher's lanes are marked sent together: one
 * UPDATE for the marks that arrive within a millisecond (a group commit, src/db/group-commit.ts),
 * each lane going on once the UPDATE holding its row has committed. Guarded by "not sent yet"
 * only, as a single mark is (the message went out, whoever holds the row now). Resolves
 * true when the row was marked by this UPDATE; when some row of a batch was already marked
 * by another dispatcher, which ones cannot be told apart, and every row of that batch
 * resolves false (they are all marked sent either way).
 */
export class SentMarks {
  private readonly batches: GroupCommitter<{ id: number; values: SentValues }, boolean>;

  constructor(write: <T>(fn: (m: EntityManager) => Promise<T>) => Promise<T>) {
    this.batches = new GroupCommitter(async (items) => {
      const marked = await write((m) => markSent(m, items));
      return items.map(() => marked === items.length);
    });
  }

  mark(id: number, values: SentValues): Promise<boolean> {
    return this.batches.submit({ id, values });
  }

  idle(): Promise<void> {
    return this.batches.idle();
  }
}

/** One UPDATE marking the rows sent (each with its own answer); returns how many it marked. */
async function markSent(m: EntityManager, items: Array<{ id: number; values: SentValues }>): Promise<number> {
  const v = (values: SentValues, p: keyof SentValues) => sqlValue(m, OutboxMessage, p, values[p]);
  const id = q(m, 'id');
  const params: unknown[] = ['sent'];
  let sets: string[];
  if (items.length === 1) {
    sets = COLUMNS.map(([, c]) => `${q(m, c)} = ?`);
    params.push(...COLUMNS.map(([p]) => v(items[0].values, p)));
  } else {
    sets = COLUMNS.map(([p, c]) => {
      for (const it of items) params.push(it.id, v(it.values, p));
      return `${q(m, c)} = CASE ${id}${' WHEN ? THEN ?'.repeat(items.length)} END`;
    });
  }
  params.push(...items.map((it) => it.id), 'sent');
  return changeRows(
    m,
    `UPDATE ${q(m, 'outbox_messages')} SET ${q(m, 'status')} = ?, ${q(m, 'claimed_by')} = NULL, ${q(m, 'claimed_until')} = NULL, ${sets.join(', ')}, ${q(m, 'version')} = ${q(m, 'version')} + 1 WHERE ${id} IN (${placeholders(items.length)}) AND ${q(m, 'status')} <> ?`,
    params,
  );
}
