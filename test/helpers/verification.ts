import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { OutboxMessage, VerificationRequest, VerificationEvent } from '../../entities';
import { Harness } from './system';

/** Everything observable that a refused input must leave unchanged. */
export interface Snapshot {
  requests: string;
  events: number;
  outbox: number;
  delivered: number;
  updates: number;
}

export async function snapshot(h: Harness): Promise<Snapshot> {
  const ds: DataSource = h.sys.dataSource;
  const requests = await ds.getRepository(VerificationRequest).find({ order: { id: 'ASC' } });
  return {
    requests: JSON.stringify(requests.map((r) => ({ id: r.id, status: r.status, assignee: r.assignee, category: r.category, dueAt: r.dueAt.getTime(), result: r.result, returnReason: r.returnReason, version: r.version }))),
    events: await ds.getRepository(VerificationEvent).count(),
    outbox: await ds.getRepository(OutboxMessage).count(),
    delivered: h.emu.delivered().length,
    updates: h.emu.cardUpdates().length,
  };
}

/** Asserts nothing changed and nothing was sent since `before`. */
export async function expectUnchanged(h: Harness, before: Snapshot): Promise<void> {
  await h.sys.settle();
  expect(await snapshot(h)).to.deep.equal(before);
}
