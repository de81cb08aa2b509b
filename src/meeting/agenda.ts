import { EntityManager } from 'typeorm';
import { JointMeeting, JointMeetingAgendaItem, Staff, Unit } from '../../entities';
import { AppError } from '../errors';
import { sendCard, sendText } from '../wecom/messaging';
import { agendaApprovalCard } from '../../cards/meeting-agenda.card';
import { convenor, convenors, memberUnit } from './members';
import { loadMeeting, nextMeeting, REF } from './service';
import { TEXT } from './messages';

/** Who puts an item on the agenda: a convenor directly, or a member unit (to be approved). */
export type Proposer = { kind: 'convenor'; userid: string } | { kind: 'unit'; unitCode: string; by: string };

/**
 * SPEC 5 (联席会议制度 三(二)): convenors set agenda items; member units propose them and a
 * convenor approves or declines each from a card. A unit that is not a member is refused.
 * No meeting id: the next meeting scheduled (or the one after it is scheduled).
 */
export async function proposeAgenda(m: EntityManager, input: { text: string; proposer: Proposer; via: 'chat' | 'api'; meetingId?: number | null }, now: Date): Promise<{ item: JointMeetingAgendaItem; meeting: JointMeeting | null }> {
  const text = input.text.trim();
  if (!text) throw new AppError('validation_failed', 'an agenda item needs its text');
  const p = input.proposer;
  if (p.kind === 'convenor' && !(await convenor(m, p.userid))) throw new AppError('meeting_not_convenor', `${p.userid} is not a convenor of the joint meeting`);
  if (p.kind === 'unit' && !(await memberUnit(m, p.unitCode))) throw new AppError('meeting_not_member', `${p.unitCode} is not a member unit of the joint meeting; only member units propose agenda items`);
  let meeting: JointMeeting | null;
  if (input.meetingId) {
    meeting = await loadMeeting(m, input.meetingId);
    if (meeting.status !== 'scheduled') throw new AppError('meeting_invalid_state', `meeting ${meeting.id} is ${meeting.status}`);
  } else {
    meeting = await nextMeeting(m, now);
  }
  const direct = p.kind === 'convenor';
  const item = m.getRepository(JointMeetingAgendaItem).create({
    meetingId: meeting?.id ?? null,
    unitCode: p.kind === 'unit' ? p.unitCode : (await m.getRepository(Staff).findOneBy({ userid: p.userid }))?.unitCode ?? null,
    proposedBy: (p.kind === 'unit' ? p.by : p.userid).slice(0, 100),
    text: text.slice(0, 4000),
    via: input.via,
    proposedAt: now,
    status: direct ? 'approved' : 'proposed',
    decidedBy: direct ? p.userid : null,
    decidedAt: direct ? now : null,
  });
  await m.getRepository(JointMeetingAgendaItem).insert(item);
  if (!direct) await askConvenors(m, item, meeting, now);
  return { item, meeting };
}

/** Every convenor gets the item with 同意 / 不同意; the first click decides. */
async function askConvenors(m: EntityManager, item: JointMeetingAgendaItem, meeting: JointMeeting | null, now: Date): Promise<void> {
  const unit = item.unitCode ? await m.getRepository(Unit).findOneBy({ code: item.unitCode }) : null;
  const view = { itemId: item.id, unitName: unit?.name ?? item.unitCode ?? '', text: item.text, meetingTitle: meeting?.title ?? null };
  for (const c of await convenors(m)) {
    const taskId = `ma${item.id}_${c.id}`;
    await sendCard(m, c.userid ?? '', agendaApprovalCard(view, taskId, now), now, { refType: REF.agenda, refId: taskId, dedupeKey: `meeting-agenda:${taskId}` });
  }
}

/** A convenor approves or declines a proposed item; the proposer is told when they can be. */
export async function decideAgenda(m: EntityManager, itemId: number, approve: boolean, by: string, now: Date): Promise<{ item: JointMeetingAgendaItem; first: boolean }> {
  if (!(await convenor(m, by))) throw new AppError('meeting_not_convenor', `${by} is not a convenor`);
  const repo = m.getRepository(JointMeetingAgendaItem);
  const item = Number.isSafeInteger(itemId) ? await repo.findOneBy({ id: itemId }) : null;
  if (!item) throw new AppError('meeting_not_found', `no agenda item ${itemId}`);
  const status = approve ? 'approved' : 'declined';
  const r = await repo.update({ id: item.id, status: 'proposed' }, { status, decidedBy: by, decidedAt: now });
  if (r.affected !== 1) return { item, first: false };
  const done = { ...item, status, decidedBy: by, decidedAt: now } as JointMeetingAgendaItem;
  if (await m.getRepository(Staff).findOneBy({ userid: item.proposedBy })) {
    await sendText(m, item.proposedBy, TEXT.agendaDecided(item.text, approve), now, { refType: REF.text, refId: String(item.id), dedupeKey: `meeting-agenda-decided:${item.id}` });
  }
  return { item: done, first: true };
}
