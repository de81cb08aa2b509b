/**
 * The office as supervisor (投诉举报办法 Art. 10, 13; SPEC 3 "the agency complained about
 * should not have the last word"): it reopens a non-acceptance, a termination or a result
 * it finds wrong, and moves a case to another agency, which then alone may act on it.
 */
import { EntityManager } from 'typeorm';
import { Complaint, ComplaintEvent, Unit } from '../../entities';
import { AppError } from '../errors';
import { endOfWorkingDay, formatInZone } from '../calendar';
import { addEvent } from './events';
import { LIAISON } from './lifecycle-messages';
import { Ctx, LIMITS, apply, checkNotDuplicate, lockComplaint, requireText, tellAgency } from './lifecycle';
import { lapseApplications } from './extension';
import { HANDLING_WORKING_DAYS, isFinal } from './model';
import { textToStaff } from './notify';
import { unitContacts } from '../directory/who';

/**
 * Reopened: back to `accepted` with a fresh period of 5 working days from now (the agency
 * handles the case anew, and a rejected case never had a period), the closing ground,
 * reason and result cleared (they stay in the events), one extension again possible. The
 * agency gets a new card, the complainant is told.
 */
export async function reopenComplaint(m: EntityManager, id: number, body: { reason: string }, ctx: Ctx): Promise<Complaint> {
  if (ctx.actor.by !== 'office') throw new AppError('forbidden', 'only the office reopens a case');
  const reason = requireText(body.reason, 'reason', LIMITS.reason, 2);
  const c = await lockComplaint(m, id);
  checkNotDuplicate(c);
  if (!isFinal(c.status)) throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}: only a closed case (rejected, terminated, resolved) is reopened`, { details: { status: c.status } });
  const dueAt = endOfWorkingDay(ctx.cal, ctx.now, HANDLING_WORKING_DAYS);
  const previous = { status: c.status, ground: c.closingGround, reason: c.closingReason, result: c.result, closedAt: c.closedAt?.toISOString() ?? null };
  await apply(
    m,
    c,
    'accepted',
    {
      acceptedAt: ctx.now,
      dueAt,
      closingGround: null,
      closingReason: null,
      result: null,
      closedAt: null,
      extensionDays: null,
      extensionReason: null,
      resultDelivered: false,
      resultDeliveredAt: null,
      reopenCount: (c.reopenCount ?? 0) + 1,
      reopenedAt: ctx.now,
    },
    ctx,
    reason,
    { dueAt: dueAt.toISOString(), previous },
    { event: 'reopened', tellAgency: false, reopen: true },
  );
  if (c.agencyCode) {
    await tellAgency(m, c, ctx);
    await textToStaff(m, await unitContacts(m, c.agencyCode, { deputies: 'A' }), LIAISON.reopened(c.number, formatInZone(ctx.cal, dueAt)), ctx.now, String(c.id));
  }
  return c;
}

/**
 * The office names the agency (a complaint whose wording matched no unit) or moves the case
 * to another one. A waiting extension application lapses and the former agency is told; its cards and chat answers are refused from then on
 * (liaison.ts checks the current agency at every click and answer).
 */
export async function assignAgency(m: EntityManager, id: number, agencyCode: string, ctx: Ctx): Promise<Complaint> {
  const c = await lockComplaint(m, id);
  if (isFinal(c.status)) throw new AppError('complaint_invalid_state', `${c.number} is ${c.status}`);
  const unit = await m.findOneBy(Unit, { code: agencyCode });
  if (!unit) throw new AppError('unit_not_found', `no unit with code ${agencyCode}`, { details: { field: 'agencyCode' } });
  if (c.agencyCode === unit.code) return c;
  const before = { code: c.agencyCode, name: c.agencyName };
  const reassignCount = (c.reassignCount ?? 0) + (before.code ? 1 : 0);
  await m.update(Complaint, { id: c.id }, { agencyCode: unit.code, agencyName: unit.name, reassignCount, updatedAt: ctx.now });
  Object.assign(c, { agencyCode: unit.code, agencyName: unit.name, reassignCount });
  await addEvent(m, c.id, { type: 'agency_assigned', actor: ctx.actor.name, at: ctx.now, details: { from: before, to: { code: unit.code, name: unit.name } } });
  if (before.code) {
    // The former agency's open question stays: its answer meets the re-check in liaison.ts.
    await lapseApplications(m, c.id);
    await textToStaff(m, await unitContacts(m, before.code, { deputies: 'A' }), LIAISON.reassignedNote(c.number, unit.name), ctx.now, String(c.id));
  }
  if (c.duplicateOf === null) await tellAgency(m, c, ctx);
  return c;
}

/** The agencies a case was taken from (for a clear answer to their stale clicks). */
export async function formerAgencies(m: EntityManager, c: Complaint): Promise<string[]> {
  const rows = await m.find(ComplaintEvent, { select: { details: true }, where: { complaintId: c.id, type: 'agency_assigned' } });
  const out: string[] = [];
  for (const r of rows) {
    const code = r.details ? (JSON.parse(r.details) as { from?: { code?: string | null } }).from?.code : null;
    if (code && code !== c.agencyCode) out.push(code);
  }
  return out;
}
