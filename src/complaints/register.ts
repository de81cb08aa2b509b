/**
 * Registration (投诉举报办法 Art. 5-7) and the first receiver (Art. 9): a complaint is
 * registered at once; one that repeats an open case is linked to the case received first.
 */
import { EntityManager } from 'typeorm';
import { Complaint, Unit } from '../../entities';
import { AppError } from '../errors';
import { isUniqueViolation } from '../db/tx';
import { closeSubject } from '../conversation';
import { normaliseName } from '../directory/names';
import { findOriginal } from './duplicates';
import { EventInput, addEvent, addEvents } from './events';
import { CITIZEN } from './lifecycle-messages';
import { Ctx, LIMITS, invalid, requireText, tellAgency } from './lifecycle';
import { CHANNELS, Channel, GROUND_CODES, GroundCode } from './model';
import { nextComplaintNumber } from './numbers';
import { noticeToComplainant } from './notify';
import { normalizePhone } from './validate';

export interface RegisterInput {
  channel: Channel;
  ground: GroundCode;
  agencyCode: string | null;
  agencyName: string | null;
  facts: string;
  request: string;
  name: string;
  phone: string;
  isProxy: boolean;
  principalName: string | null;
  receivedAt: Date;
  receivedBy: string;
  openKfId?: string | null;
  externalUserId?: string | null;
  /** Idempotency: the same key registers once. */
  sourceKey?: string | null;
  /** Art. 5-6 details a chat complaint carries: what is asked, and how to reach the principal (stored as given). */
  certificate?: string | null;
  principalPhone?: string | null;
  principalRelationship?: string | null;
}

export interface RegisterResult {
  complaint: Complaint;
  created: boolean;
  /** Art. 9: the case this one repeats (it keeps the handling), or null. */
  original: Complaint | null;
}

/** Art. 7: register at once (time, content, agency); Art. 9: link a repeat to the first case. */
export async function registerComplaint(m: EntityManager, input: RegisterInput, ctx: Ctx): Promise<RegisterResult> {
  if (!(CHANNELS as readonly string[]).includes(input.channel)) throw invalid(`unknown channel ${String(input.channel)}`, 'channel');
  if (!(GROUND_CODES as readonly string[]).includes(input.ground)) throw invalid(`unknown ground ${String(input.ground)}`, 'ground');
  const facts = requireText(input.facts, 'facts', LIMITS.facts);
  const request = requireText(input.request, 'request', LIMITS.request);
  const name = requireText(input.name, 'name', LIMITS.name);
  const phone = normalizePhone(input.phone ?? '');
  if (!phone) throw invalid('phone must be an 11-digit mobile number or a landline with its area code', 'phone');
  const principalName = input.isProxy ? requireText(input.principalName, 'principalName', LIMITS.name) : null;

  if (input.sourceKey) {
    const existing = await m.findOneBy(Complaint, { sourceKey: input.sourceKey });
    if (existing) return { complaint: existing, created: false, original: existing.duplicateOf ? await m.findOneBy(Complaint, { id: existing.duplicateOf }) : null };
  }

  let agencyCode = input.agencyCode?.trim() || null;
  let agencyName = input.agencyName?.trim() || null;
  if (agencyCode) {
    const unit = await m.findOneBy(Unit, { code: agencyCode });
    if (!unit) throw new AppError('unit_not_found', `no unit with code ${agencyCode}`, { details: { field: 'agencyCode' } });
    agencyName = unit.name;
  } else if (agencyName) {
    agencyName = requireText(agencyName, 'agencyName', LIMITS.agency);
    const wanted = normaliseName(agencyName);
    const hit = (await m.find(Unit, { select: { code: true, name: true } })).find((u) => normaliseName(u.name) === wanted);
    if (hit) {
      agencyCode = hit.code;
      agencyName = hit.name;
    }
  } else {
    throw invalid('agencyCode or agencyName is required', 'agencyCode');
  }

  const { now } = ctx;
  const found = await findOriginal(m, {
    agencyCode,
    agencyName: agencyName ?? '',
    facts,
    phone,
    externalUserId: input.externalUserId ?? null,
    receivedAt: input.receivedAt,
  });
  // Art. 9: the first receiver handles it. A case registered earlier but received later
  // gives way while nobody has acted on it yet; once its handling has started it keeps it.
  const earlier = found !== null && input.receivedAt.getTime() < found.receivedAt.getTime() && found.status === 'registered';
  const original = earlier ? null : found;
  const number = await nextComplaintNumber(m, ctx.cal, now);
  let complaint: Complaint;
  try {
    complaint = await m.save(
      m.create(Complaint, {
        number,
        channel: input.channel,
        status: 'registered',
        ground: input.ground,
        agencyCode,
        agencyName: agencyName ?? '',
        facts,
        request,
        complainantName: name,
        complainantPhone: phone,
        isProxy: input.isProxy,
        principalName,
        certificate: input.certificate ?? null,
        principalPhone: input.principalPhone ?? null,
        principalRelationship: input.principalRelationship ?? null,
        openKfId: input.openKfId ?? null,
        externalUserId: input.externalUserId ?? null,
        sourceKey: input.sourceKey ?? null,
        hotline: input.channel === 'hotline_12345',
        receivedBy: (input.receivedBy ?? '').slice(0, 100),
        receivedAt: input.receivedAt,
        registeredAt: now,
        registeredBy: ctx.actor.name.slice(0, 100),
        acceptedAt: null,
        dueAt: null,
        extensionDays: null,
        extensionReason: null,
        closingGround: null,
        closingReason: null,
        result: null,
        closedAt: null,
        upheld: null,
        accountablePerson: null,
        duplicateOf: original?.id ?? null,
        resultDelivered: false,
        resultDeliveredAt: null,
        reopenCount: 0,
        reassignCount: 0,
        reopenedAt: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
  } catch (e) {
    // The same idempotency key registered by another instance a moment ago.
    if (input.sourceKey && isUniqueViolation(e)) {
      const existing = await m.findOneBy(Complaint, { sourceKey: input.sourceKey });
      if (existing) return { complaint: existing, created: false, original: existing.duplicateOf ? await m.findOneBy(Complaint, { id: existing.duplicateOf }) : null };
    }
    throw e;
  }

  // The events of the registration go out in one INSERT with the next step's (in this order).
  const registered: EventInput & { complaintId: number } = {
    complaintId: complaint.id,
    type: 'registered',
    actor: ctx.actor.name,
    at: now,
    to: 'registered',
    details: { channel: complaint.channel, receivedBy: complaint.receivedBy, receivedAt: complaint.receivedAt.toISOString(), hotline: complaint.hotline },
  };
  if (original) {
    await addEvents(m, [
      registered,
      { complaintId: complaint.id, type: 'linked_duplicate', actor: 'system', at: now, details: { original: original.number, originalId: original.id } },
      { complaintId: original.id, type: 'duplicate_received', actor: 'system', at: now, details: { duplicate: complaint.number, duplicateId: complaint.id } },
    ]);
  } else if (earlier && found) {
    await addEvents(m, [registered]);
    await giveWay(m, found, complaint, ctx);
    await tellAgency(m, complaint, ctx);
  } else {
    await tellAgency(m, complaint, ctx, [registered]);
  }
  return { complaint, created: true, original };
}

/** `later` (received later, registered first) and its duplicates now follow `first`. */
async function giveWay(m: EntityManager, later: Complaint, first: Complaint, ctx: Ctx): Promise<void> {
  const followers = await m.find(Complaint, { where: { duplicateOf: later.id }, order: { id: 'ASC' } });
  await m.update(Complaint, { id: later.id }, { duplicateOf: first.id, updatedAt: ctx.now });
  later.duplicateOf = first.id;
  await addEvent(m, later.id, { type: 'linked_duplicate', actor: 'system', at: ctx.now, details: { original: first.number, originalId: first.id, receivedEarlier: true } });
  await addEvent(m, first.id, { type: 'duplicate_received', actor: 'system', at: ctx.now, details: { duplicate: later.number, duplicateId: later.id } });
  await closeSubject(m, 'complaints', String(later.id));
  for (const f of followers) {
    await m.update(Complaint, { id: f.id }, { duplicateOf: first.id, updatedAt: ctx.now });
    await addEvent(m, f.id, { type: 'linked_duplicate', actor: 'system', at: ctx.now, details: { original: first.number, originalId: first.id, receivedEarlier: true } });
    await addEvent(m, first.id, { type: 'duplicate_received', actor: 'system', at: ctx.now, details: { duplicate: f.number, duplicateId: f.id } });
  }
  for (const d of [later, ...followers]) await noticeToComplainant(m, d, 'linked', CITIZEN.relinked(d.number, first.number), ctx.now);
}

