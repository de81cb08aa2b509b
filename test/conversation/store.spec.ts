/** The one open question per person: replace, expiry, cancel, close by subject. */
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { OpenQuestion } from '../../entities';
import { ask, close, closeSubject, current, dataOf, askText, QUESTION_TTL_MS, CONVERSATION } from '../../src/conversation';
import { clearTables, testDataSource } from '../helpers/db';

describe('conversation: the open-question store', () => {
  let ds: DataSource;
  const t0 = new Date('2026-11-26T01:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => clearTables(ds));

  it('a new question replaces the older one and returns it; the person has one row', async () => {
    const m = ds.manager;
    const first = await ask(m, { person: 'u1', module: 'complaints', subject: '7', kind: 'resolve', label: '投诉TS1的办理结果', data: { ground: null }, responseCode: 'rc1', now: t0 });
    expect(first).to.equal(null);
    const replaced = await ask(m, { person: 'u1', module: 'verification', subject: '3', kind: 'return_reason', label: '协查 HC1 的退回原因', now: at(1000) });
    expect(replaced).to.include({ module: 'complaints', subject: '7', kind: 'resolve', responseCode: 'rc1' });
    expect(dataOf<{ ground: null }>(replaced!)).to.deep.equal({ ground: null });
    expect(await m.getRepository(OpenQuestion).count()).to.equal(1);
    const live = await current(m, 'u1', at(2000));
    expect(live).to.include({ module: 'verification', subject: '3', kind: 'return_reason' });
    expect(live!.expiresAt.getTime()).to.equal(at(1000).getTime() + QUESTION_TTL_MS.verification.return_reason);
    // another person's question is their own
    await ask(m, { person: 'u2', module: 'exemptions', subject: '0', kind: 'apply_form', label: '免提交清单调整申请', now: t0 });
    expect((await current(m, 'u1', at(3000)))!.module).to.equal('verification');
  });

  it('the replacing question says which question the next message answers; asking the same again does not', () => {
    const older = Object.assign(new OpenQuestion(), { module: 'complaints', subject: '7', kind: 'resolve', label: '投诉TS1的办理结果' });
    expect(askText('请说明退回原因', older, { module: 'verification', subject: '3', kind: 'return_reason' })).to.equal(`请说明退回原因\n${CONVERSATION.replaced('投诉TS1的办理结果')}`);
    expect(askText('请回复办理结果', older, { module: 'complaints', subject: '7', kind: 'resolve' })).to.equal('请回复办理结果');
    expect(askText('请回复办理结果', null, { module: 'complaints', subject: '7', kind: 'resolve' })).to.equal('请回复办理结果');
  });

  it('a question lapses at its expiry (each kind has its TTL) and is then removed', async () => {
    const m = ds.manager;
    await ask(m, { person: 'u1', module: 'exemptions', subject: '5', kind: 'review_comment', label: '申请号5的审核意见', now: t0 });
    const ttl = QUESTION_TTL_MS.exemptions.review_comment;
    expect(await current(m, 'u1', at(ttl - 1))).to.not.equal(null);
    expect(await current(m, 'u1', at(ttl))).to.equal(null);
    expect(await m.getRepository(OpenQuestion).count()).to.equal(0);
    // an expired question is not reported as replaced
    await ask(m, { person: 'u1', module: 'complaints', subject: '7', kind: 'extend', label: 'x', now: t0 });
    expect(await ask(m, { person: 'u1', module: 'complaints', subject: '8', kind: 'extend', label: 'y', now: at(QUESTION_TTL_MS.complaints.extend + 1) })).to.equal(null);
  });

  it('close (cancel) removes only the person\'s question; closeSubject removes everyone\'s about a subject', async () => {
    const m = ds.manager;
    await ask(m, { person: 'u1', module: 'complaints', subject: '7', kind: 'resolve', label: 'a', now: t0 });
    await ask(m, { person: 'u2', module: 'complaints', subject: '7', kind: 'reject', label: 'b', now: t0 });
    await ask(m, { person: 'u3', module: 'verification', subject: '7', kind: 'mismatch_details', label: 'c', now: t0 });
    await close(m, 'u1');
    expect(await current(m, 'u1', t0)).to.equal(null);
    expect(await current(m, 'u2', t0)).to.not.equal(null);
    await closeSubject(m, 'complaints', '7');
    expect(await current(m, 'u2', t0)).to.equal(null);
    expect((await current(m, 'u3', t0))!.module, 'the same id in another module is another subject').to.equal('verification');
  });
});
