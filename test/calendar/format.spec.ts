import { expect } from 'chai';
import { formatInZone, parseInstant } from '../../src/calendar';
import { shortTime } from '../../src/calendar/format';
import { CalendarMother, thrown } from '../helpers/mothers/calendar';

describe('calendar / format', () => {
  const cal = CalendarMother.shanghai();

  describe('formatInZone', () => {
    it('prints ISO-8601 with the office offset, seconds and no milliseconds', () => {
      expect(formatInZone(cal, new Date('2026-11-27T00:50:00.999Z'))).to.equal('2026-11-27T08:50:00+08:00');
      expect(formatInZone('Asia/Shanghai', new Date('2026-11-26T16:30:05Z'))).to.equal('2026-11-27T00:30:05+08:00');
    });

    it('prints other offsets, including negative and zero ones', () => {
      expect(formatInZone('UTC', new Date('2026-11-27T00:50:00Z'))).to.equal('2026-11-27T00:50:00+00:00');
      expect(formatInZone('America/New_York', new Date('2026-11-27T00:50:00Z'))).to.equal('2026-11-26T19:50:00-05:00');
      expect(formatInZone('Asia/Kolkata', new Date('2026-11-27T00:50:00Z'))).to.equal('2026-11-27T06:20:00+05:30');
    });

    it('rejects an invalid date', () => {
      expect(thrown(() => formatInZone(cal, new Date(NaN))).code).to.equal('bad_request');
    });
  });

  describe('shortTime', () => {
    it('keeps its last answer only for the same zone and instant: alternating zones, instants and invalid dates come out right', () => {
      const a = new Date('2026-11-27T00:50:00.000Z');
      const b = new Date('2026-11-27T00:50:00.999Z'); // same minute
      const c = new Date('2026-11-27T01:50:00.000Z');
      expect(shortTime(cal, a)).to.equal('2026-11-27 08:50');
      expect(shortTime(cal, a)).to.equal('2026-11-27 08:50');
      expect(shortTime('Asia/Shanghai', a)).to.equal('2026-11-27 08:50');
      expect(shortTime('America/New_York', a)).to.equal('2026-11-26 19:50');
      expect(shortTime('Asia/Shanghai', b)).to.equal('2026-11-27 08:50');
      expect(shortTime('Asia/Shanghai', c)).to.equal('2026-11-27 09:50');
      expect(shortTime('UTC', c)).to.equal('2026-11-27 01:50');
      expect(shortTime(cal, a)).to.equal('2026-11-27 08:50');
      expect(thrown(() => shortTime(cal, new Date(NaN))).code).to.equal('bad_request');
      expect(thrown(() => shortTime(cal, new Date(NaN))).code, 'twice: an invalid date is never remembered').to.equal('bad_request');
      expect(shortTime(cal, c)).to.equal('2026-11-27 09:50');
    });
  });

  describe('parseInstant', () => {
    it('reads Z and explicit offsets as given', () => {
      expect(parseInstant('2026-11-27T00:50:00Z', cal).toISOString()).to.equal('2026-11-27T00:50:00.000Z');
      expect(parseInstant('2026-11-27T08:50:00+08:00', 'UTC').toISOString()).to.equal('2026-11-27T00:50:00.000Z');
      expect(parseInstant('2026-11-26T19:50:00-05:00', cal).toISOString()).to.equal('2026-11-27T00:50:00.000Z');
      expect(parseInstant('2026-11-27T08:50+0800', cal).toISOString()).to.equal('2026-11-27T00:50:00.000Z');
      expect(parseInstant('2026-11-27T08:50:00.5+08', cal).toISOString()).to.equal('2026-11-27T00:50:00.500Z');
    });

    it('reads a time without offset as local time in the zone', () => {
      expect(parseInstant('2026-11-27T08:50:00', cal).toISOString()).to.equal('2026-11-27T00:50:00.000Z');
      expect(parseInstant('2026-11-27 08:50', 'Asia/Urumqi').toISOString()).to.equal('2026-11-27T02:50:00.000Z');
      expect(parseInstant('2026-11-27T08:50', 'UTC').toISOString()).to.equal('2026-11-27T08:50:00.000Z');
    });

    it('resolves daylight-saving edges: a skipped time moves forward, a repeated one takes the first', () => {
      expect(formatInZone('America/New_York', parseInstant('2026-03-08T02:30', 'America/New_York'))).to.equal('2026-03-08T03:30:00-04:00');
      expect(formatInZone('America/New_York', parseInstant('2026-11-01T01:30', 'America/New_York'))).to.equal('2026-11-01T01:30:00-04:00');
    });

    it('round-trips with formatInZone', () => {
      const d = new Date('2025-10-09T00:50:00Z');
      expect(parseInstant(formatInZone(cal, d), 'UTC').getTime()).to.equal(d.getTime());
    });

    const bad = ['', '2026-11-27', 'tomorrow', '2026-13-01T08:00', '2026-02-29T08:00', '2026-11-27T24:00', '2026-11-27T08:60',
      '2026-11-27T08:50:00+24:00', '2026-11-27T08:50:00 +08:00', '27/11/2026 08:50', '0099-11-27T08:50'];
    for (const s of bad) {
      it(`rejects ${JSON.stringify(s)} with bad_request`, () => {
        const e = thrown(() => parseInstant(s, cal));
        expect(e.code).to.equal('bad_request');
        expect(e.message).to.contain('invalid instant');
      });
    }
  });
});
