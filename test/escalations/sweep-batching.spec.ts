/**
 * The due-stage sweep's shared work (src/escalations/engine.ts): one directory read per
 * sweep however many transactions need it, and the trackers moved on by one UPDATE per
 * transaction, a plain one for a few trackers and (MariaDB/MySQL) a prepared one padded to a
 * power of two for 16 or more. Each tracker must end exactly where its own plan puts it, and
 * nothing else may change. And the backup card, built once for two deputies B: each gets it
 * with their own touser and task_id.
 */
import { expect } from 'chai';
import { DeadlineStageClaim, DeadlineTracker, OutboxMessage, VerificationRecipient } from '../../entities';
import { Harness } from '../helpers/system';
import { deadlineDeps, deadlineJobs } from '../../src/escalations';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { QueryCounter } from '../helpers/query-count';
import { createRequest, officeEnv, sweep } from '../helpers/scheduler';
import { cardsTo, mark, textsTo } from '../helpers/inbox';

describe('scheduler: a sweep of many due requests (shared directory read, batched tracker updates)', () => {
  // A second deputy B in the issuing unit: the backup card is built once for both.
  const units = SchedulerMother.units();
  units.find((u) => u.code === 'GAJ')!.staff.push({ userid: 'gaj.b2', name: '公安代办B2', role: 'deputy', ab: 'B' });
  // Each test on its own working day: the emulator's per-member minute windows outlive h.reset().
  const env = officeEnv({ units, days: ['2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01'] });
  let h: Harness;
  let rsj: Api;
  const t = (hhmm: string) => `${env.day}T${hhmm}:00+08:00`;
  beforeEach(() => {
    ({ h, rsj } = env);
  });

  async function requests(n: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await createRequest(rsj)).id);
    await h.sys.settle();
    return ids;
  }

  const stagesJob = (opts: Parameters<typeof deadlineJobs>[1]) => deadlineJobs(deadlineDeps(h.sys.deps), opts).filter((j) => j.name === 'deadlines-stages');
  const trackers = async () => new Map((await h.sys.dataSource.getRepository(DeadlineTracker).find()).map((x) => [x.requestId, x]));

  it('4 trackers in a plain UPDATE, then 18 in one transaction (a prepared one padded to 32 on MariaDB): all end alike, each moved on once, the others untouched', async () => {
    const due = await requests(22);
    await sweep(h, t('09:01'));
    // Created later: its stages are not due at 09:15.
    h.clock.set(t('09:10'));
    const [later] = await requests(1);
    await sweep(h, t('09:11'));
    const before = await trackers();
    h.clock.set(t('09:15'));
    // The first 4 due trackers, in transactions of 2; then the other 18 in one transaction.
    await sweep(h, t('09:15'), stagesJob({ batch: 2, round: 4, rounds: 1 }));
    await sweep(h, t('09:15'), stagesJob({ batch: 100 }));
    const after = await trackers();
    const moved = due.map((id) => after.get(id)!);
    expect(new Set(moved.map((x) => x.nextStageAt?.toISOString())).size, 'one plan, one next stage').to.equal(1);
    expect(moved[0].nextStageAt!.getTime()).to.be.greaterThan(new Date(t('09:15')).getTime());
    for (const x of moved) {
      expect(x, `tracker of request ${x.requestId}`).to.deep.include({ state: 'active', level: 0, failures: 0, lastError: null, version: before.get(x.requestId)!.version + 1 });
      expect(x.updatedAt.toISOString()).to.equal(new Date(t('09:15')).toISOString());
    }
    expect(after.get(later), 'not due: untouched').to.deep.equal(before.get(later));
    expect(after.size).to.equal(before.size);
    const claims = await h.sys.dataSource.getRepository(DeadlineStageClaim).find();
    for (const id of due) expect(claims.filter((c) => c.requestId === id).map((c) => c.stage).sort()).to.deep.equal(['backup', 'reminder']);
    expect(claims.filter((c) => c.requestId === later)).to.deep.equal([]);
    // The next sweep at the stored instant finds every one of them due again (the warning).
    const lines = await sweep(h, moved[0].nextStageAt!, stagesJob({}));
    expect(lines.filter((l) => l.stage === 'warning' && l.action === 'sent').map((l) => l.requestId)).to.have.members(due);
  });

  it('the backup card, built once, reaches both deputies B with their own touser and task_id; the rows are byte for byte what each would get alone', async () => {
    const [id] = await requests(1);
    await sweep(h, t('09:01'));
    const since = mark(h);
    const lines = await sweep(h, t('09:15'));
    expect(lines.find((l) => l.requestId === id && l.stage === 'backup')).to.deep.include({ action: 'sent', to: ['gaj.b', 'gaj.b2'] });
    const recipients = await h.sys.dataSource.getRepository(VerificationRecipient).find({ where: { requestId: id, reason: 'backup' }, order: { id: 'ASC' } });
    expect(recipients.map((r) => [r.userid, r.taskId])).to.deep.equal([
      ['gaj.b', `vr${id}_2_0`],
      ['gaj.b2', `vr${id}_3_0`],
    ]);
    const [b1, b2] = [cardsTo(h, 'gaj.b', since), cardsTo(h, 'gaj.b2', since)];
    expect(b1.map((c) => c.taskId)).to.deep.equal([`vr${id}_2_0`]);
    expect(b2.map((c) => c.taskId)).to.deep.equal([`vr${id}_3_0`]);
    expect({ ...b2[0].card, task_id: 'x' }).to.deep.equal({ ...b1[0].card, task_id: 'x' });
    expect(b2[0].card.button_list.map((b: { key: string }) => b.key)).to.deep.equal([`verif_accept:${id}`, `verif_return:${id}`]);
    // The stored bodies: the same bytes but for touser and task_id, in the card's own key order.
    const rows = await h.sys.dataSource.getRepository(OutboxMessage).find({ where: { refType: 'verification_card' }, order: { id: 'ASC' } });
    const [p1, p2] = [`vr${id}_2_0`, `vr${id}_3_0`].map((task) => rows.find((r) => r.refId === task)!.payload);
    expect(p2).to.equal(p1.replace('"touser":"gaj.b"', '"touser":"gaj.b2"').replace(`vr${id}_2_0`, `vr${id}_3_0`));
    expect(Object.keys(JSON.parse(p2).template_card)).to.deep.equal(Object.keys(JSON.parse(p1).template_card));
    expect(rows.find((r) => r.refId === `vr${id}_3_0`)).to.deep.include({ recipients: 'user:gaj.b2', dedupeKey: `verif-card:vr${id}_3_0` });
    for (const b of ['gaj.b', 'gaj.b2']) expect(textsTo(h, b, since).filter((x) => x.startsWith('【B角补位】'))).to.have.length(1);
  });

  it('one directory read per sweep, however many transactions (four at once on MariaDB) need it', async () => {
    await requests(12);
    await sweep(h, t('09:01'));
    const qc = new QueryCounter(h.sys.dataSource);
    qc.start();
    const lines = await sweep(h, t('09:15'), stagesJob({ batch: 2, concurrency: 4 }));
    const statements = qc.stop();
    qc.detach();
    expect(lines.filter((l) => l.action === 'sent')).to.have.length(24);
    expect(statements.filter((s) => /FROM [`"]staff[`"]/i.test(s)), 'staff read').to.have.length(1);
    expect(statements.filter((s) => /FROM [`"]units[`"]/i.test(s)), 'unit names read').to.have.length(1);
    // Six transactions of two requests each.
    expect(statements.filter((s) => /FROM [`"]deadline_trackers[`"].*FOR UPDATE|FROM [`"]deadline_trackers[`"] WHERE [`"]request_id[`"] IN/i.test(s))).to.have.length(6);
  });
});
