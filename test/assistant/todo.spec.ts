import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { say } from '../helpers/inbox';
import { accept, createRequest } from '../helpers/scheduler';
import { resolveNumber, shortNumber } from '../../src/verification/resolve-number';

describe('assistant: 待办 lists a person\'s open requests; short numbers resolve among them', () => {
  let h: Harness;
  let rsj: Api;
  const env = directoryHarness(SchedulerMother.units(), { start: '2026-11-30T16:00:00+08:00' });
  const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00+08:00`;

  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
  });

  it('most urgent first, each with unit, item, deadline, time left and what is to do; shared short numbers shown in full', async () => {
    // Yesterday's paper request, and today's two digital ones (one accepted by A).
    const old = await createRequest(rsj, { category: 'paper', serviceItem: '最低生活保障' });
    h.clock.set(t('09:00'));
    const first = await createRequest(rsj);
    h.clock.set(t('09:10'));
    const second = await createRequest(rsj, { serviceItem: '就业困难人员认定' });
    await h.sys.settle();
    await accept(h, 'gaj.a', second.id);
    h.clock.set(t('09:20'));
    const list = await say(h, 'gaj.a', '待办');
    expect(list).to.have.length(1);
    const lines = list[0].split('\n');
    expect(lines[0]).to.equal('你有 3 件未办结的协查（最急的在前）：');
    expect(shortNumber(old.number)).to.equal(shortNumber(first.number));
    expect(lines[1]).to.equal(`1. 县人社局「失业保险金申领」截止12-01 09:30（剩10分钟）待受理｜编号${first.number}`);
    expect(lines[2]).to.equal(`2. 县人社局「就业困难人员认定」截止12-01 09:40（剩20分钟）待答复｜编号${shortNumber(second.number)}`);
    expect(lines[3]).to.match(new RegExp(`^3\\. 县人社局「最低生活保障」截止12-0\\d \\d\\d:\\d\\d（剩.+）待受理｜编号${old.number}$`));
    expect(lines[1].slice(0, 40), 'the lock screen shows unit, item, deadline').to.include('县人社局').and.include('截止12-01 09:30');
    expect(await say(h, 'office.duty', '待办')).to.deep.equal(['你当前没有未办结的协查。']);

    const m = h.sys.dataSource.manager;
    const one = await resolveNumber(m, 'gaj.a', shortNumber(second.number));
    expect(one.kind === 'one' && one.work.request.id).to.equal(second.id);
    expect((await resolveNumber(m, 'gaj.a', String(Number(shortNumber(second.number))))).kind, 'leading zeros optional').to.equal('one');
    const amb = await resolveNumber(m, 'gaj.a', shortNumber(first.number));
    expect(amb.kind === 'ambiguous' && amb.candidates.map((c) => c.request.id)).to.deep.equal([first.id, old.id]);
    const onlyAnswerable = await resolveNumber(m, 'gaj.a', shortNumber(first.number), ['accepted']);
    expect(onlyAnswerable.kind).to.equal('none');
    expect((await resolveNumber(m, 'gaj.a', first.number)).kind, 'a full number is exact').to.equal('one');
    expect((await resolveNumber(m, 'gaj.b', shortNumber(second.number))).kind, 'not among B\'s open requests').to.equal('none');
    expect((await resolveNumber(m, 'gaj.a', '9999')).kind).to.equal('none');
  });
});
