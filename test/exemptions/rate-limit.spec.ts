import { expect } from 'chai';
import { SlidingWindowLimiter } from '../../src/http/rate-limit';

describe('public rate limit (sliding window per client)', () => {
  it('allows the limit, refuses the next with a retry time, per key', () => {
    const l = new SlidingWindowLimiter(3, 60_000);
    const t = 1_000_000_020_000;
    expect([1, 2, 3].map(() => l.hit('a', t).ok)).to.deep.equal([true, true, true]);
    const r = l.hit('a', t);
    expect(r.ok).to.equal(false);
    expect(r.retryAfterS).to.be.within(1, 60);
    expect(l.hit('b', t).ok, 'another client is not affected').to.equal(true);
  });

  it('the previous window counts by its remaining share, then expires', () => {
    const l = new SlidingWindowLimiter(4, 60_000);
    const start = 1_000_000_020_000 - (1_000_000_020_000 % 60_000);
    for (let i = 0; i < 4; i++) expect(l.hit('a', start + 59_000).ok).to.equal(true);
    // 6 s into the next window 90% of the 4 still count: 3.6 + 1 > 4
    expect(l.hit('a', start + 66_000).ok).to.equal(false);
    // 45 s in: 25% of 4 = 1 still counts, so 3 more fit
    expect([1, 2, 3, 4].map(() => l.hit('a', start + 105_000).ok)).to.deep.equal([true, true, true, false]);
    expect(l.hit('a', start + 300_000).ok, 'two windows later all is forgotten').to.equal(true);
  });

  it('memory stays bounded with many clients', () => {
    const l = new SlidingWindowLimiter(1, 60_000, 1000);
    for (let i = 0; i < 5000; i++) l.hit(`c${i}`, 1_000_000_000_000);
    expect((l as unknown as { windows: Map<string, unknown> }).windows.size).to.be.at.most(1000);
  });
});
