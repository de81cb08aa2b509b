/**
 * 投诉举报办法 Art. 10: a complex case may be extended once, by at most 5 working days.
 * The agency applies before the deadline passes, with a reason; the office, as supervisor,
 * grants or refuses. The case is `extended` only once the office has granted it, and the
 * complainant is then told the new date and the reason (lifecycle.ts apply).
 */
import { EntityManager, In, MoreThanOrEqual } from 'typeorm';
import { Complaint, ComplaintExtension } from '../../entities';
import { AppError } from '../errors';
import { endOfWorkingDay, formatInZone } from '../calendar';
import { officeMembers, unitContacts } from '../directory/who';
import { complaintExtensionCard } from '../../cards/complaint-extension.card';
import { addEvent } from './events';
import { LIAISON, OVERSIGHT } from './lifecycle-messages';
import { Ctx, LIMITS, apply, checkNotDuplicate, invalid, lockComplaint, optionalText, requireText } from './lifecycle';
import { MAX_EXTENSION_WORKING_DAYS } from './model';
import { cardToStaff, officeOrMembers, textToStaff } from './notify';

/** The applications of the case's current handling period (a reopened case starts a new one). */
export async function currentApplications(m: EntityManager, c: Complaint): Promise<ComplaintExtension[]> {
  const since = c.acceptedAt ?? c.registeredAt;
  return m.find(ComplaintExtension, { where: { complaintId: c.id, requestedAt: MoreThanOrEqual(since), status: In(['pending', 'granted', 'refused']) }, order: { id: 'ASC' } });
}

export async function pendingApplication(m: EntityManager, complaintId: number): Promise<ComplaintExtension | null> {
  return m.findOne(ComplaintExtension, { where: { complaintId, status: 'pending' }, order: { id: 'DESC' } });
}

/** Why an application is refused before anything is written, or null when it may be made. */
export async function extensionBar(m: EntityManager, c: Complaint, now: Date): Promise<'second' | 'late' | 'state' | null> {
  if (c.status === 'extended' || (await currentApplications(m, c)).length > 0) return 'second';
  if (c.status !== 'accepted' || !c.dueAt) return 'state';
  if (now.getTime() >= c.dueAt.getTime()) return 'late';
  return null;
}

export interface ExtensionBody {
  days: number;
  reason: string;
}

/**
 * The agency `agencyCode` applies. Refused (nothing written) when the case is not its own,
 * when an application was already made in this handling period, or once the deadline passed.
 */
export async function applyForExtension(m: EntityManager, id: number, body: ExtensionBody, agencyCode: string, ctx: Ctx): Promise<{ complaint: Complaint; extension: ComplaintExtension }> {
  if (!Number.isInteger(body.days) || body.days < 1 || body.days > MAX_EXTENSION_WORKING_DAYS) {
    throw invalid(`days must be a whole number from 1 to ${MAX_EXTENSION_WORKING_DAYS}`, 'days');
  }
  const reason = requireText(body.reason, 'reason', LIMITS.reason, 2);
  const c = await lockComplaint(m, id);
  checkNotDuplicate(c);
  if (c.agencyCode !== agencyCode) throw new AppError('forbidden', `${c.number} is not a case against ${agencyCode}: only the agency complained about applies`);
  const bar = await extensionBar(m, c, ctx.now);
  if (bar === 'second') throw new AppError('complaint_extension_refused', `${c.number}: an extension was already applied for; Art. 10 allows one`, { details: { reason: 'second' } });
  if (bar === 'late') {
    throw new AppError('complaint_extension_refused', `${c.number}: the deadline passed at ${formatInZone(ctx.cal, c.dueAt as Date)}; Art. 10 wants the application before it`, { details: { reason: 'deadline_passed' } });
  }
  if (bar === 'state') throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}: only an accepted case may be extended`, { details: { status: c.status } });

  const extension = await m.save(
    m.create(ComplaintExtension, {
      complaintId: c.id,
      agencyCode,
      days: body.days,
      reason,
      requestedBy: ctx.actor.name.slice(0, 100),
      requestedAt: ctx.now,
      previousDueAt: c.dueAt as Date,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      note: null,
      newDueAt: null,
    }),
  );
  await addEvent(m, c.id, { type: 'extension_applied', actor: ctx.actor.name, at: ctx.now, reason, details: { days: body.days, extensionId: extension.id } });
  const office = (await officeMembers(m, { presentOn: ctx.cal.localDate(ctx.now) })).map((s) => s.userid);
  if (office.length) {
    const card = complaintExtensionCard(
      { complaintId: c.id, number: c.number, agencyName: c.agencyName, days: body.days, reason, dueAt: c.dueAt as Date, extensionId: extension.id, requestedAt: ctx.now },
      { tz: ctx.cal.tz },
    );
    await cardToStaff(m, office, card, ctx.now, String(c.id), `cplext:${extension.id}`);
  } else {
    await officeOrMembers(m, ctx.office ?? null, OVERSIGHT.extensionApplied(c.number, c.agencyName, body.days), ctx.now, `complaint:${c.id}`, ctx.cal.localDate(ctx.now));
  }
  return { complaint: c, extension };
}

/**
 * The office grants or refuses the pending application. Granted: the deadline moves by the
 * days applied for, counted from the deadline it replaces; refused: the deadline stands.
 */
export async function decideExtension(m: EntityManager, id: number, body: { grant: boolean; note?: string | null }, ctx: Ctx): Promise<{ complaint: Complaint; extension: ComplaintExtension }> {
  if (ctx.actor.by !== 'office') throw new AppError('forbidden', 'only the office decides an extension');
  const note = optionalText(body.note, 'note', LIMITS.reason);
  const c = await lockComplaint(m, id);
  const ext = await pendingApplication(m, c.id);
  if (!ext) throw new AppError('complaint_invalid_state', `${c.number} has no extension application waiting for a decision`, { details: { status: c.status } });
  if (c.status !== 'accepted') throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}: the application can no longer be decided`);
  const newDueAt = body.grant ? endOfWorkingDay(ctx.cal, ext.previousDueAt, ext.days) : null;
  const res = await m
    .createQueryBuilder()
    .update(ComplaintExtension)
    .set({ status: body.grant ? 'granted' : 'refused', decidedBy: ctx.actor.name.slice(0, 100), decidedAt: ctx.now, note, newDueAt })
    .where('id = :id AND version = :v', { id: ext.id, v: ext.version })
    .execute();
  if (res.affected !== 1) throw new AppError('conflict', `${c.number}: the application changed meanwhile; reload and try again`);
  Object.assign(ext, { status: body.grant ? 'granted' : 'refused', decidedBy: ctx.actor.name.slice(0, 100), decidedAt: ctx.now, note, newDueAt, version: ext.version + 1 });
  const contacts = c.agencyCode ? await unitContacts(m, c.agencyCode, { deputies: 'A' }) : [];
  if (body.grant && newDueAt) {
    const details = { days: ext.days, dueAt: newDueAt.toISOString(), previousDueAt: ext.previousDueAt.toISOString(), extensionId: ext.id, note };
    await apply(m, c, 'extended', { extensionDays: ext.days, extensionReason: ext.reason, dueAt: newDueAt }, ctx, ext.reason, details, { tellAgency: false });
    await textToStaff(m, contacts, LIAISON.extensionGranted(c.number, formatInZone(ctx.cal, newDueAt)), ctx.now, String(c.id));
  } else {
    await addEvent(m, c.id, { type: 'extension_refused', actor: ctx.actor.name, at: ctx.now, reason: note, details: { extensionId: ext.id, days: ext.days } });
    await textToStaff(m, contacts, LIAISON.extensionDenied(c.number, formatInZone(ctx.cal, c.dueAt as Date), note), ctx.now, String(c.id));
  }
  return { complaint: c, extension: ext };
}

/** The case ended or moved to another agency: a waiting application is no longer decided. */
export async function lapseApplications(m: EntityManager, complaintId: number): Promise<void> {
  await m.createQueryBuilder().update(ComplaintExtension).set({ status: 'lapsed' }).where('complaint_id = :id AND status = :p', { id: complaintId, p: 'pending' }).execute();
}
