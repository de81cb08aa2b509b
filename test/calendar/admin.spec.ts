import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { DirectoryMother } from '../helpers/mothers/directory';
import { runSweep } from '../../src/scheduler';
import { CalendarDay } from '../../entities';
import { Api } from '../helpers/api';

describe('calendar kept by the office (SPEC "Working time")', () => {
  let h: Harness;
  let office: Api;
  let unit: Api;
  const units = DirectoryMother.standard();
  const env = directoryHarness(units);
  beforeEach(async () => {
    h = env.h;
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    unit = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
  });

  const sweep = async () => {
    const lines: Array<Record<string, unknown>> = [];
    await runSweep(h.sys.jobs.filter((j) => j.name === 'calendar-coverage'), h.clock.now, (l) => lines.push(l));
    await h.sys.settle();
    return lines;
  };

  it('shows working days with their source, the known years and the coverage warning', async () => {
    const res = await unit.get('/calendar?from=2026-09-30&to=2026-10-11');
    expect(res.status).to.equal(200);
    const byDate = Object.fromEntries(res.body.days.map((d: any) => [d.date, d.working]));
    expect(byDate['2026-09-30']).to.equal(true);
    expect(byDate['2026-10-01']).to.equal(false); // National Day
    expect(byDate['2026-10-10']).to.equal(true); // make-up Saturday
    expect(res.body.knownYears).to.include(2026);
    expect(res.body.lastKnownDate).to.equal('2026-12-31');
    expect(res.body.warning).to.deep.equal({ lastKnownDate: '2026-12-31', daysLeft: 35 });
  });

  it('lets the office mark a date off and back, and the deadlines follow at once', async () => {
    expect((await office.put('/calendar/days/2026-11-27', { working: false, note: '县委临时安排' })).status).to.equal(200);
    const cal = await h.sys.calendar.get();
    expect(cal.isWorkingDay('2026-11-27')).to.equal(false);
    const day = (await office.get('/calendar?from=2026-11-27&to=2026-11-27')).body.days[0];
    expect(day).to.deep.equal({ date: '2026-11-27', working: false, source: 'override', note: '县委临时安排' });
    expect((await office.call('DELETE', '/calendar/days/2026-11-27')).status).to.equal(204);
    expect((await h.sys.calendar.get()).isWorkingDay('2026-11-27')).to.equal(true);
  });

  it('refuses a unit key, a bad date and a bad body, changing nothing', async () => {
    expect((await unit.put('/calendar/days/2026-11-27', { working: false })).status).to.equal(403);
    expect((await office.put('/calendar/days/2026-13-45', { working: false })).status).to.equal(422);
    expect((await office.put('/calendar/days/27-11-2026', { working: false })).status).to.equal(400);
    expect((await office.put('/calendar/days/2026-11-27', { working: 'no' })).status).to.equal(422);
    expect((await office.call('DELETE', '/calendar/days/2026-11-27')).status).to.equal(404);
    expect((await office.get('/calendar?from=2026-01-01&to=2027-06-01')).status).to.equal(400);
    expect(await h.sys.dataSource.getRepository(CalendarDay).count()).to.equal(0);
  });

  it('warns the office once a week before the known calendar runs out, and stops once a year is entered', async () => {
    const first = await sweep();
    expect(first).to.have.length(1);
    expect(first[0]).to.include({ warning: 'calendar_runs_out', daysLeft: 35, sentTo: 'members' });
    const texts = () => h.emu.delivered({ touser: 'office.duty' }).filter((d) => String(d.payload.content ?? '').includes('工作日历即将用完'));
    expect(texts()).to.have.length(1);
    expect(String(texts()[0].payload.content), 'names the derived year').to.contain('2027 年尚无国务院节假日安排');
    h.clock.set('2026-11-27T09:00:00+08:00');
    await sweep();
    expect(texts(), 'the same week: not again').to.have.length(1);
    h.clock.set('2026-12-01T09:00:00+08:00');
    await sweep();
    expect(texts(), 'the next week: again').to.have.length(2);
    expect((await office.put('/calendar/years/2027', {})).body.knownYears).to.include(2027);
    expect(await sweep()).to.deep.equal([]);
  });
});
