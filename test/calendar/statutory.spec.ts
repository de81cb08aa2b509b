import { expect } from 'chai';
import { getSolarDateFromLunar } from 'chinese-days';
import { derivedHolidays, PACKAGE_HOLIDAYS, statutoryDays } from '../../src/calendar';
import { CalendarMother, thrown } from '../helpers/mothers/calendar';

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

describe('calendar / statutory holidays derived for a year without State Council data', () => {
  it('2027: Spring Festival is Saturday 6 February, 5-8 February off, 9-10 February make up the weekend days', () => {
    expect(weekday('2027-02-06')).to.equal(6);
    const spring = derivedHolidays(2027).filter((h) => h.festival === 'spring_festival');
    expect(spring.map((h) => `${h.date}:${h.kind}`)).to.deep.equal([
      '2027-02-05:statutory',
      '2027-02-06:statutory',
      '2027-02-07:statutory',
      '2027-02-08:statutory',
      '2027-02-09:make_up',
      '2027-02-10:make_up',
    ]);
    const cal = CalendarMother.shanghai();
    expect(cal.isWorkingDay('2027-02-04')).to.equal(true);
    for (const d of ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10']) expect(cal.isWorkingDay(d), d).to.equal(false);
    expect(cal.isWorkingDay('2027-02-11')).to.equal(true);
  });

  it('2027 in full: every festival of the regulation, with its make-up days', () => {
    expect(derivedHolidays(2027).map((h) => `${h.date} ${h.festival} ${h.kind}`)).to.deep.equal([
      '2027-01-01 new_year statutory', // Friday
      '2027-02-05 spring_festival statutory',
      '2027-02-06 spring_festival statutory',
      '2027-02-07 spring_festival statutory',
      '2027-02-08 spring_festival statutory',
      '2027-02-09 spring_festival make_up',
      '2027-02-10 spring_festival make_up',
      '2027-04-05 qingming statutory', // Monday, the Qingming solar term
      '2027-05-01 labour_day statutory', // Saturday
      '2027-05-02 labour_day statutory', // Sunday
      '2027-05-03 labour_day make_up',
      '2027-05-04 labour_day make_up',
      '2027-06-09 dragon_boat statutory', // lunar 5/5
      '2027-09-15 mid_autumn statutory', // lunar 8/15
      '2027-10-01 national_day statutory',
      '2027-10-02 national_day statutory', // Saturday
      '2027-10-03 national_day statutory', // Sunday
      '2027-10-04 national_day make_up',
      '2027-10-05 national_day make_up',
    ]);
  });

  it("New Year's Eve is the day before the 1st, never lunar 12/30 (2025's twelfth month had 29 days)", () => {
    // The package maps the missing 30th to the next month's 1st: it would put the Eve on the festival itself.
    expect(getSolarDateFromLunar('2024-12-30').date).to.equal('2025-01-29');
    expect(statutoryDays(2025).find((f) => f.festival === 'spring_festival')!.dates).to.deep.equal(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31']);
  });

  it('a festival inside another (Mid-Autumn on 3 October 2028) is made up after the holiday, like a weekend day', () => {
    const autumn = derivedHolidays(2028).filter((h) => h.date >= '2028-09-01');
    // 1 October 2028 is a Sunday.
    expect(autumn.map((h) => `${h.date} ${h.festival} ${h.kind}`)).to.deep.equal([
      '2028-10-01 national_day statutory',
      '2028-10-02 national_day statutory',
      '2028-10-03 national_day statutory',
      '2028-10-04 national_day make_up',
      '2028-10-05 mid_autumn make_up',
    ]);
  });

  it('makes up every lost day on a weekday: 13 weekdays off, no date twice (2027-2100)', () => {
    for (let y = 2027; y <= 2100; y++) {
      const days = derivedHolidays(y);
      expect(new Set(days.map((h) => h.date)).size, String(y)).to.equal(days.length);
      for (const h of days) {
        expect(h.date.slice(0, 4), h.date).to.equal(String(y));
        if (h.kind === 'make_up') expect([0, 6], h.date).to.not.include(weekday(h.date));
      }
      // 13 statutory days; each one on a weekend or inside another festival is made up on a weekday.
      expect(days.filter((h) => ![0, 6].includes(weekday(h.date))).length, String(y)).to.equal(13);
    }
  });

  describe('against the State Council data the package holds (2020-2026)', () => {
    const official = PACKAGE_HOLIDAYS.holidays;

    it('every statutory day derived is inside the official holidays (but 2024 Eve, before the 2024 amendment)', () => {
      const outside: string[] = [];
      for (let y = 2020; y <= 2026; y++) {
        for (const f of statutoryDays(y)) for (const d of f.dates) if (!Object.prototype.hasOwnProperty.call(official, d)) outside.push(`${f.festival}:${d}`);
      }
      // Until 2025 the Spring Festival was 1/1-1/3; the 2024 notice left Friday 9 February (Eve) a working day.
      expect(outside).to.deep.equal(['spring_festival:2024-02-09']);
    });

    it('the make-up days derived fall inside the official holidays too (the official breaks are longer)', () => {
      for (let y = 2020; y <= 2026; y++) {
        for (const h of derivedHolidays(y).filter((x) => x.kind === 'make_up')) {
          expect(Object.prototype.hasOwnProperty.call(official, h.date), h.date).to.equal(true);
        }
      }
    });
  });

  it('refuses a year outside the lunar tables', () => {
    expect(thrown(() => statutoryDays(2101)).code).to.equal('deadline_calendar_missing_year');
    expect(thrown(() => statutoryDays(1900)).code).to.equal('deadline_calendar_missing_year');
  });
});
