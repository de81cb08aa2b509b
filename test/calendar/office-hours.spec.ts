import { expect } from 'chai';
import { DEFAULT_OFFICE_HOURS, formatOfficeHours, parseOfficeHours } from '../../src/calendar';
import { CalendarMother, thrown } from '../helpers/mothers/calendar';

describe('calendar / office hours (SPEC "Working time")', () => {
  it('parses the default 08:30-12:00,13:30-17:30 into minutes after midnight', () => {
    expect(parseOfficeHours(DEFAULT_OFFICE_HOURS)).to.deep.equal([
      { start: 510, end: 720 },
      { start: 810, end: 1050 },
    ]);
  });

  it('accepts one range, three ranges, spaces after commas, touching ranges and 24:00 as an end', () => {
    expect(parseOfficeHours('09:00-17:00')).to.deep.equal([{ start: 540, end: 1020 }]);
    expect(parseOfficeHours('08:00-10:00, 10:00-12:00 ,18:00-24:00')).to.deep.equal([
      { start: 480, end: 600 },
      { start: 600, end: 720 },
      { start: 1080, end: 1440 },
    ]);
  });

  it('round-trips through formatOfficeHours', () => {
    expect(formatOfficeHours(parseOfficeHours(' 08:30-12:00 , 13:30-17:30'))).to.equal('08:30-12:00,13:30-17:30');
  });

  const bad: Array<[string, string]> = [
    ['', 'empty'],
    ['8:30-12:00', 'not HH:MM-HH:MM'],
    ['08:30-12:00;13:30-17:30', 'not HH:MM-HH:MM'],
    ['08:30-12:00,', 'not HH:MM-HH:MM'],
    ['08:60-12:00', 'outside 00:00-24:00'],
    ['24:00-24:00', 'outside 00:00-24:00'],
    ['08:30-25:00', 'outside 00:00-24:00'],
    ['12:00-08:30', 'does not end after it starts'],
    ['08:30-08:30', 'does not end after it starts'],
    ['08:30-12:30,12:00-17:30', 'starts before the previous range ends'],
    ['13:30-17:30,08:30-12:00', 'starts before the previous range ends'],
  ];
  for (const [spec, why] of bad) {
    it(`rejects ${JSON.stringify(spec)} with calendar_invalid (${why})`, () => {
      const e = thrown(() => parseOfficeHours(spec));
      expect(e.code).to.equal('calendar_invalid');
      expect(e.message).to.contain('invalid office hours');
      if (why !== 'empty') expect(e.message).to.contain(why);
    });
  }

  it('buildCalendar uses the default hours and rejects bad ones', () => {
    expect(CalendarMother.shanghai().officeHours).to.equal('08:30-12:00,13:30-17:30');
    expect(CalendarMother.shanghai({ officeHours: '09:00-17:00' }).officeHours).to.equal('09:00-17:00');
    expect(thrown(() => CalendarMother.shanghai({ officeHours: 'nine to five' })).code).to.equal('calendar_invalid');
  });
});
