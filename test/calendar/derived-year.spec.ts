import { expect } from 'chai';
import { computeDeadline, derivedHolidays, officeMinutesBetween } from '../../src/calendar';
import { CALENDAR_TEXT } from '../../src/calendar-admin/messages';
import { at, CalendarMother, show } from '../helpers/mothers/calendar';

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

describe('calendar / a whole year without holiday data (derived, provisional)', () => {
  const cal = CalendarMother.shanghai();
  const times = ['00:00', '08:29', '08:30', '10:00', '11:50', '12:00', '12:30', '13:30', '17:20', '17:29', '17:30', '21:00', '23:59'];

  for (const year of [2027, 2028]) {
    describe(String(year), () => {
      const off = new Set(derivedHolidays(year).map((h) => h.date));
      const days: string[] = [];
      for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) days.push(d);

      it('answers every day: weekends and derived holidays off, every other day on', () => {
        expect(cal.isDerivedYear(year)).to.equal(true);
        let working = 0;
        for (const d of days) {
          const expected = !off.has(d) && weekday(d) !== 0 && weekday(d) !== 6;
          expect(cal.isWorkingDay(d), d).to.equal(expected);
          if (expected) working++;
        }
        const weekdays = days.filter((d) => weekday(d) !== 0 && weekday(d) !== 6).length;
        const weekdaysOff = days.filter((d) => off.has(d) && weekday(d) !== 0 && weekday(d) !== 6).length;
        expect(working).to.equal(weekdays - weekdaysOff);
        // 13 statutory days, each made up when it falls on a weekend: always 13 weekdays off.
        expect(weekdaysOff).to.equal(13);
      });

      it('computes 30-minute, 1- and 2-working-day deadlines from every day at many times, all provisional', () => {
        let n = 0;
        for (const d of days) {
          for (const t of times) {
            const start = at(cal, `${d}T${t}`);
            for (const category of ['digital', 'paper', 'historical'] as const) {
              const due = computeDeadline(cal, category, start);
              n++;
              const dueDate = cal.localDate(due.dueAt);
              const where = `${category} from ${d}T${t} -> ${show(cal, due.dueAt)}`;
              expect(due.provisional, where).to.equal(true);
              expect(due.rule.endsWith(';provisional'), where).to.equal(true);
              expect(due.dueAt.getTime(), where).to.be.greaterThan(start.getTime());
              expect(off.has(dueDate), where).to.equal(false);
              expect([0, 6], where).to.not.include(weekday(dueDate));
              const clock = show(cal, due.dueAt).slice(11, 16);
              expect((clock > '08:30' && clock <= '12:00') || (clock > '13:30' && clock <= '17:30'), where).to.equal(true);
              if (category === 'digital') {
                expect(officeMinutesBetween(cal, start, due.dueAt), where).to.equal(30);
              } else {
                // The close of the Nth working day after the start day (the start day never counts).
                const want = category === 'paper' ? 1 : 2;
                expect(clock, where).to.equal('17:30');
                let between = 0;
                for (let x = addDays(cal.localDate(start), 1); x < dueDate; x = addDays(x, 1)) if (cal.isWorkingDay(x)) between++;
                expect(between + 1, where).to.equal(want);
              }
            }
          }
        }
        expect(n).to.equal(days.length * times.length * 3);
      });
    });
  }

  it('the rules stated in the README hold at Spring Festival 2027', () => {
    const due = (category: 'digital' | 'paper' | 'historical', local: string) => show(cal, computeDeadline(cal, category, at(cal, local)).dueAt);
    expect(due('paper', '2027-02-05T10:00')).to.equal('2027-02-11T17:30:00+08:00');
    expect(due('historical', '2027-02-05T10:00')).to.equal('2027-02-12T17:30:00+08:00');
    expect(due('digital', '2027-02-04T17:20')).to.equal('2027-02-11T08:50:00+08:00');
    expect(due('paper', '2027-02-04T10:00')).to.equal('2027-02-11T17:30:00+08:00');
    // New Year 2028 is a Saturday: Monday 3 January is its make-up day.
    expect(due('digital', '2027-12-31T17:20')).to.equal('2028-01-04T08:50:00+08:00');
  });

  it('the weekly warning names the derived years', () => {
    const text = CALENDAR_TEXT.coverage('2026-12-31', 35, cal.derivedYearsAround(at(cal, '2026-11-26T09:00')));
    expect(text).to.contain('工作日历即将用完').and.contain('2027 年尚无国务院节假日安排').and.contain('暂定');
    const after = CALENDAR_TEXT.coverage('2026-12-31', -30, cal.derivedYearsAround(at(cal, '2027-01-30T09:00')));
    expect(after).to.contain('工作日历已用完').and.contain('2027、2028 年').and.not.contain('无法计算');
  });
});
