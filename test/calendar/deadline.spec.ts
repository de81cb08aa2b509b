import { expect } from 'chai';
import {
  addOfficeMinutes,
  computeDeadline,
  DEFAULT_DEADLINE_RULES,
  endOfWorkingDay,
  nextOfficeInstant,
  officeMinutesBetween,
  pointAtFraction,
} from '../../src/calendar';
import { at, CalendarMother, show, thrown } from '../helpers/mothers/calendar';

describe('calendar / deadlines (SPEC 1 Art. 7, "Working time")', () => {
  const cal = CalendarMother.shanghai();
  const plus = (local: string, minutes: number) => show(cal, addOfficeMinutes(cal, at(cal, local), minutes));

  describe('addOfficeMinutes', () => {
    it('17:20 + 30 is due 08:50 the next working day (SPEC example)', () => {
      expect(plus('2026-11-26T17:20', 30)).to.equal('2026-11-27T08:50:00+08:00');
    });

    it('11:50 + 30 skips the lunch break: 13:50', () => {
      expect(plus('2026-11-26T11:50', 30)).to.equal('2026-11-26T13:50:00+08:00');
    });

    it('may end exactly at the close: 17:20 + 10 is 17:30', () => {
      expect(plus('2026-11-26T17:20', 10)).to.equal('2026-11-26T17:30:00+08:00');
    });

    it('opened exactly at 17:30 counts from the next opening', () => {
      expect(plus('2026-11-26T17:30', 30)).to.equal('2026-11-27T09:00:00+08:00');
      expect(plus('2026-11-27T17:30', 30)).to.equal('2026-11-30T09:00:00+08:00'); // Friday -> Monday
    });

    it('opened before 08:30 or during lunch counts from the opening', () => {
      expect(plus('2026-11-26T07:00', 30)).to.equal('2026-11-26T09:00:00+08:00');
      expect(plus('2026-11-26T08:30', 30)).to.equal('2026-11-26T09:00:00+08:00');
      expect(plus('2026-11-26T12:30', 30)).to.equal('2026-11-26T14:00:00+08:00');
    });

    it('over a weekend: Friday 17:20 -> Monday 08:50; Saturday -> Monday 09:00', () => {
      expect(plus('2026-11-27T17:20', 30)).to.equal('2026-11-30T08:50:00+08:00');
      expect(plus('2026-11-28T10:00', 30)).to.equal('2026-11-30T09:00:00+08:00');
    });

    it('across National Day 2025: 09-30 17:20 -> 10-09 08:50', () => {
      expect(plus('2025-09-30T17:20', 30)).to.equal('2025-10-09T08:50:00+08:00');
    });

    it('a make-up Sunday counts: Saturday 2025-09-27 -> Sunday 09-28 09:00', () => {
      expect(plus('2025-09-27T10:00', 30)).to.equal('2025-09-28T09:00:00+08:00');
    });

    it('450 office minutes fill one default day exactly', () => {
      expect(plus('2026-11-26T08:30', 450)).to.equal('2026-11-26T17:30:00+08:00');
      expect(plus('2026-11-26T08:30', 451)).to.equal('2026-11-27T08:31:00+08:00');
    });

    it('keeps seconds and milliseconds of a start inside office hours', () => {
      const start = new Date(at(cal, '2026-11-26T09:00:10').getTime() + 250);
      expect(addOfficeMinutes(cal, start, 1).getTime() - start.getTime()).to.equal(60_000);
    });

    it('counts on into a derived year past the package data (New Year 2027 off, then the weekend)', () => {
      expect(cal.lastKnownDate()).to.equal('2026-12-31');
      expect(show(cal, addOfficeMinutes(cal, at(cal, '2026-12-31T17:20'), 30))).to.equal('2027-01-04T08:50:00+08:00');
      const due = computeDeadline(cal, 'digital', at(cal, '2026-12-31T17:20'));
      expect(due.provisional).to.equal(true);
      expect(due.rule).to.equal('digital:30_office_minutes;provisional');
      const inside = computeDeadline(cal, 'digital', at(cal, '2026-12-31T10:00'));
      expect(inside).to.deep.equal({ dueAt: at(cal, '2026-12-31T10:30'), rule: 'digital:30_office_minutes', provisional: false });
    });

    it('throws deadline_calendar_missing_year when the count runs past the last derivable year', () => {
      const e = thrown(() => addOfficeMinutes(cal, at(cal, '2100-12-31T17:20'), 30));
      expect(e.code).to.equal('deadline_calendar_missing_year');
      expect(e.message).to.contain('2101');
    });

    it('rejects negative or non-finite minutes and invalid dates', () => {
      expect(thrown(() => addOfficeMinutes(cal, at(cal, '2026-11-26T10:00'), -1)).code).to.equal('bad_request');
      expect(thrown(() => addOfficeMinutes(cal, at(cal, '2026-11-26T10:00'), NaN)).code).to.equal('bad_request');
      expect(thrown(() => addOfficeMinutes(cal, new Date(NaN), 30)).code).to.equal('bad_request');
    });
  });

  describe('endOfWorkingDay ("within N working days")', () => {
    const end = (local: string, n: number) => show(cal, endOfWorkingDay(cal, at(cal, local), n));

    it('paper opened Friday 16:00 is due Monday 17:30', () => {
      expect(end('2026-11-27T16:00', 1)).to.equal('2026-11-30T17:30:00+08:00');
    });

    it('the start day never counts, even when opened after the close or on a holiday', () => {
      expect(end('2026-11-26T20:00', 1)).to.equal('2026-11-27T17:30:00+08:00');
      expect(end('2026-11-26T07:00', 1)).to.equal('2026-11-27T17:30:00+08:00');
      expect(end('2025-10-03T10:00', 1)).to.equal('2025-10-09T17:30:00+08:00');
      expect(end('2025-10-03T10:00', 2)).to.equal('2025-10-10T17:30:00+08:00');
    });

    it('uses the local day: 00:10 Friday in Shanghai (Thursday in UTC) -> Monday', () => {
      expect(end('2026-11-27T00:10', 1)).to.equal('2026-11-30T17:30:00+08:00');
    });

    it('across National Day 2025 and onto the make-up Saturday 10-11', () => {
      expect(end('2025-09-30T10:00', 1)).to.equal('2025-10-09T17:30:00+08:00');
      expect(end('2025-09-30T10:00', 2)).to.equal('2025-10-10T17:30:00+08:00');
      expect(end('2025-10-09T10:00', 2)).to.equal('2025-10-11T17:30:00+08:00');
    });

    it('Spring Festival 2026: Friday 02-13 -> make-up Saturday 02-14, then Tuesday 02-24', () => {
      expect(end('2026-02-13T10:00', 1)).to.equal('2026-02-14T17:30:00+08:00');
      expect(end('2026-02-13T10:00', 2)).to.equal('2026-02-24T17:30:00+08:00');
      expect(end('2026-02-14T10:00', 1)).to.equal('2026-02-24T17:30:00+08:00');
    });

    it('5 working days (complaints, SPEC 3 Art. 10)', () => {
      expect(end('2026-11-26T10:00', 5)).to.equal('2026-12-03T17:30:00+08:00');
    });

    it('ends at the last window of the configured office hours', () => {
      const late = CalendarMother.shanghai({ officeHours: '09:00-12:00,14:00-18:00' });
      expect(show(late, endOfWorkingDay(late, at(late, '2026-11-26T10:00'), 1))).to.equal('2026-11-27T18:00:00+08:00');
    });

    it('rejects n < 1 or a fraction', () => {
      expect(thrown(() => endOfWorkingDay(cal, at(cal, '2026-11-26T10:00'), 0)).code).to.equal('bad_request');
      expect(thrown(() => endOfWorkingDay(cal, at(cal, '2026-11-26T10:00'), 1.5)).code).to.equal('bad_request');
    });
  });

  describe('computeDeadline', () => {
    it('applies the SPEC 1 Art. 7 defaults with stable rule names', () => {
      const start = at(cal, '2026-11-26T17:20');
      const digital = computeDeadline(cal, 'digital', start);
      expect(show(cal, digital.dueAt)).to.equal('2026-11-27T08:50:00+08:00');
      expect(digital.rule).to.equal('digital:30_office_minutes');
      const paper = computeDeadline(cal, 'paper', start);
      expect(show(cal, paper.dueAt)).to.equal('2026-11-27T17:30:00+08:00');
      expect(paper.rule).to.equal('paper:end_of_working_day+1');
      const historical = computeDeadline(cal, 'historical', start);
      expect(show(cal, historical.dueAt)).to.equal('2026-11-30T17:30:00+08:00');
      expect(historical.rule).to.equal('historical:end_of_working_day+2');
    });

    it('historical across the make-up Saturday after National Day 2025', () => {
      expect(show(cal, computeDeadline(cal, 'historical', at(cal, '2025-10-09T09:00')).dueAt)).to.equal('2025-10-11T17:30:00+08:00');
    });

    it('follows office overrides (office marks 2025-10-09 off)', () => {
      const office = CalendarMother.shanghai({ overrides: [{ date: '2025-10-09', working: false }] });
      expect(show(office, computeDeadline(office, 'paper', at(office, '2025-09-30T10:00')).dueAt)).to.equal('2025-10-10T17:30:00+08:00');
      expect(show(office, computeDeadline(office, 'digital', at(office, '2025-09-30T17:20')).dueAt)).to.equal('2025-10-10T08:50:00+08:00');
    });

    it('rules can be configured per category; the others keep their defaults', () => {
      const rules = { digital: { kind: 'office_minutes', minutes: 60 }, paper: { kind: 'end_of_working_day', days: 3 } } as const;
      const start = at(cal, '2026-11-26T17:20');
      const digital = computeDeadline(cal, 'digital', start, rules);
      expect(show(cal, digital.dueAt)).to.equal('2026-11-27T09:20:00+08:00');
      expect(digital.rule).to.equal('digital:60_office_minutes');
      const paper = computeDeadline(cal, 'paper', start, rules);
      expect(show(cal, paper.dueAt)).to.equal('2026-12-01T17:30:00+08:00');
      expect(paper.rule).to.equal('paper:end_of_working_day+3');
      expect(computeDeadline(cal, 'historical', start, rules).rule).to.equal('historical:end_of_working_day+2');
      expect(DEFAULT_DEADLINE_RULES.digital).to.deep.equal({ kind: 'office_minutes', minutes: 30 });
    });

    it('rejects an unknown category, a bad rule and an invalid start', () => {
      const start = at(cal, '2026-11-26T10:00');
      expect(thrown(() => computeDeadline(cal, 'urgent' as never, start)).code).to.equal('bad_request');
      expect(thrown(() => computeDeadline(cal, 'toString' as never, start)).code).to.equal('bad_request');
      expect(thrown(() => computeDeadline(cal, 'paper', start, { paper: { kind: 'end_of_working_day', days: 0 } })).code).to.equal(
        'calendar_invalid',
      );
      expect(thrown(() => computeDeadline(cal, 'digital', start, { digital: { kind: 'office_minutes', minutes: -5 } })).code).to.equal(
        'calendar_invalid',
      );
      expect(thrown(() => computeDeadline(cal, 'digital', new Date('nonsense'))).code).to.equal('bad_request');
    });
  });

  describe('nextOfficeInstant (hold night reminders until the opening)', () => {
    const next = (local: string) => show(cal, nextOfficeInstant(cal, at(cal, local)));

    it('returns t itself inside office hours, to the millisecond', () => {
      const t = new Date(at(cal, '2026-11-26T10:15:07').getTime() + 123);
      expect(nextOfficeInstant(cal, t).getTime()).to.equal(t.getTime());
      expect(next('2026-11-26T08:30')).to.equal('2026-11-26T08:30:00+08:00');
    });

    it('moves night, lunch, the close itself, weekends and holidays to the next opening', () => {
      expect(next('2026-11-26T22:00')).to.equal('2026-11-27T08:30:00+08:00');
      expect(next('2026-11-26T12:00')).to.equal('2026-11-26T13:30:00+08:00');
      expect(next('2026-11-26T17:30')).to.equal('2026-11-27T08:30:00+08:00');
      expect(next('2026-11-28T03:00')).to.equal('2026-11-30T08:30:00+08:00');
      expect(next('2025-10-01T10:00')).to.equal('2025-10-09T08:30:00+08:00');
    });
  });

  describe('officeMinutesBetween and pointAtFraction (reminders at 50% and 90%)', () => {
    it('counts office minutes in [a, b)', () => {
      expect(officeMinutesBetween(cal, at(cal, '2026-11-26T10:00'), at(cal, '2026-11-27T17:30'))).to.equal(810);
      expect(officeMinutesBetween(cal, at(cal, '2025-09-30T17:00'), at(cal, '2025-10-09T09:00'))).to.equal(60);
      expect(officeMinutesBetween(cal, at(cal, '2026-11-26T08:30:30'), at(cal, '2026-11-26T08:31'))).to.equal(0.5);
      expect(officeMinutesBetween(cal, at(cal, '2026-11-26T12:00'), at(cal, '2026-11-26T13:30'))).to.equal(0);
      expect(officeMinutesBetween(cal, at(cal, '2026-11-27T10:00'), at(cal, '2026-11-26T10:00'))).to.equal(0);
    });

    it('0.5 of 11:50 -> 13:50 is 13:35, not the wall-clock midpoint 12:50', () => {
      const start = at(cal, '2026-11-26T11:50');
      const due = addOfficeMinutes(cal, start, 30);
      expect(show(cal, pointAtFraction(cal, start, due, 0.5))).to.equal('2026-11-26T13:35:00+08:00');
      expect(show(cal, pointAtFraction(cal, start, due, 0.9))).to.equal('2026-11-26T13:47:00+08:00');
    });

    it('works over a paper deadline (810 office minutes)', () => {
      const start = at(cal, '2026-11-26T10:00');
      const due = computeDeadline(cal, 'paper', start).dueAt;
      expect(show(cal, pointAtFraction(cal, start, due, 0.5))).to.equal('2026-11-27T09:15:00+08:00');
      expect(show(cal, pointAtFraction(cal, start, due, 0.9))).to.equal('2026-11-27T16:09:00+08:00');
      expect(pointAtFraction(cal, start, due, 1).getTime()).to.equal(due.getTime());
    });

    it('fraction 0 is the first office instant; bad fractions are rejected', () => {
      const start = at(cal, '2026-11-26T07:00');
      const due = at(cal, '2026-11-26T10:00');
      expect(show(cal, pointAtFraction(cal, start, due, 0))).to.equal('2026-11-26T08:30:00+08:00');
      expect(thrown(() => pointAtFraction(cal, start, due, 1.1)).code).to.equal('bad_request');
      expect(thrown(() => pointAtFraction(cal, start, due, NaN)).code).to.equal('bad_request');
    });
  });

  describe('other time zones', () => {
    it('Asia/Urumqi (UTC+6): same local rule, a different instant', () => {
      const urumqi = CalendarMother.inZone('Asia/Urumqi');
      const due = addOfficeMinutes(urumqi, at(urumqi, '2026-11-26T17:20'), 30);
      expect(show(urumqi, due)).to.equal('2026-11-27T08:50:00+06:00');
      expect(due.toISOString()).to.equal('2026-11-27T02:50:00.000Z');
    });

    it('UTC with 09:00-17:00 office hours', () => {
      const utc = CalendarMother.inZone('UTC', { officeHours: '09:00-17:00' });
      expect(show(utc, addOfficeMinutes(utc, new Date('2026-11-26T16:50:00Z'), 30))).to.equal('2026-11-27T09:20:00+00:00');
      expect(show(utc, computeDeadline(utc, 'paper', new Date('2026-11-26T23:59:00Z')).dueAt)).to.equal('2026-11-27T17:00:00+00:00');
    });

    it('Europe/Berlin across the switch to summer time (2026-03-29)', () => {
      const berlin = CalendarMother.inZone('Europe/Berlin');
      const start = at(berlin, '2026-03-27T17:20');
      const due = addOfficeMinutes(berlin, start, 30);
      expect(show(berlin, start)).to.equal('2026-03-27T17:20:00+01:00');
      expect(show(berlin, due)).to.equal('2026-03-30T08:50:00+02:00');
      expect(officeMinutesBetween(berlin, start, due)).to.equal(30);
    });
  });
});
