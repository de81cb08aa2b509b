import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { VerificationEvent, VerificationRequest } from '../../entities';
import { HolidaySource, PACKAGE_HOLIDAYS, WorkingCalendar, formatInZone } from '../../src/calendar';
import { refreshProvisionalDeadlines } from '../../src/verification/provisional-deadlines';
import { runSweep } from '../../src/scheduler';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { cardOf } from '../helpers/inbox';

describe('verification: a deadline counted on a derived year is provisional (SPEC "Working time")', () => {
  let h: Harness;
  let rsj: Api;
  let office: Api;
  const env = directoryHarness(DirectoryMother.standard(), { start: '2027-02-04T10:00:00+08:00' });
  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
  });

  async function create(category: string, at: string) {
    h.clock.set(at);
    const res = await rsj.post('/verifications', VerificationMother.body({ category }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await h.sys.settle();
    return res.body as { id: number; dueAt: string };
  }
  const row = async (id: number) => h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id });
  const local = (d: Date) => formatInZone('Asia/Shanghai', d);

  it('a request at Spring Festival 2027 gets the derived deadline, marked in deadlineRule and on the card', async () => {
    const req = await create('paper', '2027-02-05T10:00:00+08:00');
    expect(req.dueAt).to.equal('2027-02-11T17:30:00+08:00');
    const view = (await rsj.get(`/verifications/${req.id}`)).body;
    expect(view.deadlineRule).to.equal('paper:end_of_working_day+1;provisional');
    const card = cardOf(h, 'gaj.liaison', req.id)!.card;
    expect(card.horizontal_content_list.find((x: any) => x.keyname === '截止时间').value).to.equal('2027-02-11 17:30（暂定：按法定节假日推算）');
  });

  it('the office enters 2027: open provisional deadlines are recounted and the later one stands', async () => {
    const kept = await create('paper', '2027-02-04T10:00:00+08:00'); // derived: 2027-02-11 17:30
    const extended = await create('paper', '2027-02-05T10:00:00+08:00'); // derived: 2027-02-11 17:30
    const closed = await create('paper', '2027-02-05T11:00:00+08:00');
    await h.sys.dataSource.getRepository(VerificationRequest).update({ id: closed.id }, { status: 'answered', result: 'match', answeredAt: h.clock.now, closedAt: h.clock.now });
    h.clock.set('2027-02-05T12:00:00+08:00');
    // The real notice: 8-12 February off, Saturday 13 February worked (调休); 5 and 9-10 February are ordinary days.
    for (const date of ['2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12']) {
      expect((await office.put(`/calendar/days/${date}`, { working: false, note: '春节' })).status).to.equal(200);
    }
    expect((await office.put('/calendar/days/2027-02-13', { working: true, note: '春节调休' })).status).to.equal(200);
    expect((await rsj.get(`/verifications/${kept.id}`)).body.deadlineRule, 'overrides alone do not make the year known').to.match(/;provisional$/);
    expect((await office.put('/calendar/years/2027', {})).status).to.equal(200);

    const k = await row(kept.id);
    // Counted again it would be Friday 5 February 17:30: earlier than promised, so the promise stands.
    expect(local(k.dueAt)).to.equal('2027-02-11T17:30:00+08:00');
    expect(k.deadlineRule).to.equal('paper:end_of_working_day+1');
    const e = await row(extended.id);
    expect(local(e.dueAt)).to.equal('2027-02-13T17:30:00+08:00');
    expect(e.deadlineRule).to.equal('paper:end_of_working_day+1');
    const c = await row(closed.id);
    expect(c.deadlineRule, 'a closed request keeps its record').to.equal('paper:end_of_working_day+1;provisional');
    expect(local(c.dueAt)).to.equal('2027-02-11T17:30:00+08:00');

    const events = await h.sys.dataSource.getRepository(VerificationEvent).findBy({ type: 'deadline_recomputed' });
    expect(events.map((x) => x.requestId).sort()).to.deep.equal([kept.id, extended.id].sort());
    const ext = JSON.parse(events.find((x) => x.requestId === extended.id)!.data!);
    expect(ext).to.include({ fromDueAt: '2027-02-11T09:30:00.000Z', dueAt: '2027-02-13T09:30:00.000Z', deadlineRule: 'paper:end_of_working_day+1' });
    expect((await rsj.get(`/verifications/${extended.id}`)).body.dueAt).to.equal('2027-02-13T17:30:00+08:00');
  });

  it('a newer holiday package is picked up by the sweep; with no news the sweep changes nothing', async () => {
    const req = await create('historical', '2027-02-04T10:00:00+08:00');
    expect(req.dueAt).to.equal('2027-02-12T17:30:00+08:00'); // 11 and 12 February are the first working days after the break
    const job = h.sys.jobs.filter((j) => j.name === 'verification-provisional-deadlines');
    expect(job).to.have.length(1);
    const lines: Array<Record<string, unknown>> = [];
    await runSweep(job, h.clock.now, (l) => lines.push(l));
    expect(lines.filter((l) => l.action === 'deadline_recomputed')).to.deep.equal([]);
    expect((await row(req.id)).deadlineRule).to.equal('historical:end_of_working_day+2;provisional');

    // A package holding 2027: the festival 6-13 February, Sunday 14 February worked.
    const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2027-02-${String(from + i).padStart(2, '0')}`);
    const source: HolidaySource = {
      holidays: { ...PACKAGE_HOLIDAYS.holidays, ...Object.fromEntries(days(6, 13).map((d) => [d, 'Spring Festival,春节,8'])) },
      workdays: { ...PACKAGE_HOLIDAYS.workdays, '2027-02-14': 'Spring Festival,春节,8' },
    };
    const updated = new WorkingCalendar({ tz: 'Asia/Shanghai' }, source);
    expect(updated.isDerivedYear(2027)).to.equal(false);
    const changed = await refreshProvisionalDeadlines(h.sys.dataSource, updated, h.clock.now);
    // Counted again: Friday 5 February, then Sunday 14 February (调休): later than 12 February, so it moves.
    expect(changed).to.deep.equal([{ requestId: req.id, fromDueAt: '2027-02-12T09:30:00.000Z', dueAt: '2027-02-14T09:30:00.000Z', deadlineRule: 'historical:end_of_working_day+2' }]);
    expect(await refreshProvisionalDeadlines(h.sys.dataSource, updated, h.clock.now), 'idempotent').to.deep.equal([]);
  });
});
