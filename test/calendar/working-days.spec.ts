import { expect } from 'chai';
import { coveredYears, HolidaySource, WorkingCalendar } from '../../src/calendar';
import { at, CalendarMother, thrown } from '../helpers/mothers/calendar';

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

describe('calendar / working days (SPEC "Working time")', () => {
  const cal = CalendarMother.shanghai();

  describe('State Council calendar from chinese-days (dist/chinese-days.json)', () => {
    it('knows 2004..2026 from the package and nothing before 2004', () => {
      const years = cal.knownYears();
      for (let y = 2004; y <= 2026; y++) expect(years, `year ${y}`).to.include(y);
      expect(years[0]).to.equal(2004);
      expect(cal.lastKnownDate()).to.equal(`${years[years.length - 1]}-12-31`);
    });

    // From the data: "workdays" 2025-01-26, 2025-02-08 (Spring Festival), 2025-04-27 (Labour Day),
    // 2025-09-28, 2025-10-11 (National Day); 2026-01-04, 02-14, 02-28, 05-09, 09-20, 10-10.
    const makeUpDays = [
      '2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11',
      '2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10',
    ];
    for (const d of makeUpDays) {
      it(`make-up weekend day ${d} is a working day`, () => {
        const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
        expect(wd === 0 || wd === 6, 'falls on a weekend').to.equal(true);
        expect(cal.isWorkingDay(d)).to.equal(true);
      });
    }

    it('National Day 2025 (10-01..10-08) is off, 09-28 and 10-11 are on, 10-09 is an ordinary working day', () => {
      for (const d of datesBetween('2025-10-01', '2025-10-08')) expect(cal.isWorkingDay(d), d).to.equal(false);
      expect(cal.isWorkingDay('2025-09-28')).to.equal(true);
      expect(cal.isWorkingDay('2025-10-11')).to.equal(true);
      expect(cal.isWorkingDay('2025-10-09')).to.equal(true);
      expect(cal.isWorkingDay('2025-10-12')).to.equal(false);
    });

    it('Spring Festival 2025 (01-28..02-04) is off', () => {
      for (const d of datesBetween('2025-01-28', '2025-02-04')) expect(cal.isWorkingDay(d), d).to.equal(false);
      expect(cal.isWorkingDay('2025-01-27')).to.equal(true);
      expect(cal.isWorkingDay('2025-02-05')).to.equal(true);
    });

    it('Spring Festival 2026 (02-15..02-23) is off, 02-14 and 02-28 (Saturdays) are on', () => {
      for (const d of datesBetween('2026-02-15', '2026-02-23')) expect(cal.isWorkingDay(d), d).to.equal(false);
      expect(cal.isWorkingDay('2026-02-14')).to.equal(true);
      expect(cal.isWorkingDay('2026-02-28')).to.equal(true);
      expect(cal.isWorkingDay('2026-02-24')).to.equal(true);
      expect(cal.isWorkingDay('2026-02-21')).to.equal(false);
    });

    it('counts the working days of a whole year (one wrong date changes the total)', () => {
      // 2025: 261 weekdays - 18 weekday holidays + 5 make-up days = 248.
      // 2026: 261 weekdays - 19 weekday holidays + 6 make-up days = 248.
      const count = (y: number) => datesBetween(`${y}-01-01`, `${y}-12-31`).filter((d) => cal.isWorkingDay(d)).length;
      expect(count(2025)).to.equal(248);
      expect(count(2026)).to.equal(248);
    });

    it('plain weekends are off and plain weekdays are on', () => {
      expect(cal.isWorkingDay('2026-11-28')).to.equal(false); // Saturday
      expect(cal.isWorkingDay('2026-11-29')).to.equal(false); // Sunday
      expect(cal.isWorkingDay('2026-11-30')).to.equal(true); // Monday
    });
  });

  describe('a year without holiday data', () => {
    it('is derived from the holiday regulation after the data, and marked provisional', () => {
      expect(cal.isDerivedYear(2027)).to.equal(true);
      expect(cal.isDerivedYear(2026)).to.equal(false);
      expect(cal.isWorkingDay('2031-03-03')).to.equal(true); // a Monday
      expect(cal.isWorkingDay('2031-01-01')).to.equal(false); // New Year, a Wednesday
      expect(cal.localDay(Math.floor(Date.UTC(2031, 2, 3) / 86_400_000)).provisional).to.equal(true);
      expect(cal.localDay(Math.floor(Date.UTC(2026, 2, 3) / 86_400_000)).provisional).to.equal(false);
      expect(cal.knownYears()).to.not.include(2031);
    });

    it('throws deadline_calendar_missing_year before the first known year and past the lunar tables', () => {
      const e = thrown(() => cal.isWorkingDay('2003-06-02'));
      expect(e.code).to.equal('deadline_calendar_missing_year');
      expect(e.message).to.contain('no working-day calendar for year 2003');
      expect(e.details).to.deep.include({ year: 2003 });
      expect(thrown(() => cal.isWorkingDay('2101-03-01')).code).to.equal('deadline_calendar_missing_year');
      expect(cal.isDerivedYear(2003)).to.equal(false);
      expect(cal.isDerivedYear(2101)).to.equal(false);
    });

    it('derivedYearsAround names this and next year when derived', () => {
      expect(cal.derivedYearsAround(at(cal, '2026-06-01T10:00'))).to.deep.equal([2027]);
      expect(cal.derivedYearsAround(at(cal, '2027-06-01T10:00'))).to.deep.equal([2027, 2028]);
      expect(cal.derivedYearsAround(at(cal, '2025-06-01T10:00'))).to.deep.equal([]);
      expect(CalendarMother.shanghai({ manualYears: [2027] }).derivedYearsAround(at(cal, '2027-06-01T10:00'))).to.deep.equal([2028]);
    });

    it('counts a year as known only when its Spring Festival is listed (a stray New Year entry is not enough)', () => {
      const source: HolidaySource = {
        holidays: { '2029-12-31': "New Year's Day,元旦,3", '2030-01-01': "New Year's Day,元旦,3", '2030-02-04': 'Spring Festival,春节,8' },
        workdays: { '2030-02-09': 'Spring Festival,春节,8' },
      };
      expect(coveredYears(source)).to.deep.equal([2030]);
      const fake = new WorkingCalendar({ tz: 'Asia/Shanghai' }, source);
      expect(fake.isWorkingDay('2030-02-04')).to.equal(false);
      expect(fake.isWorkingDay('2030-02-09')).to.equal(true);
      expect(thrown(() => fake.isWorkingDay('2029-12-31')).code).to.equal('deadline_calendar_missing_year');
    });

    it('rejects a calendar with no known year at all', () => {
      const e = thrown(() => new WorkingCalendar({ tz: 'Asia/Shanghai' }, { holidays: {}, workdays: {} }));
      expect(e.code).to.equal('calendar_invalid');
    });
  });

  describe('office overrides and hand-entered years', () => {
    const office = CalendarMother.shanghai({
      overrides: [
        { date: '2025-10-09', working: false }, // an ordinary Thursday marked off
        { date: '2025-10-04', working: true }, // a National Day Saturday marked on
        { date: '2025-11-15', working: true }, // a plain Saturday marked on
        { date: '2025-01-26', working: false }, // a make-up Sunday marked off
      ],
    });

    it('override wins over the package in both directions', () => {
      expect(office.isWorkingDay('2025-10-09')).to.equal(false);
      expect(office.isWorkingDay('2025-10-04')).to.equal(true);
      expect(office.isWorkingDay('2025-11-15')).to.equal(true);
      expect(office.isWorkingDay('2025-01-26')).to.equal(false);
      expect(office.isWorkingDay('2025-10-10')).to.equal(true);
      expect(office.isWorkingDay('2025-10-05')).to.equal(false);
    });

    it('an override alone does not make its year known (it applies on top of the derived year)', () => {
      const c = CalendarMother.shanghai({ overrides: [{ date: '2031-03-03', working: false }, { date: '2003-03-03', working: true }] });
      expect(c.isWorkingDay('2031-03-03')).to.equal(false);
      expect(c.isDerivedYear(2031)).to.equal(true);
      expect(thrown(() => c.isWorkingDay('2003-03-03')).code).to.equal('deadline_calendar_missing_year');
    });

    it('manualYears makes a year known: weekdays on, weekends off, overrides on top', () => {
      const year = Number(cal.lastKnownDate().slice(0, 4)) + 5;
      const firstMonday = [1, 2, 3, 4, 5, 6, 7].map((d) => `${year}-03-0${d}`).find((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1)!;
      const c = CalendarMother.shanghai({
        manualYears: [year],
        overrides: [{ date: addDays(firstMonday, 1), working: false }],
      });
      expect(c.knownYears()).to.include(year);
      expect(c.lastKnownDate()).to.equal(`${year}-12-31`);
      expect(c.isWorkingDay(firstMonday)).to.equal(true);
      expect(c.isWorkingDay(addDays(firstMonday, 1))).to.equal(false);
      expect(c.isWorkingDay(addDays(firstMonday, 5))).to.equal(false); // Saturday
      expect(c.isDerivedYear(year)).to.equal(false);
      expect(c.isDerivedYear(year - 1)).to.equal(true);
    });

    it('rejects bad overrides, bad years and unknown zones with calendar_invalid', () => {
      expect(thrown(() => CalendarMother.shanghai({ overrides: [{ date: '2025-02-30', working: true }] })).code).to.equal('calendar_invalid');
      expect(
        thrown(() =>
          CalendarMother.shanghai({ overrides: [{ date: '2025-10-09', working: true }, { date: '2025-10-09', working: false }] }),
        ).message,
      ).to.contain('2025-10-09');
      expect(thrown(() => CalendarMother.shanghai({ manualYears: [2027.5] })).code).to.equal('calendar_invalid');
      const tz = thrown(() => CalendarMother.inZone('Asia/Nowhere'));
      expect(tz.code).to.equal('calendar_invalid');
      expect(tz.message).to.contain('Asia/Nowhere');
    });

    it('rejects a malformed date in isWorkingDay with bad_request', () => {
      expect(thrown(() => cal.isWorkingDay('2025/10/09')).code).to.equal('bad_request');
      expect(thrown(() => cal.isWorkingDay('2025-02-29')).code).to.equal('bad_request');
    });
  });

  describe('coverageWarning (warn 60 days before the calendar runs out)', () => {
    const last = cal.lastKnownDate();

    it('is null with 61 days left and warns with 59', () => {
      expect(cal.coverageWarning(at(cal, `${addDays(last, -61)}T10:00`))).to.equal(null);
      expect(cal.coverageWarning(at(cal, `${addDays(last, -59)}T10:00`))).to.deep.equal({ lastKnownDate: last, daysLeft: 59 });
    });

    it('warns only when fewer than `days` remain (60 left is not yet a warning)', () => {
      expect(cal.coverageWarning(at(cal, `${addDays(last, -60)}T10:00`))).to.equal(null);
      expect(cal.coverageWarning(at(cal, `${addDays(last, -61)}T10:00`), 90)).to.deep.equal({ lastKnownDate: last, daysLeft: 61 });
    });

    it('counts days in the office zone, not in UTC', () => {
      // 00:30 in Shanghai is still the previous day in UTC.
      expect(cal.coverageWarning(at(cal, `${addDays(last, -59)}T00:30`))).to.deep.equal({ lastKnownDate: last, daysLeft: 59 });
    });

    it('is negative once the calendar has run out', () => {
      expect(cal.coverageWarning(at(cal, `${addDays(last, 10)}T10:00`))).to.deep.equal({ lastKnownDate: last, daysLeft: -10 });
    });

    it('rejects an invalid now with bad_request', () => {
      expect(thrown(() => cal.coverageWarning(new Date(NaN))).code).to.equal('bad_request');
    });

    it('stops at a gap in the known years', () => {
      const lastYear = Number(last.slice(0, 4));
      const gappy = CalendarMother.shanghai({ manualYears: [lastYear + 2] });
      expect(gappy.lastKnownDate()).to.equal(`${lastYear + 2}-12-31`);
      expect(gappy.coverageWarning(at(gappy, `${addDays(last, -30)}T10:00`))).to.deep.equal({ lastKnownDate: last, daysLeft: 30 });
      const joined = CalendarMother.shanghai({ manualYears: [lastYear + 1] });
      expect(joined.coverageWarning(at(joined, `${addDays(last, -30)}T10:00`))).to.equal(null);
    });
  });

  it('localDate reads the local date in the zone', () => {
    expect(cal.localDate(new Date('2026-11-26T16:30:00Z'))).to.equal('2026-11-27');
    expect(CalendarMother.inZone('UTC').localDate(new Date('2026-11-26T16:30:00Z'))).to.equal('2026-11-26');
  });
});
