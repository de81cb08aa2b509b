import { EntityManager, In, IsNull, MoreThan, Not } from 'typeorm';
import { JointMeeting, JointMeetingAgendaItem, JointMeetingUnit, Staff, Unit } from '../../entities';
import type { MeetingKind } from '../../entities/JointMeeting';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import { enqueue } from '../wecom/outbox';
import { Config } from '../config';
import { unitLiaisons } from '../directory/who';
import { MeetingCardView, meetingMinutesCard } from '../../cards/meeting.card';
import { TEXT } from './messages';
import { byteLength, cardPayload, textPayload } from '../wecom/messaging';

export const REF = { reminder: 'meeting_reminder', minutes: 'meeting_minutes', text: 'meeting_text', ackUpdate: 'meeting_ack_update' } as const;

export function meetingUrl(config: Config, id: number): string {
  return `${config.publicUrl}/api/v1/meetings/${id}`;
}

export async function cardViewOf(m: EntityManager, config: Config, meeting: JointMeeting): Promise<MeetingCardView> {
  const agendaCount = await m.getRepository(JointMeetingAgendaItem).countBy({ meetingId: meeting.id });
  return { id: meeting.id, kind: meeting.kind, title: meeting.title, scheduledAt: meeting.scheduledAt, place: meeting.place, agendaCount, url: meetingUrl(config, meeting.id), tz: config.officeTz };
}

export async function loadMeeting(m: EntityManager, id: number): Promise<JointMeeting> {
  const row = Number.isSafeInteger(id) ? await m.getRepository(JointMeeting).findOneBy({ id }) : null;
  if (!row) throw new AppError('meeting_not_found', `no meeting ${id}`);
  return row;
}

export interface ScheduleInput {
  kind: MeetingKind;
  title: string;
  scheduledAt: Date;
  place?: string | null;
  /** Member units; default every unit that is not the office. */
  units?: string[] | null;
}

/**
 * The office schedules a meeting (联席会议制度 三(一)); agenda items proposed for "the next
 * meeting" join it. A time in the past is refused.
 */
export async function scheduleMeeting(m: EntityManager, input: ScheduleInput, actor: string, now: Date): Promise<JointMeeting> {
  if (input.scheduledAt.getTime() <= now.getTime()) throw new AppError('meeting_time_past', 'a meeting is scheduled in the future');
  let codes: string[];
  if (input.units?.length) {
    codes = [...new Set(input.units)];
    const found = await m.getRepository(Unit).findBy({ code: In(codes) });
    const missing = codes.filter((c) => !found.some((u) => u.code === c));
    if (missing.length) throw new AppError('unit_unknown', `unknown units: ${missing.join(', ')}`);
  } else {
    codes = (await m.getRepository(Unit).find({ where: { isOffice: false }, order: { code: 'ASC' } })).map((u) => u.code);
  }
  const repo = m.getRepository(JointMeeting);
  const meeting = repo.create({
    kind: input.kind,
    title: input.title.trim(),
    scheduledAt: input.scheduledAt,
    place: input.place?.trim() || null,
    status: 'scheduled',
    minutes: null,
    minutesSentAt: null,
    createdBy: actor.slice(0, 100),
    createdAt: now,
    updatedAt: now,
  });
  await repo.insert(meeting);
  if (codes.length) {
    await m.getRepository(JointMeetingUnit).insert(codes.map((unitCode) => ({ meetingId: meeting.id, unitCode, remindedAt: null, minutesSentAt: null, acknowledgedAt: null, acknowledgedBy: null, progress: null, progressAt: null })));
  }
  await m.getRepository(JointMeetingAgendaItem).update({ meetingId: IsNull() }, { meetingId: meeting.id });
  return meeting;
}

export async function cancelMeeting(m: EntityManager, id: number, now: Date): Promise<JointMeeting> {
  const meeting = await loadMeeting(m, id);
  if (meeting.status !== 'scheduled') throw new AppError('meeting_invalid_state', `meeting ${id} is ${meeting.status}`);
  await m.getRepository(JointMeeting).update({ id }, { status: 'cancelled', updatedAt: now });
  // Its agenda items wait for the next meeting.
  await m.getRepository(JointMeetingAgendaItem).update({ meetingId: id }, { meetingId: null });
  return { ...meeting, status: 'cancelled', updatedAt: now };
}

/** The next meeting still ahead (agenda items proposed in the chat go there). */
export async function nextMeeting(m: EntityManager, now: Date): Promise<JointMeeting | null> {
  return m.getRepository(JointMeeting).findOne({ where: { status: 'scheduled', scheduledAt: MoreThan(now) }, order: { scheduledAt: 'ASC' } });
}

/** 联席会议制度 三(二): members propose agenda items; null meeting = the next one scheduled. */
export async function proposeAgenda(m: EntityManager, input: { text: string; unitCode: string | null; proposedBy: string; via: 'chat' | 'api'; meetingId?: number | null }, now: Date): Promise<{ item: JointMeetingAgendaItem; meeting: JointMeeting | null }> {
  const text = input.text.trim();
  if (!text) throw new AppError('validation_failed', 'an agenda item needs its text');
  let meeting: JointMeeting | null;
  if (input.meetingId) {
    meeting = await loadMeeting(m, input.meetingId);
    if (meeting.status !== 'scheduled') throw new AppError('meeting_invalid_state', `meeting ${meeting.id} is ${meeting.status}`);
  } else {
    meeting = await nextMeeting(m, now);
  }
  const item = m.getRepository(JointMeetingAgendaItem).create({ meetingId: meeting?.id ?? null, unitCode: input.unitCode, proposedBy: input.proposedBy.slice(0, 100), text: text.slice(0, 4000), via: input.via, proposedAt: now });
  await m.getRepository(JointMeetingAgendaItem).insert(item);
  return { item, meeting };
}

/** Splits text into pieces of at most `bytes` UTF-8 bytes (WeCom text: 2048). */
export function splitBytes(text: string, bytes: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (byteLength(cur + ch) > bytes) {
      out.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur || !out.length) out.push(cur);
  return out;
}

/**
 * 联席会议制度 三(五): minutes go to every member unit (its liaisons: a card with 确认收到 and
 * the full text); each unit's acknowledgement is tracked. Returns units nobody could receive.
 */
export async function sendMinutes(m: EntityManager, config: Config, cal: WorkingCalendar, id: number, minutes: string, now: Date): Promise<{ meeting: JointMeeting; unreachable: string[] }> {
  const meeting = await loadMeeting(m, id);
  if (meeting.status !== 'scheduled') throw new AppError('meeting_invalid_state', `meeting ${id} is ${meeting.status}; minutes are sent once`);
  if (meeting.scheduledAt.getTime() > now.getTime()) throw new AppError('meeting_invalid_state', `meeting ${id} has not taken place yet`);
  const body = minutes.trim();
  if (!body) throw new AppError('validation_failed', 'minutes need their text');
  const r = await m
    .createQueryBuilder()
    .update(JointMeeting)
    .set({ status: 'minuted', minutes: body, minutesSentAt: now, updatedAt: now, version: () => 'version + 1' } as Record<string, unknown>)
    .where('id = :id AND status = :s', { id, s: 'scheduled' })
    .execute();
  if (r.affected !== 1) throw new AppError('meeting_invalid_state', `meeting ${id} changed meanwhile`);
  Object.assign(meeting, { status: 'minuted', minutes: body, minutesSentAt: now });
  const view = await cardViewOf(m, config, meeting);
  const units = await m.getRepository(JointMeetingUnit).find({ where: { meetingId: id }, order: { unitCode: 'ASC' } });
  const today = cal.localDate(now);
  const pieces = splitBytes(body, 1800);
  const unreachable: string[] = [];
  for (const [ui, u] of units.entries()) {
    const to = await unitLiaisons(m, u.unitCode, today);
    if (!to.length) {
      unreachable.push(u.unitCode);
      continue;
    }
    for (const [si, s] of to.entries()) {
      const taskId = `mt${id}_${ui}_${si}`;
      await enqueue(m, { channel: 'message', payload: cardPayload(s.userid, meetingMinutesCard(view, body, taskId, now)), refType: REF.minutes, refId: taskId, dedupeKey: `meeting-card:${taskId}`, now });
      for (const [pi, p] of pieces.entries()) {
        await enqueue(m, { channel: 'message', payload: textPayload(s.userid, TEXT.minutesBody(meeting.title, pi + 1, pieces.length, p)), refType: REF.text, refId: String(id), dedupeKey: `meeting-minutes:${id}:${s.userid}:${pi}`, now });
      }
    }
    await m.getRepository(JointMeetingUnit).update({ id: u.id }, { minutesSentAt: now });
  }
  return { meeting, unreachable };
}

/** A member unit acknowledges the minutes (first click or call wins; later ones are told who). */
export async function acknowledge(m: EntityManager, id: number, unitCode: string, by: string, now: Date): Promise<{ unit: JointMeetingUnit; first: boolean; meeting: JointMeeting }> {
  const meeting = await loadMeeting(m, id);
  if (meeting.status !== 'minuted') throw new AppError('meeting_invalid_state', `meeting ${id} has no minutes yet`);
  const unit = await m.getRepository(JointMeetingUnit).findOneBy({ meetingId: id, unitCode });
  if (!unit) throw new AppError('meeting_not_found', `${unitCode} is not a member unit of meeting ${id}`);
  const r = await m.getRepository(JointMeetingUnit).update({ id: unit.id, acknowledgedAt: IsNull() }, { acknowledgedAt: now, acknowledgedBy: by.slice(0, 100) });
  if (r.affected === 1) return { unit: { ...unit, acknowledgedAt: now, acknowledgedBy: by }, first: true, meeting };
  return { unit: (await m.getRepository(JointMeetingUnit).findOneByOrFail({ id: unit.id })), first: false, meeting };
}

/** 联席会议制度 三(五): a member unit reports how it carries out the decisions. */
export async function reportProgress(m: EntityManager, id: number, unitCode: string, text: string, now: Date): Promise<JointMeetingUnit> {
  const meeting = await loadMeeting(m, id);
  if (meeting.status !== 'minuted') throw new AppError('meeting_invalid_state', `meeting ${id} has no minutes yet`);
  const unit = await m.getRepository(JointMeetingUnit).findOneBy({ meetingId: id, unitCode });
  if (!unit) throw new AppError('meeting_not_found', `${unitCode} is not a member unit of meeting ${id}`);
  const body = text.trim();
  if (!body) throw new AppError('validation_failed', 'progress needs its text');
  await m.getRepository(JointMeetingUnit).update({ id: unit.id }, { progress: body.slice(0, 4000), progressAt: now });
  return { ...unit, progress: body, progressAt: now };
}

export async function meetingJson(m: EntityManager, cal: WorkingCalendar, meeting: JointMeeting, full = true) {
  const iso = (d: Date | null) => (d ? formatInZone(cal, d) : null);
  const base = {
    id: meeting.id,
    kind: meeting.kind,
    title: meeting.title,
    scheduledAt: iso(meeting.scheduledAt),
    place: meeting.place,
    status: meeting.status,
    minutesSentAt: iso(meeting.minutesSentAt),
    createdBy: meeting.createdBy,
  };
  if (!full) return base;
  const units = await m.getRepository(JointMeetingUnit).find({ where: { meetingId: meeting.id }, order: { unitCode: 'ASC' } });
  const agenda = await m.getRepository(JointMeetingAgendaItem).find({ where: { meetingId: meeting.id }, order: { id: 'ASC' } });
  return {
    ...base,
    minutes: meeting.minutes,
    units: units.map((u) => ({ unit: u.unitCode, remindedAt: iso(u.remindedAt), minutesSentAt: iso(u.minutesSentAt), acknowledgedAt: iso(u.acknowledgedAt), acknowledgedBy: u.acknowledgedBy, progress: u.progress, progressAt: iso(u.progressAt) })),
    acknowledged: units.filter((u) => u.acknowledgedAt).length,
    awaitingAcknowledgement: meeting.status === 'minuted' ? units.filter((u) => !u.acknowledgedAt).map((u) => u.unitCode) : [],
    agenda: agenda.map((a) => ({ id: a.id, unit: a.unitCode, proposedBy: a.proposedBy, text: a.text, via: a.via, proposedAt: iso(a.proposedAt) })),
  };
}

export async function staffUnit(m: EntityManager, userid: string): Promise<Staff | null> {
  return m.getRepository(Staff).findOneBy({ userid });
}

/** The latest regular meeting that took place (or was due to), not cancelled. */
export async function lastRegularMeeting(m: EntityManager, now: Date): Promise<JointMeeting | null> {
  return m.getRepository(JointMeeting).findOne({ where: { kind: 'regular', status: Not('cancelled'), scheduledAt: Not(MoreThan(now)) }, order: { scheduledAt: 'DESC' } });
}

export async function upcomingRegularMeeting(m: EntityManager, now: Date): Promise<JointMeeting | null> {
  return m.getRepository(JointMeeting).findOne({ where: { kind: 'regular', status: 'scheduled', scheduledAt: MoreThan(now) }, order: { scheduledAt: 'ASC' } });
}
