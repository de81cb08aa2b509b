import crypto from 'crypto';
import { EntityManager, IsNull } from 'typeorm';
import {
  Staff,
  VerificationEvent,
  VerificationLedgerEntry,
  VerificationPrompt,
  VerificationRecipient,
  VerificationRequest,
} from '../../entities';
import type { VerificationChannel, VerificationResult, VerificationStatus } from '../../entities/VerificationRequest';
import type { LedgerKind } from '../../entities/VerificationLedgerEntry';
import type { PromptKind } from '../../entities/VerificationPrompt';
import { AppError } from '../errors';
import { isSqlite } from '../db/tx';
import { WorkingCalendar, computeDeadline, officeMinutesBetween, DeadlineCategory, shortTime } from '../calendar';
import { isAway, unitStrength, GapFlag } from '../directory/rules';
import { isValidIdNumber, normaliseIdNumber } from './id-number';
import { insertRows, q } from '../db/fast-sql';
import { verificationRequestCard, verificationClosedCard, VerificationCardView } from '../../cards/verification.card';
import { verificationAnsweredCard, verificationReturnedCard, verificationDeadlineCard, ResultCardView } from '../../cards/verification-result.card';
import { CARD_TEXT, TEXT } from './messages';
import { REF, queueCard, queueReplaceName, queueText, taskIdFor, usableSendCode } from './notify';
import { Actor, requesterTargets, staffName, unitNames } from '../directory/who';

/** Who acts: a person in WeCom (or on the detail page), or an integrating system's API key. */
export type { Actor };

export function actorLabel(a: Actor): string {
  return a.kind === 'staff' ? a.userid : `api:${a.name}`.slice(0, 100);
}

/** What every operation needs besides the transaction: the calendar, the clock, links. */
export interface OpContext {
  cal: WorkingCalendar;
  now: Date;
  publicUrl: string;
  tz: string;
}

export interface ListEntry {
  id: number;
  serviceItem: string;
  certificate: string;
  requesterUnit: string;
  issuerUnit: string;
  defaultCategory: DeadlineCategory;
}

export type EntryLookup = (m: EntityManager, id: number) => Promise<ListEntry | null>;

/** Art. 7: a move is only ever to a longer category. */
const CATEGORY_RANK: Record<DeadlineCategory, number> = { digital: 0, paper: 1, historical: 2 };

export function detailUrl(publicUrl: string, id: number): string {
  return `${publicUrl}/v/${id}`;
}

// ---------------------------------------------------------------- small helpers

/**
 * Reads a request for a change: FOR UPDATE on MySQL/MariaDB, so concurrent actors queue
 * and each sees the latest committed row (a plain read would see its snapshot); SQLite
 * has one writer already.
 */
export async function loadForUpdate(m: EntityManager, where: { id: number } | { number: string }): Promise<VerificationRequest | null> {
  const qb = m.getRepository(VerificationRequest).createQueryBuilder('r');
  if ('id' in where) qb.where('r.id = :id', { id: where.id });
  else qb.where('r.number = :n', { n: where.number });
  return (isSqlite(m.connection) ? qb : qb.setLock('pessimistic_write')).getOne();
}

export async function addEvent(
  m: EntityManager,
  req: Pick<VerificationRequest, 'id'>,
  at: Date,
  type: string,
  actor: string | null,
  e: { from?: string | null; to?: string | null; reason?: string | null; data?: unknown } = {},
): Promise<void> {
  await m.getRepository(VerificationEvent).insert({
    requestId: req.id,
    at,
    type,
    actor,
    fromStatus: e.from ?? null,
    toStatus: e.to ?? null,
    reason: e.reason ?? null,
    data: e.data === undefined ? null : JSON.stringify(e.data),
  });
}

/** What a request card shows (pure): unit names from `names`, falling back to the codes. */
export function cardViewOf(req: VerificationRequest, names: ReadonlyMap<string, string>, publicUrl: string, tz: string): VerificationCardView {
  return {
    id: req.id,
    number: req.number,
    requesterUnitName: names.get(req.requesterUnit) ?? req.requesterUnit,
    issuerUnitName: names.get(req.issuerUnit) ?? req.issuerUnit,
    serviceItem: req.serviceItem,
    certificate: req.certificate,
    category: req.category,
    dueAt: req.dueAt,
    applicantName: req.applicantName,
    applicantIdNumber: req.applicantIdNumber,
    detailUrl: detailUrl(publicUrl, req.id),
    tz,
  };
}

export async function cardView(m: EntityManager, ctx: OpContext, req: VerificationRequest): Promise<VerificationCardView> {
  return cardViewOf(req, await unitNames(m, [req.requesterUnit, req.issuerUnit]), ctx.publicUrl, ctx.tz);
}

function cleanText(s: string | null | undefined): string {
  return (s ?? '').trim();
}

function requireReason(reason: string | null | undefined, what: string): string {
  const r = cleanText(reason);
  if (!r) throw new AppError('verification_reason_required', `${what} needs a reason`);
  return r.slice(0, 2000);
}

/** Minutes of office time the request was out (Art. 7: the requesting unit's clock pauses meanwhile). */
function minutesOut(ctx: OpContext, req: VerificationRequest, end: Date): number {
  return Math.round(officeMinutesBetween(ctx.cal, req.startedAt, end));
}

/**
 * A conditional update: applies only while the row still has the status (and version) we
 * read, so of two clicks at once exactly one wins (first click wins).
 */
async function transition(
  m: EntityManager,
  req: VerificationRequest,
  values: Partial<VerificationRequest>,
  where: { statuses: VerificationStatus[]; checkVersion?: boolean },
): Promise<boolean> {
  const qb = m
    .createQueryBuilder()
    .update(VerificationRequest)
    .set(values as Record<string, unknown>)
    .where('id = :id AND status IN (:...st)', { id: req.id, st: where.statuses });
  if (where.checkVersion) qb.andWhere('version = :v', { v: req.version });
  const r = await qb.execute();
  if (r.affected !== 1) return false;
  Object.assign(req, values);
  req.version += 1;
  return true;
}

export async function setPrompt(m: EntityManager, userid: string, requestId: number, kind: PromptKind, arg: string | null, now: Date): Promise<void> {
  await m.getRepository(VerificationPrompt).delete({ userid });
  await m.getRepository(VerificationPrompt).insert({ userid, requestId, kind, arg, createdAt: now });
}

async function clearPrompts(m: EntityManager, requestId: number): Promise<void> {
  await m.getRepository(VerificationPrompt).delete({ requestId });
}

// ---------------------------------------------------------------- routing (Art. 6, 7)

export interface Route {
  recipients: Staff[];
  gaps: GapFlag[];
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
  return { recipients, gaps: unitStrength(staff).gaps };
}

/**
 * HC20261126-0001: a per-day counter row upserted inside the creating transaction, so
 * numbers have no gaps and stay unique across instances. Callers take it as late as
 * possible: the row lock is held until commit. One statement on each dialect: an upsert
 * with LAST_INSERT_ID(expr) on MySQL/MariaDB (no read-then-insert race on a new day),
 * ON CONFLICT ... RETURNING on SQLite.
 */
export async function nextNumber(m: EntityManager, localDate: string): Promise<string> {
  const day = localDate.replace(/-/g, '');
  let next: number;
  if (isSqlite(m.connection)) {
    const rows = (await m.query(
      'INSERT INTO "verification_counters" ("day", "last_seq") VALUES (?, 1) ON CONFLICT ("day") DO UPDATE SET "last_seq" = "last_seq" + 1 RETURNING "last_seq" AS n',
      [day],
    )) as Array<{ n: number }>;
    next = Number(rows[0]?.n);
  } else {
    const r = (await m.query(
      'INSERT INTO `verification_counters` (`day`, `last_seq`) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE `last_seq` = LAST_INSERT_ID(`last_seq` + 1)',
      [day],
    )) as { insertId?: number | string };
    next = Number(r.insertId);
  }
  if (!Number.isSafeInteger(next) || next < 1) throw new AppError('internal', 'request number allocation returned no value');
  return `HC${day}-${String(next).padStart(4, '0')}`;
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
  startedAt: Date;
  answer?: { result: VerificationResult; details?: string | null; answeredAt: Date } | null;
  returned?: { reason: string; returnedAt: Date } | null;
}

interface Resolved {
  unitNames: Map<string, string>;
  issuerUnit: string;
  serviceItem: string;
  certificate: string;
  category: DeadlineCategory;
  template: { id: number; category: string | null } | null;
  idNumber: string;
  issuerStaff: Staff[];
}

/** The routing view of a unit's staff (plain SQL: this runs for every new request). */
async function staffOf(m: EntityManager, unitCode: string): Promise<Staff[]> {
  const c = (n: string) => q(m, n);
  const rows = (await m.query(
    `SELECT ${c('userid')} AS userid, ${c('name')} AS name, ${c('role')} AS role, ${c('ab')} AS ab, ${c('away')} AS away, ${c('away_until')} AS away_until FROM ${c('staff')} WHERE ${c('unit_code')} = ? ORDER BY ${c('userid')}`,
    [unitCode],
  )) as Array<{ userid: string; name: string; role: string; ab: string | null; away: number | boolean | string; away_until: string | null }>;
  return rows.map((r) => Object.assign(new Staff(), { userid: r.userid, unitCode, name: r.name, role: r.role, ab: r.ab, away: Number(r.away) === 1 || r.away === true, awayUntil: r.away_until }));
}

/** The template of (issuer, certificate), the requesting unit's own before the general one (Art. 4). */
async function templateRef(m: EntityManager, issuerUnit: string, certificate: string, requesterUnit: string): Promise<{ id: number; category: string | null } | null> {
  const c = (n: string) => q(m, n);
  const rows = (await m.query(
    `SELECT ${c('id')} AS id, ${c('category')} AS category, ${c('requester_unit')} AS requester_unit FROM ${c('verification_templates')} WHERE ${c('issuer_unit')} = ? AND ${c('certificate')} = ? AND ${c('requester_unit')} IN (?, '')`,
    [issuerUnit, certificate, requesterUnit],
  )) as Array<{ id: number; category: string | null; requester_unit: string }>;
  const t = rows.find((x) => x.requester_unit === requesterUnit) ?? rows.find((x) => x.requester_unit === '');
  return t ? { id: Number(t.id), category: t.category } : null;
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
  const units = (await m.query(`SELECT ${q(m, 'code')} AS code, ${q(m, 'name')} AS name FROM ${q(m, 'units')} WHERE ${q(m, 'code')} IN (?, ?)`, [input.requesterUnit, issuerUnit])) as Array<{ code: string; name: string }>;
  for (const code of [input.requesterUnit, issuerUnit]) {
    if (!units.some((u) => u.code === code)) throw new AppError('unit_unknown', `unknown unit ${code}`);
  }
  const issuerStaff = await staffOf(m, issuerUnit);
  if (input.requestedBy) {
    const s = await m.getRepository(Staff).findOneBy({ userid: input.requestedBy });
    if (!s || s.unitCode !== input.requesterUnit) throw new AppError('staff_unknown', `${input.requestedBy} is not on the staff of ${input.requesterUnit}`);
  }
  const template = await templateRef(m, issuerUnit, certificate, input.requesterUnit);
  category = category ?? (template?.category as DeadlineCategory | null | undefined) ?? undefined;
  if (!category) throw new AppError('validation_failed', 'category is required (no list entry or template gives one)');
  return { unitNames: new Map(units.map((u) => [u.code, u.name])), issuerUnit, serviceItem, certificate, category, template, idNumber, issuerStaff };
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

/**
 * Opens a request through the system (Art. 5): numbers it, computes the deadline (Art. 7),
 * routes it, and queues one card per recipient, all in the caller's transaction. The
 * number is taken last (its counter row stays locked until commit), then the cards that
 * show it are queued.
 */
export async function createRequest(
  m: EntityManager,
  ctx: OpContext,
  actor: Actor,
  input: CreateInput,
  lookupEntry: EntryLookup,
): Promise<{ request: VerificationRequest; recipients: VerificationRecipient[]; gaps: GapFlag[] }> {
  const r = await resolve(m, actor, input, lookupEntry);
  const now = ctx.now;
  const today = ctx.cal.localDate(now);
  const route = routeRecipients(r.issuerStaff, today);
  const due = computeDeadline(ctx.cal, r.category, now);
  const repo = m.getRepository(VerificationRequest);
  // A unique placeholder until the number is allocated at the end of the transaction. It
  // starts with '0' so it sorts before every 'HC...' number in the unique index: the
  // uniqueness check of the final number never waits on another creator's placeholder.
  const request = repo.create(newRequest(input, r, actor, `0${crypto.randomBytes(9).toString('hex')}`, now, due, 'system', now));
  request.version = 1;
  request.id = await insertRows(m, VerificationRequest, [request]);
  const recipients = route.recipients.map((s, i) =>
    m.getRepository(VerificationRecipient).create({
      requestId: request.id,
      userid: s.userid,
      role: s.role,
      ab: s.ab,
      reason: 'initial',
      notifiedAt: now,
      taskId: taskIdFor(request.id, i, 0),
      cardSeq: 0,
      cardOutboxId: null,
      codeUsed: false,
      closedAt: null,
      outcome: null,
    }),
  );
  await insertRows(m, VerificationRecipient, recipients);
  const by = actorLabel(actor);
  const event = (type: string, actorName: string, e: { to?: string; data: unknown }) =>
    m.getRepository(VerificationEvent).create({ requestId: request.id, at: now, type, actor: actorName, fromStatus: null, toStatus: e.to ?? null, reason: null, data: JSON.stringify(e.data) });
  await insertRows(m, VerificationEvent, [
    event('created', by, { to: 'pending', data: { channel: 'system', category: r.category, dueAt: due.dueAt.toISOString(), deadlineRule: due.rule, listEntryId: input.listEntryId ?? null } }),
    ...(route.gaps.length ? [event('unit_gap_flagged', 'system', { data: { unit: r.issuerUnit, gaps: route.gaps } })] : []),
    event('notified', 'system', { data: { recipients: route.recipients.map((s) => ({ userid: s.userid, role: s.role, ab: s.ab })) } }),
  ]);

  request.number = await nextNumber(m, today);
  await m.query(`UPDATE ${q(m, 'verification_requests')} SET ${q(m, 'number')} = ?, ${q(m, 'version')} = ${q(m, 'version')} + 1 WHERE ${q(m, 'id')} = ?`, [request.number, request.id]);
  request.version += 1;
  const view = cardViewOf(request, r.unitNames, ctx.publicUrl, ctx.tz);
  // A new request's task_ids are new: no dedupe lookup needed.
  for (const rcp of recipients) await queueCard(m, rcp.userid, verificationRequestCard(view, rcp.taskId, now), now, { type: REF.card, id: rcp.taskId });
  return { request, recipients, gaps: route.gaps };
}

/**
 * Records a request that travelled by fax, email or OA (Art. 3) so the ledger is complete:
 * no cards, no messages; its outcome may be given now or later through the API.
 */
export async function recordOffline(m: EntityManager, ctx: OpContext, actor: Actor, input: OfflineInput, lookupEntry: EntryLookup): Promise<VerificationRequest> {
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

// ---------------------------------------------------------------- cards after a decision

/**
 * Every other open card of the request shows `text` (CONTRACT.md: "the others' cards change
 * to show who"): through the response_code of that card's send while usable, else a fresh
 * card without buttons (WECOM.md section 4).
 */
export async function closeOpenCards(m: EntityManager, ctx: OpContext, req: VerificationRequest, exceptUserid: string | null, text: string): Promise<void> {
  const repo = m.getRepository(VerificationRecipient);
  const open = await repo.find({ where: { requestId: req.id, closedAt: IsNull() }, order: { id: 'ASC' } });
  let view: VerificationCardView | null = null;
  for (const r of open) {
    if (r.userid === exceptUserid) continue;
    const code = await usableSendCode(m, r, ctx.now);
    if (code) {
      await queueReplaceName(m, r.userid, code, text, ctx.now, r.taskId);
      r.codeUsed = true;
    } else {
      view = view ?? (await cardView(m, ctx, req));
      await queueCard(m, r.userid, verificationClosedCard(view, text, ctx.now), ctx.now, { type: REF.notice, id: r.taskId });
    }
    r.closedAt = ctx.now;
    r.outcome = text.slice(0, 100);
    await repo.save(r);
  }
}

async function markRecipient(m: EntityManager, req: VerificationRequest, userid: string, outcome: string, now: Date): Promise<void> {
  await m.getRepository(VerificationRecipient).update({ requestId: req.id, userid, closedAt: IsNull() }, { closedAt: now, outcome });
}

/** What a card shows once the request is no longer pending (the polite late-click answer). */
export async function outcomeText(m: EntityManager, req: VerificationRequest, viewer: string): Promise<string> {
  switch (req.status) {
    case 'accepted':
      return req.assignee === viewer ? CARD_TEXT.acceptedBySelf : CARD_TEXT.takenBy(await staffName(m, req.assignee));
    case 'returned':
      return req.assignee === viewer ? CARD_TEXT.returnedBySelf : CARD_TEXT.returnedBy(await staffName(m, req.assignee));
    case 'answered':
      return req.assignee && req.assignee !== viewer ? CARD_TEXT.takenBy(await staffName(m, req.assignee)) : CARD_TEXT.answered;
    case 'cancelled':
      return CARD_TEXT.cancelled;
    default:
      return CARD_TEXT.acceptedBySelf;
  }
}

async function resultView(m: EntityManager, ctx: OpContext, req: VerificationRequest): Promise<ResultCardView> {
  return { ...(await cardView(m, ctx, req)), ownerName: req.assignee ? await staffName(m, req.assignee) : null };
}

async function tellRequester(m: EntityManager, ctx: OpContext, req: VerificationRequest, card: Record<string, unknown>, kind: string): Promise<string[]> {
  const targets = await requesterTargets(m, req, ctx.cal.localDate(ctx.now));
  for (const userid of targets) await queueCard(m, userid, card, ctx.now, { type: REF.notice, id: `${req.id}:${kind}` });
  return targets;
}

// ---------------------------------------------------------------- clicks (受理 / 退回)

export type ClickKind = 'accept' | 'return';

export interface Click {
  from: string;
  requestId: number;
  taskId: string;
  responseCode: string;
}

export type ClickOutcome = 'accepted' | 'returned' | 'late' | 'rejected';

/**
 * A 受理 or 退回 click. The card must be the clicker's own card of that request; the first
 * click wins through a conditional update; a later one is answered on the clicker's card
 * ("已由X受理") and changes nothing.
 */
export async function handleClick(m: EntityManager, ctx: OpContext, kind: ClickKind, click: Click): Promise<ClickOutcome> {
  const req = Number.isSafeInteger(click.requestId) ? await loadForUpdate(m, { id: click.requestId }) : null;
  const rcp = req ? await m.getRepository(VerificationRecipient).findOneBy({ requestId: req.id, userid: click.from }) : null;
  // The card clicked must be this recipient's card of this request (any generation).
  const ownCard = rcp && click.taskId.startsWith(`${rcp.taskId.replace(/_\d+$/, '')}_`);
  if (!req || !rcp || !ownCard) return 'rejected';
  const now = ctx.now;
  const polite = async () => {
    const text = await outcomeText(m, req, click.from);
    await queueReplaceName(m, click.from, click.responseCode, text, now, rcp.taskId);
    if (!rcp.closedAt) await markRecipient(m, req, click.from, text, now);
    return 'late' as const;
  };
  if (req.status !== 'pending') return polite();

  if (kind === 'accept') {
    const won = await transition(m, req, { status: 'accepted', assignee: click.from, acceptedAt: now, updatedAt: now }, { statuses: ['pending'] });
    if (!won) {
      Object.assign(req, await loadForUpdate(m, { id: req.id }));
      return polite();
    }
    await addEvent(m, req, now, 'accepted', click.from, { from: 'pending', to: 'accepted' });
    await queueReplaceName(m, click.from, click.responseCode, CARD_TEXT.acceptedBySelf, now, rcp.taskId);
    await markRecipient(m, req, click.from, CARD_TEXT.acceptedBySelf, now);
    await closeOpenCards(m, ctx, req, click.from, CARD_TEXT.takenBy(await staffName(m, click.from)));
    await queueText(m, click.from, TEXT.acceptedOwner(req.number, shortTime(ctx.tz, req.dueAt)), now, String(req.id));
    return 'accepted';
  }

  const won = await transition(
    m,
    req,
    { status: 'returned', assignee: click.from, returnedAt: now, closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now },
    { statuses: ['pending'] },
  );
  if (!won) {
    Object.assign(req, await loadForUpdate(m, { id: req.id }));
    return polite();
  }
  await addEvent(m, req, now, 'returned', click.from, { from: 'pending', to: 'returned' });
  await queueReplaceName(m, click.from, click.responseCode, CARD_TEXT.returnedBySelf, now, rcp.taskId);
  await markRecipient(m, req, click.from, CARD_TEXT.returnedBySelf, now);
  await closeOpenCards(m, ctx, req, click.from, CARD_TEXT.returnedBy(await staffName(m, click.from)));
  // Art. 7: a return states its reason; the bot asks for it in the chat.
  await setPrompt(m, click.from, req.id, 'return_reason', null, now);
  await queueText(m, click.from, TEXT.askReturnReason(req.number), now, String(req.id));
  return 'returned';
}

// ---------------------------------------------------------------- answers and changes

function mayActAsIssuer(actor: Actor, req: VerificationRequest): void {
  if (actor.kind === 'api') {
    if (actor.unitCode !== null && actor.unitCode !== req.issuerUnit) throw new AppError('verification_forbidden', 'only the issuing unit (or the office) may do this');
    return;
  }
  if (req.assignee !== actor.userid) throw new AppError('verification_not_owner', `${req.number} is owned by ${req.assignee ?? 'nobody yet'}`);
}

/**
 * The answer (Art. 7): 核验一致, or 核验不一致 with details. A person must own the
 * request (accepted it); the issuing unit's system may answer a pending one directly.
 */
export async function answerRequest(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, result: VerificationResult, details: string | null): Promise<void> {
  mayActAsIssuer(actor, req);
  const allowed: VerificationStatus[] = actor.kind === 'api' ? ['pending', 'accepted'] : ['accepted'];
  if (!allowed.includes(req.status)) throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; it cannot be answered`);
  const text = cleanText(details);
  if (result === 'mismatch' && !text) throw new AppError('verification_reason_required', 'a mismatch needs details');
  const now = ctx.now;
  const from = req.status;
  const won = await transition(
    m,
    req,
    { status: 'answered', result, reply: text ? text.slice(0, 4000) : null, answeredAt: now, closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now },
    { statuses: [from], checkVersion: true },
  );
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'answered', actorLabel(actor), { from, to: 'answered', data: { result } });
  await clearPrompts(m, req.id);
  if (from === 'pending') await closeOpenCards(m, ctx, req, null, CARD_TEXT.answered);
  const targets = await tellRequester(m, ctx, req, verificationAnsweredCard(await resultView(m, ctx, req), result, req.reply, now), 'answered');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.answeredOwner(req.number, result), now, String(req.id));
}

/** The reason of a return (Art. 7), given after the 退回 click by the person who returned it. */
export async function giveReturnReason(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string): Promise<void> {
  const r = requireReason(reason, 'a return');
  mayActAsIssuer(actor, req);
  if (req.status !== 'returned' || req.returnReason) throw new AppError('verification_invalid_state', `${req.number} has no return waiting for a reason`);
  const now = ctx.now;
  const won = await transition(m, req, { returnReason: r, updatedAt: now }, { statuses: ['returned'], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'return_reason', actorLabel(actor), { from: 'returned', to: 'returned', reason: r });
  await clearPrompts(m, req.id);
  const targets = await tellRequester(m, ctx, req, verificationReturnedCard(await resultView(m, ctx, req), r, now), 'returned');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.returnedOwner(req.number), now, String(req.id));
}

/**
 * A return with its reason in one step: the issuing unit's system, or a recipient on the
 * detail page. Every open card is closed.
 */
export async function returnWithReason(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string): Promise<void> {
  const r = requireReason(reason, 'a return');
  if (req.status === 'returned' && !req.returnReason) return giveReturnReason(m, ctx, req, actor, r);
  if (actor.kind === 'api') mayActAsIssuer(actor, req);
  else if (!(await m.getRepository(VerificationRecipient).findOneBy({ requestId: req.id, userid: actor.userid }))) {
    throw new AppError('verification_not_owner', `${actor.userid} did not receive ${req.number}`);
  }
  if (req.status !== 'pending') throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; only a pending request can be returned`);
  const now = ctx.now;
  const assignee = actor.kind === 'staff' ? actor.userid : null;
  const won = await transition(
    m,
    req,
    { status: 'returned', assignee, returnedAt: now, returnReason: r, closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now },
    { statuses: ['pending'] },
  );
  if (!won) throw new AppError('verification_conflict', `${req.number} was taken meanwhile`);
  const by = actorLabel(actor);
  await addEvent(m, req, now, 'returned', by, { from: 'pending', to: 'returned', reason: r });
  await closeOpenCards(m, ctx, req, null, assignee ? CARD_TEXT.returnedBy(await staffName(m, assignee)) : CARD_TEXT.returnedBy(by));
  const targets = await tellRequester(m, ctx, req, verificationReturnedCard(await resultView(m, ctx, req), r, now), 'returned');
  await addEvent(m, req, now, 'requester_notified', 'system', { data: { userids: targets } });
}

/**
 * 转纸质档案 / 转历史档案 (Art. 7): only to a longer category, with a reason (audited); the
 * new deadline counts from the original start.
 */
export async function changeCategory(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, to: DeadlineCategory, reason: string | null | undefined): Promise<void> {
  const r = requireReason(reason, 'a category change');
  mayActAsIssuer(actor, req);
  const allowed: VerificationStatus[] = actor.kind === 'api' ? ['pending', 'accepted'] : ['accepted'];
  if (!allowed.includes(req.status)) throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; its category cannot change`);
  if (CATEGORY_RANK[to] <= CATEGORY_RANK[req.category]) throw new AppError('validation_failed', `${req.number} is ${req.category}; it can only move to a longer category`);
  const from = req.category;
  const due = computeDeadline(ctx.cal, to, req.startedAt);
  const now = ctx.now;
  const won = await transition(m, req, { category: to, dueAt: due.dueAt, deadlineRule: due.rule, updatedAt: now }, { statuses: [req.status], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'category_changed', actorLabel(actor), {
    from: req.status,
    to: req.status,
    reason: r,
    data: { fromCategory: from, toCategory: to, dueAt: due.dueAt.toISOString(), deadlineRule: due.rule },
  });
  await clearPrompts(m, req.id);
  await tellRequester(m, ctx, req, verificationDeadlineCard(await resultView(m, ctx, req), from, r, now), `category-${to}`);
  if (actor.kind === 'staff') await queueText(m, actor.userid, TEXT.categoryChangedOwner(req.number, to, shortTime(ctx.tz, req.dueAt)), now, String(req.id));
}

/** The requesting unit withdraws its request: cards close, the owner is told. */
export async function cancelRequest(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, reason: string | null): Promise<void> {
  if (actor.kind === 'api' && actor.unitCode !== null && actor.unitCode !== req.requesterUnit) throw new AppError('verification_forbidden', 'only the requesting unit (or the office) may cancel');
  if (req.status !== 'pending' && req.status !== 'accepted') throw new AppError('verification_invalid_state', `${req.number} is ${req.status}; it cannot be cancelled`);
  const now = ctx.now;
  const from = req.status;
  const won = await transition(m, req, { status: 'cancelled', closedAt: now, verificationMinutes: minutesOut(ctx, req, now), updatedAt: now }, { statuses: [from], checkVersion: true });
  if (!won) throw new AppError('verification_conflict', `${req.number} changed meanwhile; reload and retry`);
  await addEvent(m, req, now, 'cancelled', actorLabel(actor), { from, to: 'cancelled', reason: cleanText(reason) || null });
  await clearPrompts(m, req.id);
  await closeOpenCards(m, ctx, req, null, CARD_TEXT.cancelled);
  if (from === 'accepted' && req.assignee) await queueText(m, req.assignee, TEXT.cancelledToOwner(req.number), now, String(req.id));
}

// ---------------------------------------------------------------- ledgers (Art. 8, 9)

export interface LedgerInput {
  kind: LedgerKind;
  material: string;
  purpose?: string | null;
  outcome?: string | null;
  occurredAt?: Date | null;
}

/**
 * The requesting unit's ledger: supplementary material asked after a mismatch (Art. 8),
 * an on-site verification (Art. 8), material handed in voluntarily (Art. 9).
 */
export async function addLedgerEntry(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, input: LedgerInput): Promise<VerificationLedgerEntry> {
  if (actor.kind === 'api' && actor.unitCode !== null && actor.unitCode !== req.requesterUnit) throw new AppError('verification_forbidden', 'only the requesting unit keeps this ledger');
  if (input.kind === 'supplementary' && !(req.status === 'answered' && req.result === 'mismatch')) {
    throw new AppError('verification_invalid_state', 'supplementary material may be asked only after a mismatch (Art. 8)');
  }
  const material = cleanText(input.material);
  if (!material) throw new AppError('validation_failed', 'material is required');
  const now = ctx.now;
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt.getTime() > now.getTime()) throw new AppError('validation_failed', 'occurredAt lies in the future');
  const repo = m.getRepository(VerificationLedgerEntry);
  const entry = repo.create({
    requestId: req.id,
    unitCode: req.requesterUnit,
    kind: input.kind,
    occurredAt,
    material: material.slice(0, 4000),
    purpose: cleanText(input.purpose) || null,
    outcome: cleanText(input.outcome).slice(0, 200) || null,
    recordedBy: actorLabel(actor),
    recordedAt: now,
  });
  await repo.insert(entry);
  await addEvent(m, req, now, 'ledger_recorded', actorLabel(actor), { data: { kind: input.kind, entryId: entry.id } });
  return entry;
}

// ---------------------------------------------------------------- reading

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
  if (req.status === 'pending' || req.status === 'accepted') return now.getTime() > req.dueAt.getTime();
  if (req.status === 'answered' && req.answeredAt) return req.answeredAt.getTime() > req.dueAt.getTime();
  return false;
}
