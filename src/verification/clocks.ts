/** The two clocks of a request (Art. 7) and lateness, read from the request alone. */
import { VerificationRequest } from '../../entities';
import { WorkingCalendar, officeMinutesBetween } from '../calendar';

export interface Clocks {
  /** The issuing unit's clock, against the deadline. */
  verification: { startedAt: Date; dueAt: Date; endedAt: Date | null; officeMinutes: number; running: boolean };
  /** Art. 7: the requesting unit's own case clock pauses while the request is out. */
  requesterCase: { caseStartedAt: Date | null; pausedFrom: Date; pausedUntil: Date | null; pausedOfficeMinutes: number; activeOfficeMinutes: number | null };
}

export function clocksOf(cal: WorkingCalendar, req: VerificationRequest, now: Date): Clocks {
  const end = req.closedAt;
  const out = end ? (req.verificationMinutes ?? Math.round(officeMinutesBetween(cal, req.startedAt, end))) : Math.round(officeMinutesBetween(cal, req.startedAt, now));
  let active: number | null = null;
  if (req.caseStartedAt) active = Math.max(0, Math.round(officeMinutesBetween(cal, req.caseStartedAt, now)) - out);
  return {
    verification: { startedAt: req.startedAt, dueAt: req.dueAt, endedAt: end, officeMinutes: out, running: !end },
    requesterCase: { caseStartedAt: req.caseStartedAt, pausedFrom: req.startedAt, pausedUntil: end, pausedOfficeMinutes: out, activeOfficeMinutes: active },
  };
}

/** Late: still open after the deadline, or answered after it. */
export function isOverdue(req: VerificationRequest, now: Date): boolean {
  // The deadline that counts: a late reclassification does not move it (Art. 7, 13).
  const due = (req.originalDueAt ?? req.dueAt).getTime();
  if (req.status === 'pending' || req.status === 'accepted' || req.status === 'returning') return now.getTime() > due;
  if ((req.status === 'answered' || req.status === 'returned') && req.closedAt) return req.closedAt.getTime() > due;
  return false;
}
