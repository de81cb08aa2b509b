/** Opening a request (SPEC 1 Art. 2-7): routing, numbering, the deadline, the first cards; and offline records. */
import { EntityManager } from 'typeorm';
import { Staff, VerificationEvent, VerificationRecipient, VerificationRequest } from '../../entities';
import type { VerificationChannel, VerificationResult } from '../../entities/VerificationRequest';
import { AppError } from '../errors';
import { nextDailyNumber, nextDailyNumbers } from '../db/daily-counter';
import { WorkingCalendar, computeDeadline, DeadlineCategory } from '../calendar';
import { isAway, unitStrength, GapFlag } from '../directory/rules';
import { isValidIdNumber, normaliseIdNumber } from './id-number';
import { insertRows, q } from '../db/fast-sql';
import { verificationRequestCard } from '../../cards/verification.card';
import { CardToQueue, REF, queueCards, taskIdFor } from './notify';
import { CARD_TEXT } from './messages';
import { lookupNeeded } from './data-service-hook';
import { Actor, EntryLookup, OpContext, actorLabel, addEvent, cardViewOf, cleanText, minutesOut, requireReason } from './common';

// ---------------------------------------------------------------- routing (Art. 6, 7)

export interface Route {
  recipients: Staff[];
  gaps: GapFlag[];
  /** userid -> why that person got the card, for those standing in for someone. */
  why: ReadonlyMap<string, string>;
}

/**
 * The issuing unit's liaisons and deputy A (deputy B when no A is present today). A unit
 * with no liaison at all is refused (nobody accountable); one below the Art. 6 minimum
 * still gets the request and is flagged. When everyone is away the liaisons get it anyway.
 */
export function routeRecipients(staff: Staff[], today: string): Route {
  const liaisons = staff.filter((s) => s.role === 'liaison');
  if (!liaisons.length) throw new AppError('unit_no_liaison', 'the issuing unit has no liaison: nobody is accountable for the request');
  const present = (s: Staff) => !isAway(s, today);
  const deputies = staff.filter((s) => s.role === 'deputy');
  const a = deputies.filter((s) => s.ab === 'A' && present(s));
  const b = deputies.filter((s) => s.ab === 'B' && present(s));
  let recipients = [...liaisons.filter(present), ...(a.length ? a : b)];
  if (!recipients.length) recipients = liaisons;
  const seen = new Set<string>();
  recipients = recipients.filter((s) => (seen.has(s.userid) ? false : (seen.add(s.userid), true)));
  // B stands in for A: B's card says why (A away, or no A at all).
  const allA = deputies.filter((s) => s.ab === 'A');
  const cover = a.length ? null : allA.length ? CARD_TEXT.coverAway(allA.map((s) => s.name).join('、')) : CARD_TEXT.coverNoA;
  const why = new Map(cover ? recipients.filter((s) => s.role === 'deputy' && s.ab === 'B').map((s) => [s.userid, cover] as const) : []);
  return { recipients, gaps: unitStrength(staff).gaps, why };
}

/** HC20261126-0001: gap-free and unique across instances (see nextDailyNumber). */
export function nextNumber(m: EntityManager, localDate: string): Promise<string> {
  return nextDailyNumber(m, 'HC', localDate);
}

// ---------------------------------------------------------------- create (Art. 2-5)

export interface CreateInput {
  requesterUnit: string;
  issuerUnit?: string;
  serviceItem?: string;
  certificate?: string;
  category?: DeadlineCategory;
  applicant: { name: string; idNumber: string };
  question: string;
  listEntryId?: number | null;
  requestedBy?: string | null;
  caseStartedAt?: Date | null;
}

export interface OfflineInput extends CreateInput {
  channel: Exclude<VerificationChannel, 'system'>;
  /** The matter involves state or work secrets (国家秘密和工作秘密). */
  secret?: boolean;
  startedAt: Date;
  answer?: { result: VerificationResult; details?: string | null; answeredAt: Date } | null;
  returned?: { reason: string; returnedAt: Date } | null;
}

export interface Resolved {
  unitNames: Map<string, string>;
  issuerUnit: string;
  serviceItem: string;
  certificate: string;
  category: DeadlineCategory;
  template: { id: number; category: string | null } | null;
  idNumber: string;
  issuerStaff: Staff[];
  /** The issuing unit has a data service for this certificate (issue 15). */
  hasDataService: boolean;
}

interface Refs {
  units: Array<{ code: string; name: string }>;
  issuerStaff: Staff[];
  /** The requesting person's unit, when requestedBy names someone on the staff. */
  requestedByUnit: string | null;
  template: { id: number; category: string | null } | null;
  hasDataService: boolean;
}

/**
 * Everything a new request refers to, in one statement (this runs for every new request):
 * both units, the issuing unit's staff (the routing view, by userid), the requesting person
 * and the template of (issuer, certificate), the requesting unit's own before the general
 * one (Art. 4). One UNION ALL of same-shaped rows, told apart by their first column.
 */
async function readRefs(m: EntityManager, input: CreateInput, issuerUnit: string, certificate: string): Promise<Refs> {
  const c = (n: string) => q(m, n);
  const none = 'NULL, NULL, NULL, NULL';
  const parts = [
    `SELECT 'u' AS k, ${c('code')} AS a, ${c('name')} AS b, NULL AS c, NULL AS d, NULL AS e, NULL AS f FROM ${c('units')} WHERE ${c('code')} IN (?, ?)`,
    `SELECT 's', ${c('userid')}, ${c('name')}, ${c('role')}, ${c('ab')}, ${c('away')}, ${c('away_until')} FROM ${c('staff')} WHERE ${c('unit_code')} = ?`,
    `SELECT 't', ${c('id')}, ${c('category')}, ${c('requester_unit')}, NULL, NULL, NULL FROM ${c('verification_templates')} WHERE ${c('issuer_unit')} = ? AND ${c('certificate')} = ? AND ${c('requester_unit')} IN (?, '')`,
    `SELECT 'd', ${c('id')}, NULL, ${none} FROM ${c('data_services')} WHERE ${c('issuer_unit')} = ? AND ${c('certificate')} = ?`,
  ];
  const params: unknown[] = [input.requesterUnit, issuerUnit, issuerUnit, issuerUnit, certificate, input.requesterUnit, issuerUnit, certificate];
  if (input.requestedBy) {
    parts.push(`SELECT 'r', ${c('userid')}, ${c('unit_code')}, ${none} FROM ${c('staff')} WHERE ${c('userid')} = ?`);
    params.push(input.requestedBy);
  }
  type Row = { k: string; a: string | number; b: string | null; c: string | null; d: string | null; e: number | boolean | string | null; f: string | null };
  // Staff by userid, in the database's own collation (routing keeps the order it always had).
  const rows = (await m.query(`${parts.join(' UNION ALL ')} ORDER BY k, a`, params)) as Row[];
  const of = (k: string) => rows.filter((r) => r.k === k);
  const issuerStaff = of('s').map((r) =>
    Object.assign(new Staff(), { userid: String(r.a), unitCode: issuerUnit, name: r.b, role: r.c, ab: r.d, away: Number(r.e) === 1 || r.e === true, awayUntil: r.f }),
  );
  const templates = of('t');
  const t = templates.find((x) => x.c === input.requesterUnit) ?? templates.find((x) => x.c === '');
  return {
    units: of('u').map((r) => ({ code: String(r.a), name: String(r.b) })),
    issuerStaff,
    requestedByUnit: of('r')[0]?.b ?? null,
    template: t ? { id: Number(t.a), category: t.b } : null,
    hasDataService: of('d').length > 0,
  };
}

/** Checks everything a request refers to; writes nothing. */
async function resolve(m: EntityManager, actor: Actor, input: CreateInput, lookupEntry: EntryLookup): Promise<Resolved> {
  if (actor.kind === 'api' && actor.unitCode && actor.unitCode !== input.requesterUnit) {
    throw new AppError('verification_forbidden', 'a unit key may only open requests as its own unit');
  }
  const idNumber = normaliseIdNumber(input.applicant.idNumber);
  if (!isValidIdNumber(idNumber)) throw new AppError('id_number_invalid', 'applicant.idNumber is not a valid 18-character ID number (GB 11643 check failed)');
  let { issuerUnit, serviceItem, certificate, category } = input;
  if (input.listEntryId !== undefined && input.listEntryId !== null) {
    const entry = await lookupEntry(m, input.listEntryId);
    if (!entry) throw new AppError('list_entry_unknown', `list entry ${input.listEntryId} is not a published verification entry`);
    if (issuerUnit && issuerUnit !== entry.issuerUnit) throw new AppError('validation_failed', `issuerUnit ${issuerUnit} differs from the list entry's issuing unit ${entry.issuerUnit}`);
    issuerUnit = entry.issuerUnit;
    serviceItem = serviceItem || entry.serviceItem;
    certificate = certificate || entry.certificate;
    category = category ?? entry.defaultCategory;
  }
  if (!issuerUnit) throw new AppError('validation_failed', 'issuerUnit is required (or a listEntryId)');
  if (!serviceItem || !certificate) throw new AppError('validation_failed', 'serviceItem and certificate are required (or a listEntryId)');
  if (issuerUnit === input.requesterUnit) throw new AppError('validation_failed', 'requesterUnit and issuerUnit must differ');
  const { units, issuerStaff, requestedByUnit, template, hasDataService } = await readRefs(m, input, issuerUnit, certificate);
  for (const code of [input.requesterUnit, issuerUnit]) {
    if (!units.some((u) => u.code === code)) throw new AppError('unit_unknown', `unknown unit ${code}`);
  }
  if (input.requestedBy && requestedByUnit !== input.requesterUnit) throw new AppError('staff_unknown', `${input.requestedBy} is not on the staff of ${input.requesterUnit}`);
  category = category ?? (template?.category as DeadlineCategory | null | undefined) ?? undefined;
  if (!category) throw new AppError('validation_failed', 'category is required (no list entry or template gives one)');
  return { unitNames: new Map(units.map((u) => [u.code, u.name])), issuerUnit, serviceItem, certificate, category, template, idNumber, issuerStaff, hasDataService };
}

function newRequest(input: CreateInput, r: Resolved, actor: Actor, number: string, start: Date, due: { dueAt: Date; rule: string }, channel: VerificationChannel, now: Date): Partial<VerificationRequest> {
  return {
    number,
    requesterUnit: input.requesterUnit,
    issuerUnit: r.issuerUnit,
    requestedBy: input.requestedBy ?? null,
    createdBy: actorLabel(actor),
    serviceItem: r.serviceItem,
    certificate: r.certificate,
    listEntryId: input.listEntryId ?? null,
    templateId: r.template?.id ?? null,
    category: r.category,
    channel,
    applicantName: input.applicant.name.trim(),
    applicantIdNumber: r.idNumber,
    question: input.question,
    status: 'pending',
    startedAt: start,
    dueAt: due.dueAt,
    originalDueAt: due.dueAt,
    deadlineRule: due.rule,
    caseStartedAt: input.caseStartedAt ?? null,
    assignee: null,
    acceptedAt: null,
    result: null,
    reply: null,
    answeredAt: null,
    returnReason: null,
    returnedAt: null,
    closedAt: null,
    verificationMinutes: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** The requester's case start bounds its clock: not before the calendar, not in the future. */
function checkCaseStart(cal: WorkingCalendar, at: Date | null | undefined, now: Date): void {
  if (!at) return;
  if (at.getTime() > now.getTime()) throw new AppError('validation_failed', 'caseStartedAt lies in the future');
  const first = cal.knownYears()[0];
  if (Number(cal.localDate(at).slice(0, 4)) < first) throw new AppError('validation_failed', `caseStartedAt lies before ${first}, the calendar's first year`);
}

/** A request checked and routed, not yet written: what planRequest hands to writeRequests. */
export interface RequestPlan {
  ctx: OpContext;
  actor: Actor;
  input: CreateInput;
  resolved: Resolved;
  route: Route;
  due: { dueAt: Date; rule: string };
  /** The office-local day of ctx.now: the series of its number. */
  today: string;
}

export interface CreatedRequest {
  request: VerificationRequest;
  recipients: VerificationRecipient[];
  gaps: GapFlag[];
}

/**
 * Everything about a new request that needs no write (Art. 2-7): validation, the units,
 * staff, template and data service it refers to (one read), routing and the deadline.
 * Throws the request's own errors; writes nothing.
 */
export async function planRequest(m: EntityManager, ctx: OpContext, actor: Actor, input: CreateInput, lookupEntry: EntryLookup): Promise<RequestPlan> {
  checkCaseStart(ctx.cal, input.caseStartedAt, ctx.now);
  const resolved = await resolve(m, actor, input, lookupEntry);
  const today = ctx.cal.localDate(ctx.now);
  return { ctx, actor, input, resolved, route: routeRecipients(resolved.issuerStaff, today), due: computeDeadline(ctx.cal, resolved.category, ctx.now), today };
}

/**
 * Writes planned requests in the caller's transaction (Art. 5): numbers, rows, recipients,
 * events and one card per recipient, each kind in one multi-row INSERT whatever the number
 * of requests. The numbers of a day are taken in one step before anything else, in day
 * order (the counter row stays locked until commit; one lock order, so two writers never
 * deadlock on two days), and are gap-free: a rollback gives them all back.
 */
export async function writeRequests(m: EntityManager, plans: RequestPlan[]): Promise<CreatedRequest[]> {
  if (!plans.length) return [];
  const numbers = new Map<RequestPlan, string>();
  for (const day of [...new Set(plans.map((p) => p.today))].sort()) {
    const ofDay = plans.filter((p) => p.today === day);
    const taken = await nextDailyNumbers(m, 'HC', day, ofDay.length);
    ofDay.forEach((p, i) => numbers.set(p, taken[i]));
  }
  const repo = m.getRepository(VerificationRequest);
  const requests = plans.map((p) => Object.assign(repo.create(newRequest(p.input, p.resolved, p.actor, numbers.get(p)!, p.ctx.now, p.due, 'system', p.ctx.now)), { version: 1 }));
  const firstId = await insertRows(m, VerificationRequest, requests);
  if (requests.length === 1) requests[0].id = firstId;
  else {
    // Ids of a multi-row INSERT are not consecutive on every engine (interleaved auto-increment): read them back by number.
    const rows = (await m.query(`SELECT ${q(m, 'id')} AS id, ${q(m, 'number')} AS n FROM ${q(m, 'verification_requests')} WHERE ${q(m, 'number')} IN (${requests.map(() => '?').join(', ')})`, requests.map((r) => r.number))) as Array<{ id: number | string; n: string }>;
    const ids = new Map(rows.map((r) => [r.n, Number(r.id)]));
    for (const r of requests) r.id = ids.get(r.number) ?? 0;
    if (requests.some((r) => !r.id)) throw new AppError('internal', 'new requests not found by number');
  }
  const out: CreatedRequest[] = [];
  const allRecipients: VerificationRecipient[] = [];
  const events: VerificationEvent[] = [];
  const cards: CardToQueue[] = [];
  let lookups = false;
  plans.forEach((p, k) => {
    const request = requests[k];
    const { route, resolved: r, due } = p;
    const now = p.ctx.now;
    const recipients = route.recipients.map((s, i) =>
      m.getRepository(VerificationRecipient).create({ requestId: request.id, userid: s.userid, role: s.role, ab: s.ab, reason: 'initial', notifiedAt: now, taskId: taskIdFor(request.id, i, 0), cardSeq: 0, cardOutboxId: null, codeUsed: false, closedAt: null, outcome: null }),
    );
    allRecipients.push(...recipients);
    const event = (type: string, actorName: string, e: { to?: string; data: unknown }) =>
      m.getRepository(VerificationEvent).create({ requestId: request.id, at: now, type, actor: actorName, fromStatus: null, toStatus: e.to ?? null, reason: null, data: JSON.stringify(e.data) });
    events.push(
      event('created', actorLabel(p.actor), { to: 'pending', data: { channel: 'system', category: r.category, dueAt: due.dueAt.toISOString(), deadlineRule: due.rule, listEntryId: p.input.listEntryId ?? null } }),
      ...(route.gaps.length ? [event('unit_gap_flagged', 'system', { data: { unit: r.issuerUnit, gaps: route.gaps } })] : []),
      event('notified', 'system', { data: { recipients: route.recipients.map((s) => ({ userid: s.userid, role: s.role, ab: s.ab })) } }),
    );
    // Data services (issue 15): a request its unit's service will look up gets its cards only if the lookup falls back.
    if (request.category === 'digital' && r.hasDataService) lookups = true;
    else {
      const view = cardViewOf(request, r.unitNames, p.ctx.publicUrl, p.ctx.tz);
      for (const rcp of recipients) cards.push({ touser: rcp.userid, card: verificationRequestCard(view, rcp.taskId, now, route.why.get(rcp.userid) ?? null), ref: { type: REF.card, id: rcp.taskId }, at: now });
    }
    out.push({ request, recipients, gaps: route.gaps });
  });
  await insertRows(m, VerificationRecipient, allRecipients);
  await insertRows(m, VerificationEvent, events);
  // New task_ids: no dedupe lookup needed; all the cards in one INSERT.
  if (cards.length) await queueCards(m, cards, plans[0].ctx.now);
  if (lookups) lookupNeeded(m);
  return out;
}

/** Opens one request through the system (Art. 5) in the caller's transaction: planRequest, then writeRequests. */
export async function createRequest(m: EntityManager, ctx: OpContext, actor: Actor, input: CreateInput, lookupEntry: EntryLookup): Promise<CreatedRequest> {
  const plan = await planRequest(m, ctx, actor, input, lookupEntry);
  return (await writeRequests(m, [plan]))[0];
}

/**
 * Records a request that travelled by fax, email or OA (Art. 3) so the ledger is complete:
 * no cards, no messages; its outcome may be given now or later through the API. A record
 * marked secret is refused before anything is checked or written.
 */
export async function recordOffline(m: EntityManager, ctx: OpContext, actor: Actor, input: OfflineInput, lookupEntry: EntryLookup): Promise<VerificationRequest> {
  // Art. 3: fax, email and OA are allowed before the system is fully live, never for secrets.
  if (input.secret) {
    throw new AppError('offline_secret_refused', `a matter involving state or work secrets may not travel by ${input.channel}: it is refused as an offline record (SPEC 1 Art. 3)`, { details: { field: 'secret', channel: input.channel } });
  }
  checkCaseStart(ctx.cal, input.caseStartedAt, ctx.now);
  const r = await resolve(m, actor, input, lookupEntry);
  const now = ctx.now;
  if (input.startedAt.getTime() > now.getTime()) throw new AppError('validation_failed', 'startedAt lies in the future');
  if (input.answer && input.returned) throw new AppError('validation_failed', 'give answer or returned, not both');
  if (input.answer?.result === 'mismatch' && !cleanText(input.answer.details)) throw new AppError('verification_reason_required', 'a mismatch needs details');
  if (input.returned) requireReason(input.returned.reason, 'a return');
  const end = input.answer?.answeredAt ?? input.returned?.returnedAt ?? null;
  if (end && (end.getTime() < input.startedAt.getTime() || end.getTime() > now.getTime())) throw new AppError('validation_failed', 'the answer time must lie between startedAt and now');
  const due = computeDeadline(ctx.cal, r.category, input.startedAt);
  const number = await nextNumber(m, ctx.cal.localDate(now));
  const repo = m.getRepository(VerificationRequest);
  const request = repo.create(newRequest(input, r, actor, number, input.startedAt, due, input.channel, now));
  if (input.answer) {
    Object.assign(request, { status: 'answered', result: input.answer.result, reply: cleanText(input.answer.details) || null, answeredAt: input.answer.answeredAt, closedAt: input.answer.answeredAt });
  } else if (input.returned) {
    Object.assign(request, { status: 'returned', returnReason: cleanText(input.returned.reason), returnedAt: input.returned.returnedAt, closedAt: input.returned.returnedAt });
  }
  if (request.closedAt) request.verificationMinutes = minutesOut(ctx, request, request.closedAt);
  await repo.insert(request);
  const by = actorLabel(actor);
  await addEvent(m, request, now, 'created', by, { to: 'pending', data: { channel: input.channel, category: r.category, startedAt: input.startedAt.toISOString(), dueAt: due.dueAt.toISOString(), deadlineRule: due.rule, offline: true } });
  if (input.answer) await addEvent(m, request, input.answer.answeredAt, 'answered', by, { from: 'pending', to: 'answered', data: { result: input.answer.result, channel: input.channel } });
  if (input.returned) await addEvent(m, request, input.returned.returnedAt, 'returned', by, { from: 'pending', to: 'returned', reason: request.returnReason, data: { channel: input.channel } });
  return request;
}
