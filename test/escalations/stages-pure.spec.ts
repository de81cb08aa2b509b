import { expect } from 'chai';
import { buildCalendar, computeDeadline } from '../../src/calendar';
import { DEFAULT_STAGE_RULES, decide, effectiveRules, inOfficeHours, nextWake, planStages } from '../../src/escalations/stages';
import { presetInstant } from '../../src/escalations/escalations';
import { formatLate } from '../../src/escalations/messages';

const cal = buildCalendar({ tz: 'Asia/Shanghai' });
const at = (s: string) => new Date(`${s}+08:00`);
const iso = (d: Date) => d.toISOString();

describe('scheduler: stage planning (pure)', () => {
  it('plans a digital request: 50% reminder and backup, 90% warning, escalation at the deadline (any hour)', () => {
    const start = at('2026-11-26T09:00:00');
    const due = computeDeadline(cal, 'digital', start).dueAt;
    const plan = planStages(cal, DEFAULT_STAGE_RULES, { category: 'digital', startedAt: start, dueAt: due, online: true }, null);
    expect(plan.map((s) => [s.stage, iso(s.at), s.anyHour])).to.deep.equal([
      ['reminder', iso(at('2026-11-26T09:15:00')), false],
      ['backup', iso(at('2026-11-26T09:15:00')), false],
      ['warning', iso(at('2026-11-26T09:27:00')), false],
      ['escalation1', iso(at('2026-11-26T09:30:00')), true],
    ]);
  });

  it('holds a stage on a window close (12:00) to the next opening, and a paper deadline to the next morning', () => {
    // 11:45 + 30 office minutes = 13:45; 50% falls at 12:00 exactly -> 13:30.
    const start = at('2026-11-26T11:45:00');
    const due = computeDeadline(cal, 'digital', start).dueAt;
    const plan = planStages(cal, DEFAULT_STAGE_RULES, { category: 'digital', startedAt: start, dueAt: due, online: true }, null);
    expect(iso(plan[0].raw)).to.equal(iso(at('2026-11-26T12:00:00')));
    expect(iso(plan[0].at)).to.equal(iso(at('2026-11-26T13:30:00')));
    const p = planStages(cal, DEFAULT_STAGE_RULES, { category: 'paper', startedAt: at('2026-11-26T16:00:00'), dueAt: at('2026-11-27T17:30:00'), online: true }, null);
    expect(iso(p.find((s) => s.stage === 'escalation1')!.at)).to.equal(iso(at('2026-11-30T08:30:00')));
  });

  it('an office order adds its own reminder, warning and level-2 escalation; offline requests only escalate', () => {
    const start = at('2026-11-26T09:00:00');
    const plan = planStages(cal, DEFAULT_STAGE_RULES, { category: 'digital', startedAt: start, dueAt: at('2026-11-26T09:30:00'), online: false }, { id: 7, createdAt: at('2026-11-26T10:00:00'), completeBy: at('2026-11-26T12:00:00') });
    expect(plan.map((s) => [s.stage, iso(s.at)])).to.deep.equal([
      ['escalation1', iso(at('2026-11-26T09:30:00'))],
      ['order7:reminder', iso(at('2026-11-26T11:00:00'))],
      ['order7:warning', iso(at('2026-11-26T11:48:00'))],
      ['order7:escalation2', iso(at('2026-11-26T12:00:00'))],
    ]);
  });

  it('decides: the latest reminder only, an escalation overtakes reminders, quiet hours hold all but any-hour stages', () => {
    const plan = planStages(cal, DEFAULT_STAGE_RULES, { category: 'digital', startedAt: at('2026-11-26T09:00:00'), dueAt: at('2026-11-26T09:30:00'), online: true }, null);
    const none = new Set<string>();
    const mid = decide(plan, none, at('2026-11-26T09:28:00'), true);
    expect(mid.fire.map((s) => s.stage)).to.deep.equal(['backup', 'warning']);
    expect(mid.skip.map((s) => [s.stage.stage, s.note])).to.deep.equal([['reminder', 'superseded']]);
    const late = decide(plan, none, at('2026-11-26T10:00:00'), true);
    expect(late.fire.map((s) => s.stage)).to.deep.equal(['backup', 'escalation1']);
    expect(late.skip.map((s) => s.stage.stage)).to.deep.equal(['reminder', 'warning']);
    const night = decide(plan, none, at('2026-11-26T19:00:00'), false);
    expect(night.fire.map((s) => s.stage)).to.deep.equal(['escalation1']);
    expect(night.wait.map((s) => s.stage)).to.deep.equal(['backup']);
    expect(iso(nextWake(cal, plan, new Set(['reminder', 'warning', 'escalation1']), at('2026-11-26T19:00:00'))!)).to.equal(iso(at('2026-11-27T08:30:00')));
    expect(nextWake(cal, plan, new Set(plan.map((s) => s.stage)), at('2026-11-26T19:00:00'))).to.equal(null);
  });

  it('with the office choosing escalation in office hours only, a digital escalation waits too', () => {
    const table = effectiveRules({ digital: { escalateOutsideOfficeHours: false } });
    const plan = planStages(cal, table, { category: 'digital', startedAt: at('2026-11-26T17:10:00'), dueAt: at('2026-11-27T08:40:00'), online: true }, null);
    expect(plan.find((s) => s.stage === 'escalation1')!.anyHour).to.equal(false);
    expect(inOfficeHours(cal, at('2026-11-26T17:30:00'))).to.equal(false);
    expect(inOfficeHours(cal, at('2026-11-26T17:29:59'))).to.equal(true);
  });

  it('order presets from a phone: 2 office hours, today closing, next working day, 3 working days; a past one is null', () => {
    const now = at('2026-11-27T16:00:00'); // a Friday
    expect(iso(presetInstant(cal, '2h', now)!)).to.equal(iso(at('2026-11-30T09:00:00')));
    expect(iso(presetInstant(cal, 'today', now)!)).to.equal(iso(at('2026-11-27T17:30:00')));
    expect(iso(presetInstant(cal, 'next_day', now)!)).to.equal(iso(at('2026-11-30T17:30:00')));
    expect(iso(presetInstant(cal, '3d', now)!)).to.equal(iso(at('2026-12-02T17:30:00')));
    expect(presetInstant(cal, 'today', at('2026-11-27T17:30:00'))).to.equal(null);
    expect(presetInstant(cal, 'today', at('2026-11-28T10:00:00'))).to.equal(null);
  });

  it('formats lateness in office time', () => {
    expect([0, 1, 59, 60, 125].map(formatLate)).to.deep.equal(['不足1分钟', '1分钟', '59分钟', '1小时', '2小时5分钟']);
  });
});
