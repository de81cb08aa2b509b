import { expect } from 'chai';
import { lanesOf } from '../../src/wecom/outbox';
import { OutboxMessage } from '../../entities';

const row = (id: number, recipients: string) => Object.assign(new OutboxMessage(), { id, recipients });

describe('outbox lanes', () => {
  it('keeps rows with a shared recipient in one lane, in order, and separates the rest', () => {
    const rows = [row(1, 'user:a'), row(2, 'user:b'), row(3, 'user:a|user:c'), row(4, 'user:c'), row(5, 'kf:x'), row(6, ''), row(7, 'kf:x')];
    const lanes = lanesOf(rows).map((l) => l.map((r) => r.id));
    expect(lanes).to.have.deep.members([[1, 3, 4], [2], [5, 7], [6]]);
  });

  it('joins two lanes when a later row links them', () => {
    const lanes = lanesOf([row(1, 'user:a'), row(2, 'user:b'), row(3, 'user:b|user:a')]).map((l) => l.map((r) => r.id));
    expect(lanes).to.deep.equal([[1, 2, 3]]);
  });
});
