import { expect } from 'chai';
import { addDays, addMonths, mondayOf, shortTime, weekdayOf } from '../../src/calendar';
import { CalendarMother } from '../helpers/mothers/calendar';

describe('calendar / local dates', () => {
  it('adds days across month and year ends, and back', () => {
    expect(addDays('2026-12-31')).to.equal('2027-01-01');
    expect(addDays('2028-02-28', 1)).to.equal('2028-02-29');
    expect(addDays('2026-03-01', -1)).to.equal('2026-02-28');
    expect(addDays('2026-11-26', 0)).to.equal('2026-11-26');
  });

  it('adds months with the day clamped to the month end', () => {
    expect(addMonths('2026-08-31', 6)).to.equal('2027-02-28');
    expect(addMonths('2027-08-31', 6)).to.equal('2028-02-29');
    expect(addMonths('2026-01-15', -1)).to.equal('2025-12-15');
    expect(addMonths('2026-11-30', 1)).to.equal('2026-12-30');
  });

  it('names the weekday and the Monday of a week (Sunday belongs to the week before)', () => {
    expect(weekdayOf('2026-11-26')).to.equal(4);
    expect(mondayOf('2026-11-26')).to.equal('2026-11-23');
    expect(mondayOf('2026-11-23')).to.equal('2026-11-23');
    expect(mondayOf('2026-11-29')).to.equal('2026-11-23');
    expect(mondayOf('2027-01-02')).to.equal('2026-12-28');
  });

  it('prints an instant as YYYY-MM-DD HH:mm in the office zone', () => {
    expect(shortTime(CalendarMother.shanghai(), new Date('2026-11-26T16:30:59Z'))).to.equal('2026-11-27 00:30');
    expect(shortTime('UTC', new Date('2026-11-26T16:30:00Z'))).to.equal('2026-11-26 16:30');
  });
});
