import { expect } from 'chai';
import { OutboxMessage } from '../../entities';
import { inTransaction } from '../../src/db/tx';
import { enqueue, onEnqueueCommitted } from '../../src/wecom/outbox';
import { createApiKey } from '../../src/http/auth';
import { directoryHarness } from '../helpers/system';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';

const text = (touser: string, content: string) => ({ touser, msgtype: 'text', text: { content } });

/** Polls until `done` or the bound (a bound only, never a figure this test asserts). */
async function within(ms: number, done: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('outbox: a committed enqueue wakes this instance’s dispatcher', () => {
  const env = directoryHarness(DirectoryMother.standard());

  it('wakes after the commit, never before it and never after a rollback', async () => {
    const ds = env.h.sys.dataSource;
    const seen: string[] = [];
    const off = onEnqueueCommitted(ds, () => seen.push('wake'));
    try {
      await inTransaction(ds, async (m) => {
        await enqueue(m, { channel: 'message', payload: text('rsj.a', 'one'), now: env.h.clock.now });
        await enqueue(m, { channel: 'message', payload: text('rsj.a', 'two'), now: env.h.clock.now });
        expect(seen, 'inside the transaction').to.deep.equal([]);
      });
      // Two rows, one commit: one wake.
      expect(seen).to.deep.equal(['wake']);
      await inTransaction(ds, async (m) => {
        await enqueue(m, { channel: 'message', payload: text('rsj.a', 'gone'), now: env.h.clock.now });
        throw new Error('rollback');
      }).catch(() => undefined);
      expect(seen).to.deep.equal(['wake']);
      expect(await ds.getRepository(OutboxMessage).countBy({ payload: JSON.stringify(text('rsj.a', 'gone')) })).to.equal(0);
    } finally {
      off();
    }
  });

  it('a request created through the API reaches WeCom without waiting for the interval', async () => {
    const h = env.h;
    const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    // An interval no test waits for: only the wake can send the card in time.
    h.sys.outbox.start(60_000);
    try {
      await h.sys.outbox.runOnce();
      const before = h.emu.delivered().length;
      const res = await rsj.post('/verifications', VerificationMother.body());
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      await within(15_000, () => h.emu.delivered().length > before);
      const cards = h.emu.delivered().slice(before).filter((d) => d.msgtype === 'template_card');
      expect(cards, 'card delivered to the issuing unit').to.not.be.empty;
    } finally {
      await h.sys.outbox.stop();
    }
  });
});
