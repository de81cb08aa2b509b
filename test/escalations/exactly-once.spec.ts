import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { DeadlineStageClaim, DeadlineTracker, Escalation } from '../../entities';
import { startHarness, Harness } from '../helpers/system';
import { extraDataSource, isMysqlRun } from '../helpers/db';
import { createApiKey } from '../../src/http/auth';
import { runSweep } from '../../src/scheduler';
import { deadlineDeps, deadlineJobs } from '../../src/escalations';
import { DirectoryMother } from '../helpers/mothers/directory';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { cardsTo, mark, textsTo } from '../helpers/inbox';
import { createRequest, Line, sweep, useOfficeChat } from '../helpers/scheduler';
import { seedDirectory } from '../helpers/seed';

describe('scheduler: each stage of each request fires exactly once', () => {
  let h: Harness;
  let rsj: Api;
  let since = 0;
  const units = SchedulerMother.units();
  // Each test on its own working day: the emulator's per-member minute windows outlive h.reset().
  const DAYS = ['2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03'];
  let test = 0;
  let day = DAYS[0];
  let groupSince = 0;
  const t = (hhmm: string, d = day) => `${d}T${hhmm}:00+08:00`;

  before(async () => {
    h = await startHarness({ members: DirectoryMother.members(units) });
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.reset();
    day = DAYS[test++ % DAYS.length];
    h.clock.set(t('09:00'));
    await seedDirectory(h.sys.dataSource, units);
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    await useOfficeChat(h);
    since = mark(h);
    groupSince = h.emu.appchatMessages().length;
  });

  const group = () => h.emu.appchatMessages(SchedulerMother.officeChatId).slice(groupSince);

  async function requests(n: number): Promise<Array<{ id: number; number: string }>> {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await createRequest(rsj));
    await h.sys.settle();
    return out;
  }

  const liaisonCards = () => [...h.emu.cardUpdates().filter((u) => u.userids.includes('gaj.liaison')).map((u) => u.template_card), ...cardsTo(h, 'gaj.liaison', since).map((c) => c.card)];

  /** Everything a member got that belongs to one stage of one request, by kind. */
  function tally(numbers: string[]) {
    const count = (userid: string, prefix: string, number: string) => textsTo(h, userid, since).filter((x) => x.startsWith(prefix) && x.includes(number)).length;
    return numbers.map((n) => ({
      reminderLiaison: count('gaj.liaison', '【协查提醒】', n),
      reminderA: count('gaj.a', '【协查提醒】', n),
      backup: count('gaj.b', '【B角补位】', n),
      warningB: count('gaj.b', '【即将超时】', n),
      // The liaison's own card turns to 已超时 (in place, or as its next generation): once.
      escalatedIssuer: liaisonCards().filter((c) => String(c?.main_title?.desc ?? '') === `已超时，已报告联席会议办公室｜协查 ${n}`).length,
      escalatedRequester: textsTo(h, 'rsj.liaison', since).filter((x) => x.includes(`你单位的协查 ${n} 已超过答复时限`)).length,
      group: group().filter((m) => String(m.payload.content).includes(`${n}**`)).length,
    }));
  }
  const ONCE = { reminderLiaison: 1, reminderA: 1, backup: 1, warningB: 1, escalatedIssuer: 1, escalatedRequester: 1, group: 1 };

  async function expectOneClaimPerStage(ids: number[]) {
    const claims = await h.sys.dataSource.getRepository(DeadlineStageClaim).find();
    for (const id of ids) {
      expect(claims.filter((c) => c.requestId === id).map((c) => c.stage).sort(), `request ${id}`).to.deep.equal(['backup', 'escalation1', 'reminder', 'warning']);
    }
    const escs = await h.sys.dataSource.getRepository(Escalation).find();
    expect(escs.map((e) => e.requestId).sort((a, b) => a - b)).to.deep.equal([...ids].sort((a, b) => a - b));
  }

  it('sweeping the same instant twice, then backwards and forwards in time, sends nothing twice', async () => {
    const reqs = await requests(3);
    await sweep(h, t('09:01'));
    await sweep(h, t('09:15'));
    await sweep(h, t('09:15'));
    await sweep(h, t('09:05')); // clock jumped back
    await sweep(h, t('09:27'));
    await sweep(h, t('09:16')); // back again
    await sweep(h, t('09:30'));
    await sweep(h, t('09:30'));
    const late = await sweep(h, t('10:00', '2026-12-10')); // a week or two later
    expect(late.filter((l) => l.job === 'deadlines-stages')).to.deep.equal([]);
    await sweep(h, t('09:29')); // and back before the deadline
    expect(tally(reqs.map((r) => r.number))).to.deep.equal(reqs.map(() => ONCE));
    await expectOneClaimPerStage(reqs.map((r) => r.id));
    expect(h.emu.delivered({ touser: 'office.duty', msgtype: 'template_card' }).filter((d) => String(d.payload.task_id).startsWith('esc'))).to.have.length(3);
  });

  it('a first sweep long after the deadline sends the escalation and the backup card, not stale reminders', async () => {
    const [r] = await requests(1);
    const lines = await sweep(h, t('09:45'));
    expect(lines.filter((l) => l.job === 'deadlines-stages').map((l) => [l.stage, l.action, l.note ?? null])).to.deep.equal([
      ['reminder', 'skipped', 'superseded'],
      ['warning', 'skipped', 'superseded'],
      ['backup', 'sent', null],
      ['escalation1', 'sent', null],
    ]);
    expect(textsTo(h, 'gaj.liaison', since).filter((x) => x.startsWith('【协查提醒】') || x.startsWith('【即将超时】'))).to.deep.equal([]);
    const [e] = await h.sys.dataSource.getRepository(Escalation).findBy({ requestId: r.id });
    expect(e.lateMinutes).to.equal(15);
    expect(group().map((m) => m.payload.content).join('\n')).to.include('超时：<font color="warning">15分钟</font>');
    await sweep(h, t('09:46'));
    await sweep(h, t('09:15'));
    expect(await h.sys.dataSource.getRepository(DeadlineStageClaim).countBy({ requestId: r.id })).to.equal(4);
  });

  it('a sweep killed midway (after its 2nd transaction committed): the next sweep finishes, nothing duplicated', async () => {
    const reqs = await requests(5);
    await sweep(h, t('09:01'));
    let commits = 0;
    const dying = deadlineJobs(deadlineDeps(h.sys.deps), {
      batch: 2,
      concurrency: 1,
      hooks: {
        afterCommit: () => {
          if (++commits === 2) throw new Error('killed');
        },
      },
    });
    h.clock.set(t('09:15'));
    let err: Error | null = null;
    await runSweep(dying, h.clock.now, () => undefined).catch((e: Error) => (err = e));
    expect(err!.message).to.equal('killed');
    const done = await h.sys.dataSource.getRepository(DeadlineStageClaim).count();
    expect(done, 'two transactions of two requests, two stages each').to.equal(8);
    await h.sys.settle();
    await sweep(h, t('09:15'));
    expect(await h.sys.dataSource.getRepository(DeadlineStageClaim).count()).to.equal(10);
    await sweep(h, t('09:27'));
    await sweep(h, t('09:30'));
    expect(tally(reqs.map((r) => r.number))).to.deep.equal(reqs.map(() => ONCE));
    await expectOneClaimPerStage(reqs.map((r) => r.id));
  });

  it('an error in the middle of a batch: the batch is retried request by request, only the faulty one waits and is sent once later', async () => {
    const reqs = await requests(5);
    await sweep(h, t('09:01'));
    let failing = true;
    const faulty = deadlineJobs(deadlineDeps(h.sys.deps), {
      hooks: {
        inItem: (requestId) => {
          if (failing && requestId === reqs[2].id) throw new Error('injected');
        },
      },
    });
    const lines = await sweep(h, t('09:15'), faulty);
    expect(lines.find((l) => l.requestId === reqs[2].id)).to.deep.include({ result: 'error', error: 'injected' });
    expect(await h.sys.dataSource.getRepository(DeadlineStageClaim).countBy({ requestId: reqs[2].id })).to.equal(0);
    const tr = await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: reqs[2].id });
    expect(tr).to.deep.include({ failures: 1, lastError: 'injected' });
    expect(textsTo(h, 'gaj.liaison', since).filter((x) => x.includes(reqs[2].number))).to.deep.equal([]);
    expect(textsTo(h, 'gaj.liaison', since).filter((x) => x.includes(reqs[3].number)), 'the others went on').to.have.length(1);
    failing = false;
    expect((await sweep(h, t('09:15'), faulty)).filter((l) => l.job === 'deadlines-stages'), 'it waits a minute').to.deep.equal([]);
    await sweep(h, t('09:16'), faulty);
    await sweep(h, t('09:27'));
    await sweep(h, t('09:30'));
    expect(tally(reqs.map((r) => r.number))).to.deep.equal(reqs.map(() => ONCE));
    await expectOneClaimPerStage(reqs.map((r) => r.id));
  });

  it('three sweeps at once on three connections (MariaDB/MySQL): every stage once', async function () {
    if (!isMysqlRun()) this.skip();
    const reqs = await requests(12);
    const sources: DataSource[] = [await extraDataSource(), await extraDataSource(), await extraDataSource()];
    try {
      const jobSets = sources.map((ds) => deadlineJobs(deadlineDeps({ ...h.sys.deps, dataSource: ds })));
      const all: Line[][] = [];
      for (const at of [t('09:01'), t('09:15'), t('09:27'), t('09:30')]) {
        h.clock.set(at);
        const outs = await Promise.all(
          jobSets.map(async (jobs) => {
            const lines: Line[] = [];
            await runSweep(jobs, new Date(at), (l) => lines.push(l));
            return lines;
          }),
        );
        all.push(...outs);
        await h.sys.settle();
      }
      const lines = all.flat();
      expect(lines.filter((l) => l.result === 'error'), JSON.stringify(lines.filter((l) => l.result === 'error'))).to.deep.equal([]);
      const sent = lines.filter((l) => l.action === 'sent');
      expect(sent, 'each stage reported sent by exactly one sweep').to.have.length(12 * 4);
      const announced = lines.filter((l) => l.action === 'announced').flatMap((l) => l.escalations as number[]);
      expect(announced).to.have.length(12);
      expect(new Set(announced).size).to.equal(12);
      expect(tally(reqs.map((r) => r.number))).to.deep.equal(reqs.map(() => ONCE));
      await expectOneClaimPerStage(reqs.map((r) => r.id));
    } finally {
      for (const ds of sources) await ds.destroy();
    }
  });
});
