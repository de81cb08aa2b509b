import { expect } from 'chai';
import { addOfficeMinutes, computeDeadline, DEADLINE_CATEGORIES, officeMinutesBetween, WorkingCalendar } from '../../src/calendar';
import { CalendarMother } from '../helpers/mothers/calendar';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FROM = Date.parse('2025-01-01T00:00:00+08:00');
const TO = Date.parse('2026-12-01T00:00:00+08:00');

/** Brute force for Asia/Shanghai (fixed +08:00 since 1992): walk minute by minute. */
function bruteAddMinutes(cal: WorkingCalendar, start: number, minutes: number): number {
  const inOffice = (ms: number) => {
    const local = new Date(ms + 8 * 3_600_000);
    const m = local.getUTCHours() * 60 + local.getUTCMinutes();
    return cal.isWorkingDay(local.toISOString().slice(0, 10)) && ((m >= 510 && m < 720) || (m >= 810 && m < 1050));
  };
  let t = start;
  while (!inOffice(t)) t += 60_000;
  for (let left = minutes; left > 0; left--) {
    t += 60_000;
    if (left > 1) while (!inOffice(t)) t += 60_000;
  }
  return t;
}

describe('calendar / properties', () => {
  const cal = CalendarMother.shanghai();

  it('officeMinutesBetween(start, addOfficeMinutes(start, m)) == m over 5000 random starts', () => {
    const r = rng(20261126);
    for (let i = 0; i < 5000; i++) {
      const start = new Date(FROM + Math.floor(r() * (TO - FROM)));
      const m = i % 5 === 0 ? Math.round(r() * 100) / 4 : Math.floor(r() * 3000);
      const due = addOfficeMinutes(cal, start, m);
      const label = `start=${start.toISOString()} m=${m}`;
      expect(due.getTime(), label).to.be.at.least(start.getTime());
      expect(officeMinutesBetween(cal, start, due), label).to.equal(m);
    }
  });

  it('agrees with a minute-by-minute brute force on whole-minute starts', () => {
    const r = rng(7);
    for (let i = 0; i < 300; i++) {
      const start = FROM + Math.floor(r() * ((TO - FROM) / 60_000)) * 60_000;
      const m = 1 + Math.floor(r() * 1200);
      expect(addOfficeMinutes(cal, new Date(start), m).getTime(), `start=${new Date(start).toISOString()} m=${m}`).to.equal(
        bruteAddMinutes(cal, start, m),
      );
    }
  });

  it('every deadline is after its start and is the close of a window or inside office hours', () => {
    const r = rng(42);
    for (let i = 0; i < 2000; i++) {
      const start = new Date(FROM + Math.floor(r() * (TO - FROM)));
      const category = DEADLINE_CATEGORIES[i % 3];
      const { dueAt } = computeDeadline(cal, category, start);
      expect(dueAt.getTime()).to.be.greaterThan(start.getTime());
      const local = new Date(dueAt.getTime() + 8 * 3_600_000);
      expect(cal.isWorkingDay(local.toISOString().slice(0, 10))).to.equal(true);
      if (category !== 'digital') expect(local.toISOString().slice(11, 19)).to.equal('17:30:00');
    }
  });
});
