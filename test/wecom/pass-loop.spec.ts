import { expect } from 'chai';
import { PassLoop } from '../../src/wecom/pass-loop';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('PassLoop', () => {
  it('runs a pass at start, then waits the interval unless nudged', async () => {
    let passes = 0;
    const loop = new PassLoop(async () => ++passes, () => false, () => undefined);
    loop.start(60_000);
    await tick();
    expect(passes).to.equal(1);
    await tick();
    expect(passes).to.equal(1);
    loop.nudge();
    await tick();
    expect(passes).to.equal(2);
    await loop.stop();
    loop.nudge();
    await tick();
    expect(passes).to.equal(2);
  });

  it('shares one pass between concurrent runOnce calls and runs again at once after a busy pass', async () => {
    let passes = 0;
    const loop = new PassLoop(async () => {
      await tick(5);
      return ++passes;
    }, (n) => n < 3, () => undefined);
    const [a, b] = await Promise.all([loop.runOnce(), loop.runOnce()]);
    expect([a, b]).to.deep.equal([1, 1]);
    loop.start(60_000);
    await tick(100);
    expect(passes).to.equal(3);
    await loop.stop();
  });

  it('keeps going after a failed pass and reports the error', async () => {
    const errors: string[] = [];
    let n = 0;
    const loop = new PassLoop(async () => {
      if (++n === 1) throw new Error('boom');
      return n;
    }, () => false, (e) => errors.push(e.message));
    loop.start(10);
    await tick(60);
    await loop.stop();
    expect(errors).to.deep.equal(['boom']);
    expect(n).to.be.greaterThan(1);
  });
});
