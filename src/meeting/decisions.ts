import { EntityManager, In } from 'typeorm';
import { JointMeeting, JointMeetingDecision, Unit } from '../../entities';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import { sendCard } from '../wecom/messaging';
import { decisionProgressCard } from '../../cards/meeting-agenda.card';
import { meetingRecipients } from './members';

export interface MinutesDecisions {
  /** Each decision with the unit responsible and its due date (YYYY-MM-DD). */
  decisions: Array<{ text: string; unit: string; dueDate: string }>;
  /** Items without consensus: the office submits them to the county government. */
  noConsensus: Array<{ text: string }>;
}

export async function checkDecisions(m: EntityManager, d: MinutesDecisions): Promise<void> {
  const codes = [...new Set(d.decisions.map((x) => x.unit))];
  if (!codes.length) return;
  const found = new Set((await m.getRepository(Unit).findBy({ code: In(codes) })).map((u) => u.code));
  const missing = codes.filter((c) => !found.has(c));
  if (missing.length) throw new AppError('unit_unknown', `decisions: unknown responsible units ${missing.join(', ')}`);
}

const REF_PROGRESS = 'meeting_progress';

/** The progress card for one decision, to the responsible unit's meeting liaison. */
export async function sendProgressCard(m: EntityManager, meeting: JointMeeting, d: JointMeetingDecision, today: string, tag: string, now: Date): Promise<string[]> {
  if (!d.unitCode) return [];
  const to = await meetingRecipients(m, d.unitCode, today);
  for (const [i, userid] of to.entries()) {
    const taskId = `md${d.id}_${tag}_${i}`;
    const card = decisionProgressCard({ decisionId: d.id, meetingTitle: meeting.title, text: d.text, dueDate: d.dueDate }, taskId, now);
    await sendCard(m, userid, card, now, { refType: REF_PROGRESS, refId: taskId, dedupeKey: `meeting-progress:${taskId}` });
  }
  return to;
}

/**
 * SPEC 5: the minutes' decisions, each with its responsible unit (asked for progress at
 * once) and due date; items without consensus recorded as submitted to the county
 * government the same day.
 */
export async function recordDecisions(m: EntityManager, meeting: JointMeeting, d: MinutesDecisions, today: string, now: Date): Promise<void> {
  const repo = m.getRepository(JointMeetingDecision);
  let seq = 0;
  for (const x of d.decisions) {
    seq++;
    const row = repo.create({ meetingId: meeting.id, seq, text: x.text.trim(), unitCode: x.unit, dueDate: x.dueDate, consensus: true, progress: null, progressAt: null, progressBy: null, remindedAt: null, countySubmittedAt: null, countyOutcome: null, countyOutcomeAt: null });
    await repo.insert(row);
    await sendProgressCard(m, meeting, row, today, 'minutes', now);
  }
  for (const x of d.noConsensus) {
    seq++;
    await repo.insert({ meetingId: meeting.id, seq, text: x.text.trim(), unitCode: null, dueDate: null, consensus: false, progress: null, progressAt: null, progressBy: null, remindedAt: null, countySubmittedAt: now, countyOutcome: null, countyOutcomeAt: null });
  }
}

export async function decisionsOf(m: EntityManager, meetingId: number): Promise<JointMeetingDecision[]> {
  return m.getRepository(JointMeetingDecision).find({ where: { meetingId }, order: { seq: 'ASC' } });
}

export function decisionJson(cal: WorkingCalendar, d: JointMeetingDecision) {
  const iso = (x: Date | null) => (x ? formatInZone(cal, x) : null);
  return {
    id: d.id,
    text: d.text,
    consensus: d.consensus,
    unit: d.unitCode,
    dueDate: d.dueDate,
    progress: d.progress,
    progressAt: iso(d.progressAt),
    progressBy: d.progressBy,
    remindedAt: iso(d.remindedAt),
    countySubmittedAt: iso(d.countySubmittedAt),
    countyOutcome: d.countyOutcome,
    countyOutcomeAt: iso(d.countyOutcomeAt),
  };
}

async function loadDecision(m: EntityManager, id: number): Promise<JointMeetingDecision> {
  const d = Number.isSafeInteger(id) ? await m.getRepository(JointMeetingDecision).findOneBy({ id }) : null;
  if (!d) throw new AppError('meeting_not_found', `no decision ${id}`);
  return d;
}

/** SPEC 5: the responsible unit reports progress on its decision (the office may enter it). */
export async function reportDecisionProgress(m: EntityManager, id: number, unitCode: string | null, text: string, by: string, now: Date): Promise<JointMeetingDecision> {
  const d = await loadDecision(m, id);
  if (!d.consensus || !d.unitCode) throw new AppError('meeting_invalid_state', `decision ${id} was submitted to the county government; it has no responsible unit`);
  if (unitCode !== null && unitCode !== d.unitCode) throw new AppError('forbidden', `decision ${id} is ${d.unitCode}'s to report on`);
  const body = text.trim();
  if (!body) throw new AppError('validation_failed', 'progress needs its text');
  const values = { progress: body.slice(0, 4000), progressAt: now, progressBy: by.slice(0, 100) };
  await m.getRepository(JointMeetingDecision).update({ id }, values);
  return { ...d, ...values };
}

/** SPEC 5: the county government's answer on an item submitted without consensus. */
export async function recordCountyOutcome(m: EntityManager, id: number, text: string, now: Date): Promise<JointMeetingDecision> {
  const d = await loadDecision(m, id);
  if (d.consensus) throw new AppError('meeting_invalid_state', `decision ${id} was agreed by the meeting; it was not submitted to the county government`);
  const values = { countyOutcome: text.trim().slice(0, 4000), countyOutcomeAt: now };
  await m.getRepository(JointMeetingDecision).update({ id }, values);
  return { ...d, ...values };
}
