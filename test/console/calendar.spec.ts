import { expect } from 'chai';
import { CalendarDay } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { AUDITOR, ConsoleClient, consoleHarness } from './console-mother';

/** The cell of one date in the page's month grids. */
const cellOf = (html: string, date: string) => new RegExp(`<td class="([^"]+)" data-date="${date}"[^>]*>(.*?)</td>`).exec(html);

describe('console: the working-day calendar page (SPEC "Working time")', () => {
  const env = consoleHarness();

  it('shows the year in month grids with holidays, make-up days, office hours and the coverage warning', async () => {
    const office = new ConsoleClient(env.h);
    await office.login('office.duty');
    const res = await office.get('/console/calendar?year=2026');
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.include('工作日历 · 2026 年').and.include('08:30-12:00，13:30-17:30').and.include('2026-12-31');
    expect((html.match(/<table class="month">/g) ?? []).length).to.equal(12);
    expect(cellOf(html, '2026-10-01')![1]).to.include('k-holiday').and.include('off');
    expect(cellOf(html, '2026-10-01')![2]).to.include('>休<').and.include('法定节假日');
    expect(cellOf(html, '2026-10-10')![1]).to.include('k-makeup').and.include('on');
    expect(cellOf(html, '2026-10-10')![2]).to.include('>班<');
    expect(cellOf(html, '2026-10-12')![1]).to.equal('k-workday on');
    expect(cellOf(html, '2026-10-11')![1]).to.equal('k-weekend off');
    // The clock stands at 2026-12-01: 30 days of known calendar left, and 2027 is derived.
    expect(html).to.include('工作日历即将用完').and.include('还剩 30 天').and.include('2027 年尚无国务院节假日安排');
    // 2027: derived from the regulation, marked provisional; 1999: before the known years.
    const next = await (await office.get('/console/calendar?year=2027')).text();
    expect(cellOf(next, '2027-10-01')![1]).to.include('k-holiday').and.include('prov');
    expect(next).to.include('2027 年尚无国务院节假日安排，本页按');
    const old = await (await office.get('/console/calendar?year=2001')).text();
    expect(old).to.include('2001 年早于已有数据的年度').and.not.include('<table class="month">');
  });

  it('an office member adds and removes an override through the form; the calendar (and the API) follow', async () => {
    const h = env.h;
    const office = new ConsoleClient(h);
    await office.login('office.duty');
    const csrf = ConsoleClient.csrf(await (await office.get('/console/calendar?year=2026')).text());
    const add = await office.post('/console/calendar/days', { csrf, date: '2026-12-18', working: 'false', note: '县庆放假' });
    expect(add.status).to.equal(302);
    expect(add.headers.get('location')).to.equal('/console/calendar?year=2026&done=added');
    const rows = await h.sys.dataSource.getRepository(CalendarDay).find();
    expect(rows.map((r) => [r.date, !!r.working, r.note, r.updatedBy])).to.deep.equal([['2026-12-18', false, '县庆放假', 'office.duty']]);
    expect((await h.sys.calendar.get()).isWorkingDay('2026-12-18')).to.equal(false);
    const api = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    const listed = await api.get('/calendar?from=2026-12-18&to=2026-12-18');
    expect(listed.body.days).to.deep.equal([{ date: '2026-12-18', working: false, source: 'override', note: '县庆放假' }]);
    const page = await (await office.get('/console/calendar?year=2026&done=added')).text();
    expect(page).to.include('已保存该日期的调整。');
    expect(cellOf(page, '2026-12-18')![1]).to.include('k-override').and.include('off');
    expect(page).to.match(/<td data-label="日期">2026-12-18<\/td><td data-label="设为">休息<\/td><td data-label="备注">县庆放假<\/td><td data-label="设置人">office.duty<\/td>/);

    const remove = await office.post('/console/calendar/days/remove', { csrf, date: '2026-12-18' });
    expect(remove.headers.get('location')).to.equal('/console/calendar?year=2026&done=removed');
    expect(await h.sys.dataSource.getRepository(CalendarDay).count()).to.equal(0);
    expect((await h.sys.calendar.get()).isWorkingDay('2026-12-18')).to.equal(true);
    // Removing what is not there: the API's not_found, said in Chinese.
    const again = await office.post('/console/calendar/days/remove', { csrf, date: '2026-12-18' });
    expect(again.headers.get('location')).to.equal('/console/calendar?year=2026&error=not_found');
    expect(await (await office.get(again.headers.get('location')!)).text()).to.include('该日期没有调整记录。');
  });

  it('refuses bad input with a clear message and changes nothing', async () => {
    const h = env.h;
    const office = new ConsoleClient(h);
    await office.login('office.duty');
    const csrf = ConsoleClient.csrf(await (await office.get('/console/calendar')).text());
    const cases: Array<[Record<string, string>, string]> = [
      [{ date: '2026-02-30', working: 'false' }, 'calendar_invalid'],
      [{ date: '18/12/2026', working: 'false' }, 'bad_request'],
      [{ date: '2026-12-18', working: 'maybe' }, 'validation_failed'],
      [{ date: '2026-12-18', working: 'true', note: '长'.repeat(101) }, 'validation_failed'],
    ];
    for (const [form, code] of cases) {
      const res = await office.post('/console/calendar/days', { csrf, ...form });
      expect(res.status).to.equal(302);
      expect(res.headers.get('location'), JSON.stringify(form)).to.match(new RegExp(`error=${code}$`));
    }
    expect(await h.sys.dataSource.getRepository(CalendarDay).count()).to.equal(0);
    const page = await (await office.get('/console/calendar?year=2026&error=calendar_invalid')).text();
    expect(page).to.include('日期不存在，请检查后重试。');
  });

  it('unit staff and the auditor read it without forms; their POSTs and a POST without CSRF are refused, nothing changes', async () => {
    const h = env.h;
    await h.sys.dataSource.getRepository(CalendarDay).insert({ date: '2026-12-24', working: false, note: '调整', updatedBy: 'office', updatedAt: h.clock.now });
    for (const who of [AUDITOR, 'rsj.liaison']) {
      const c = new ConsoleClient(h);
      await c.login(who);
      const res = await c.get('/console/calendar');
      expect(res.status).to.equal(200);
      const html = await res.text();
      expect(html).to.include('只读：仅办公室人员可以调整工作日历。').and.include('2026-12-24');
      expect(html).not.to.include('action="/console/calendar/days"').and.not.include('/console/calendar/days/remove');
      const csrf = ConsoleClient.csrf(html);
      const add = await c.post('/console/calendar/days', { csrf, date: '2026-12-18', working: 'false' });
      expect(add.status, who).to.equal(403);
      expect(await add.text()).to.include('您无权执行此操作。');
      expect((await c.post('/console/calendar/days/remove', { csrf, date: '2026-12-24' })).status).to.equal(403);
    }
    const office = new ConsoleClient(h);
    await office.login('office.duty');
    const noCsrf = await office.post('/console/calendar/days', { date: '2026-12-18', working: 'false' });
    expect(noCsrf.status).to.equal(403);
    expect(await noCsrf.text()).to.include('表单已失效');
    expect((await office.post('/console/calendar/days/remove', { csrf: 'f'.repeat(64), date: '2026-12-24' })).status).to.equal(403);
    const rows = await h.sys.dataSource.getRepository(CalendarDay).find();
    expect(rows.map((r) => r.date)).to.deep.equal(['2026-12-24']);
  });
});
