import { EntityManager, In } from 'typeorm';
import { DeadlineStageClaim, DeadlineTracker, OfficeOrder, Staff, Unit, VerificationEvent, VerificationRecipient, VerificationRequest } from '../../entities';
import { WorkingCalendar, shortTime } from '../calendar';
import { inTransaction, isSqlite, isUniqueViolation } from '../db/tx';
import { isAway } from '../directory/rules';
import { ownerAndLiaisonsOf } from '../directory/who';
import { cardViewOf } from '../verification/service';
import { REF as VREF, parseTaskId, taskIdFor } from '../verification/notify';
import { verificationRequestCard } from '../../cards/verification.card';
import { openCase, accountableLiaison } from '../accountability/service';
import { DeadlineDeps, REF, isOpen, uniq } from './deps';
import { caseFacts, escalate } from './escalations';
import { HolderStage, TEXT, unitItem } from './messages';
import { foldIntoCards } from './holder-cards';
import { EnqueueMessage, OutboxRow, enqueueRows, shapeOutboxRow } from '../wecom/outbox';
import { executePrepared, insertRows, placeholders, plainQuery, q, selectEntities, sqlValue, sqlValueOf } from '../db/fast-sql';
import { isRetryableLockError } from '../db/errors';
import type { Line } from '../scheduler';
import { loadStageTable } from './settings';
import { PlannedStage, StageTable, decide, inOfficeHours, nextWake, planStages } from './stages';
import { cardPayload, textPayload } from '../wecom/messaging';


/** Test seams for fault injection; production passes none. */
export interface SweepHooks {
  /** Inside the transaction, once per request after its work: a throw rolls the transaction back. */
  inItem?(requestId: number, index: number): Promise<void> | void;
  /** After a transaction committed: a throw ends the sweep at once, as a crash would. */
  afterCommit?(requestIds: number[]): Promise<void> | void;
}

export interface StageOptions {
  /** Requests per transaction (default 100) and due trackers read per round (default 1000). */
  batch?: number;
  round?: number;
  /** Rounds per sweep (default 10). */
  rounds?: number;
  /** Transactions in flight at once on MySQL/MariaDB (default 4; SQLite always 1). */
  concurrency?: number;
  hooks?: SweepHooks;
}

const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];

/** Another instance holds the rows or got there first: not an error, move on. */
function isContention(e: unknown): boolean {
  return isUniqueViolation(e) || isRetryableLockError(e);
}

/**
 * One sweep of due deadline stages. Due trackers (`next_stage_at <= now`, an index range)
 * are handled in transactions of up to `batch` requests: lock the trackers (SKIP LOCKED: a
 * concurrent instance takes the others), re-check they are due, insert one unique
 * (request, stage) claim per stage together with the outbox rows it causes, move the
 * trackers on. When a transaction fails (a unique violation: someone else did it; a
 * deadlock; any error), it rolls back and its requests are retried one per transaction, so
 * only the request at fault is skipped (and pushed back with a growing delay).
 */
export async function runStages(d: DeadlineDeps, now: Date, opts: StageOptions = {}): Promise<Line[]> {
  const batch = Math.max(1, opts.batch ?? 100);
  const round = Math.max(batch, opts.round ?? 1000);
  const rounds = opts.rounds ?? 10;
  const concurrency = isSqlite(d.dataSource) ? 1 : Math.max(1, opts.concurrency ?? 4);
  const lines: Line[] = [];
  const tried = new Set<number>();
  let ctx: Ctx | null = null;
  let index = 0;
  for (let r = 0; r < rounds; r++) {
    const qb = d.dataSource
      .getRepository(DeadlineTracker)
      .createQueryBuilder('t')
      .select('t.requestId', 'requestId')
      .where('t.next_stage_at <= :now', { now })
      .orderBy('t.next_stage_at', 'ASC')
      .limit(round);
    if (tried.size) qb.andWhere('t.request_id NOT IN (:...tried)', { tried: [...tried] });
    const due = (await qb.getRawMany<{ requestId: number | string }>()).map((x) => Number(x.requestId));
    if (!due.length) break;
    if (!ctx) {
      const cal = await d.calendar();
      ctx = { d, cal, today: cal.localDate(now), table: await loadStageTable(d.dataSource.manager), now, hooks: opts.hooks, staff: new Map(), unitNames: new Map(), loading: new Map() };
    }
    const chunks: number[][] = [];
    for (let i = 0; i < due.length; i += batch) chunks.push(due.slice(i, i + batch));
    for (const id of due) tried.add(id);
    let failure: { e: unknown } | null = null;
    const worker = async () => {
      for (let ids = chunks.shift(); ids && !failure; ids = chunks.shift()) {
        const first = index;
        index += ids.length;
        try {
          lines.push(...(await processChunk(ctx!, ids, first)));
        } catch (e) {
          // A crash (or the database gone): stop taking work; what is in flight finishes.
          failure ??= { e };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    if (failure) throw (failure as { e: unknown }).e;
    if (due.length < round) break;
  }
  return lines;
}

interface Ctx {
  d: DeadlineDeps;
  cal: WorkingCalendar;
  /** The office's local date at `now`. */
  today: string;
  table: StageTable;
  now: Date;
  hooks?: SweepHooks;
  /** The directory as this sweep first read it, by unit code: read once, not once per transaction. */
  staff: Map<string, Staff[]>;
  unitNames: Map<string, string>;
  /** Directory reads in flight, by unit code. */
  loading: Map<string, Promise<void>>;
}

/** A chunk in one transaction; on failure, each request alone. */
async function processChunk(c: Ctx, ids: number[], first: number): Promise<Line[]> {
  if (ids.length > 1) {
    let lines: Line[] | null = null;
    try {
      lines = await inTransaction(c.d.dataSource, (m) => handleMany(c, m, ids, first));
    } catch {
      // Rolled back: one request per transaction finds the one at fault.
    }
    if (lines) {
      await c.hooks?.afterCommit?.(ids);
      return lines;
    }
  }
  const lines: Line[] = [];
  for (const [k, id] of ids.entries()) {
    lines.push(...(await processOne(c, id, first + k)));
    await c.hooks?.afterCommit?.([id]);
  }
  return lines;
}

async function processOne(c: Ctx, id: number, index: number): Promise<Line[]> {
  try {
    return await inTransaction(c.d.dataSource, (m) => handleMany(c, m, [id], index));
  } catch (e) {
    if (isContention(e)) return [{ requestId: id, result: 'taken' }];
    const msg = (e instanceof Error ? e.message : String(e)).slice(0, 500);
    c.d.log.error({ requestId: id, err: msg }, 'deadline stage failed');
    await inTransaction(c.d.dataSource, async (m) => {
      const t = await m.getRepository(DeadlineTracker).findOneBy({ requestId: id });
      if (!t) return;
      const delay = BACKOFF_MS[Math.min(t.failures, BACKOFF_MS.length - 1)];
      await m
        .createQueryBuilder()
        .update(DeadlineTracker)
        .set({ failures: t.failures + 1, lastError: msg, nextStageAt: new Date(c.now.getTime() + delay), updatedAt: c.now, version: () => 'version + 1' } as Record<string, unknown>)
        .where('id = :id', { id: t.id })
        .execute();
    }).catch(() => undefined);
    return [{ requestId: id, result: 'error', error: msg }];
  }
}

/** Everything one transaction writes, flushed in a few statements at its end. */
class Writes {
  constructor(readonly now: Date) {}
  claims: Array<Omit<DeadlineStageClaim, 'id'>> = [];
  /** Shaped (validated, serialised) as each message is made: its payload object dies young. */
  outbox: OutboxRow[] = [];
  recipients: Array<Omit<VerificationRecipient, 'id'>> = [];
  events: Array<Omit<VerificationEvent, 'id'>> = [];
  trackers: Array<{ id: number; nextStageAt: Date | null; level: number; state: 'active' | 'done' }> = [];

  event(req: VerificationRequest, at: Date, type: string, data: unknown): void {
    this.events.push({ requestId: req.id, at, type, actor: 'system', fromStatus: null, toStatus: null, reason: null, data: JSON.stringify(data) });
  }

  message(msg: EnqueueMessage): void {
    this.outbox.push(shapeOutboxRow(msg));
  }

  text(req: VerificationRequest, userid: string, content: string, key: string): void {
    this.message({ channel: 'message', payload: textPayload(userid, content), refType: REF.text, refId: String(req.id), dedupeKey: key, now: this.now });
  }
}

/** Read once per transaction for all its requests. */
interface Loaded {
  staffByUnit: Map<string, Staff[]>;
  unitName: Map<string, string>;
  recipients: Map<number, VerificationRecipient[]>;
  claims: Map<number, Set<string>>;
  orders: Map<number, OfficeOrder>;
}

function group<T, K>(rows: T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

async function handleMany(c: Ctx, m: EntityManager, ids: number[], first: number): Promise<Line[]> {
  const { d, now } = c;
  const mysql = !isSqlite(d.dataSource);
  // By the unique key only: a range condition here would make InnoDB (REPEATABLE READ) lock
  // every due row it scans, and the other instances would skip work nobody is doing.
  // Plain reads (selectEntities): the query builder's own work was a tenth of a due sweep.
  const inIds = (n: number) => `IN (${placeholders(n)})`;
  const rid = q(m, 'request_id');
  const trackers = (await selectEntities(m, DeadlineTracker, `${rid} ${inIds(ids.length)}`, ids, mysql ? 'FOR UPDATE SKIP LOCKED' : '')).filter(
    (t) => t.nextStageAt !== null && t.nextStageAt.getTime() <= now.getTime(),
  );
  const lines: Line[] = [];
  const mine = new Set(trackers.map((t) => t.requestId));
  // Locked by another instance, already moved on, or gone: someone else has it.
  for (const id of ids) if (!mine.has(id)) lines.push({ requestId: id, result: 'taken' });
  if (!trackers.length) return lines;
  const reqIds = trackers.map((t) => t.requestId);
  // Serialises with the verification module's conditional updates (a click at the same moment).
  const reqs = new Map((await selectEntities(m, VerificationRequest, `${q(m, 'id')} ${inIds(reqIds.length)}`, reqIds, mysql ? 'FOR UPDATE' : '')).map((r) => [r.id, r]));
  const open = [...reqs.values()].filter(isOpen);
  const openIds = open.map((r) => r.id);
  const orderIds = trackers.map((t) => t.orderId).filter((x): x is number => x !== null);
  const units = uniq(open.flatMap((r) => [r.issuerUnit, r.requesterUnit]));
  await loadDirectory(c, m, units);
  const loaded: Loaded = {
    staffByUnit: c.staff,
    unitName: c.unitNames,
    recipients: group(open.length ? await selectEntities(m, VerificationRecipient, `${rid} ${inIds(openIds.length)}`, openIds, `ORDER BY ${q(m, 'id')}`) : [], (r) => r.requestId),
    claims: new Map([...group(open.length ? await plainQuery<Array<{ requestId: number | string; stage: string }>>(m, `SELECT ${rid} AS requestId, ${q(m, 'stage')} AS stage FROM ${q(m, 'deadline_stage_claims')} WHERE ${rid} ${inIds(openIds.length)}`, openIds) : [], (x) => Number(x.requestId))].map(([k, v]) => [k, new Set(v.map((x) => x.stage))])),
    orders: new Map((orderIds.length ? await m.getRepository(OfficeOrder).findBy({ id: In(orderIds) }) : []).map((o) => [o.id, o])),
  };
  const w = new Writes(now);
  for (const [k, t] of trackers.entries()) {
    lines.push(...(await handleOne(c, m, w, loaded, t, reqs.get(t.requestId) ?? null)));
    await c.hooks?.inItem?.(t.requestId, first + k);
  }
  await flush(m, w, now);
  return lines;
}

/**
 * Staff and unit names of the units not read yet in this sweep. The transactions that start
 * together all need the same units: the first one reads them, the others wait for that read
 * (a failed read is forgotten, so a retry reads again).
 */
async function loadDirectory(c: Ctx, m: EntityManager, units: string[]): Promise<void> {
  const missing = units.filter((u) => !c.staff.has(u) && !c.loading.has(u));
  if (missing.length) {
    const read = readDirectory(c, m, missing).finally(() => {
      for (const u of missing) c.loading.delete(u);
    });
    for (const u of missing) c.loading.set(u, read);
  }
  const pending = new Set(units.map((u) => c.loading.get(u)).filter((x): x is Promise<void> => x !== undefined));
  if (pending.size) await Promise.all(pending);
}

async function readDirectory(c: Ctx, m: EntityManager, missing: string[]): Promise<void> {
  const staff = group(await m.getRepository(Staff).find({ where: { unitCode: In(missing) }, order: { userid: 'ASC' } }), (s) => s.unitCode);
  const names = await m.getRepository(Unit).findBy({ code: In(missing) });
  for (const u of names) c.unitNames.set(u.code, u.name);
  for (const u of missing) c.staff.set(u, staff.get(u) ?? []);
}

async function handleOne(c: Ctx, m: EntityManager, w: Writes, l: Loaded, t: DeadlineTracker, req: VerificationRequest | null): Promise<Line[]> {
  const { d, cal, table, now } = c;
  if (!req) {
    w.trackers.push({ id: t.id, nextStageAt: null, level: t.level, state: 'done' });
    return [{ requestId: t.requestId, result: 'gone' }];
  }
  const base = { requestId: req.id, number: req.number };
  if (!isOpen(req)) {
    const lines: Line[] = [];
    // Closed after its deadline (answered or returned late): a missed deadline all the same (SPEC 4).
    if ((req.status === 'answered' || req.status === 'returned') && req.closedAt && req.closedAt.getTime() > req.dueAt.getTime()) {
      const person = req.assignee ?? (await accountableLiaison(m, req.issuerUnit));
      const opened = await openCase(m, {
        sourceKey: `verif:${req.id}:deadline`,
        ground: 'verification_overdue',
        unitCode: req.issuerUnit,
        personUserid: person,
        personRole: req.assignee ? 'owner' : person ? 'liaison' : null,
        requestId: req.id,
        facts: caseFacts(d, cal, req, now),
        occurredAt: req.dueAt,
        now,
      });
      if (opened) lines.push({ ...base, stage: 'closed_late', action: 'case_opened', caseId: opened.id });
    }
    w.trackers.push({ id: t.id, nextStageAt: null, level: t.level, state: 'done' });
    return lines;
  }

  const order = t.orderId ? l.orders.get(t.orderId) ?? null : null;
  const plan = planStages(cal, table, { category: req.category, startedAt: req.startedAt, dueAt: req.dueAt, online: req.channel === 'system' }, order?.completeBy ? { id: order.id, createdAt: order.createdAt, completeBy: order.completeBy } : null);
  const claimed = new Set(l.claims.get(req.id) ?? []);
  const decision = decide(plan, claimed, now, inOfficeHours(cal, now));
  const lines: Line[] = [];
  const claim = (s: PlannedStage, outcome: 'sent' | 'skipped', note: string | null, to: string[] | null) => {
    w.claims.push({ requestId: req.id, stage: s.stage, outcome, note, recipients: to ? JSON.stringify(to) : null, plannedAt: s.at, firedAt: now });
    claimed.add(s.stage);
  };
  for (const { stage, note } of decision.skip) {
    claim(stage, 'skipped', note, null);
    lines.push({ ...base, stage: stage.stage, action: 'skipped', note });
  }
  let level = t.level;
  for (const s of decision.fire) {
    const r = await fire(c, m, w, l, req, s, order);
    claim(s, r.sent ? 'sent' : 'skipped', r.note, r.to);
    if (s.kind === 'escalation1') level = Math.max(level, 1);
    if (s.kind === 'escalation2') level = Math.max(level, 2);
    const line: Line = { requestId: req.id, number: req.number, stage: s.stage, action: r.sent ? 'sent' : 'skipped' };
    if (r.note) line.note = r.note;
    if (r.to.length) line.to = r.to;
    if (r.escalationId) line.escalationId = r.escalationId;
    lines.push(line);
  }
  for (const s of decision.wait) lines.push({ ...base, stage: s.stage, action: 'waiting_for_office_hours' });
  w.trackers.push({ id: t.id, nextStageAt: nextWake(cal, plan, claimed, now), level, state: 'active' });
  return lines;
}

async function flush(m: EntityManager, w: Writes, now: Date): Promise<void> {
  // The claims first: their unique index is what makes a stage fire once.
  await insertRows(m, DeadlineStageClaim, w.claims);
  await enqueueRows(m, w.outbox);
  await insertRows(m, VerificationRecipient, w.recipients);
  await insertRows(m, VerificationEvent, w.events);
  if (!w.trackers.length) return;
  await updateTrackers(m, w.trackers, now);
}

/**
 * One UPDATE for all trackers of the transaction: CASE by id, positional parameters. On
 * MySQL/MariaDB a batch of 16 or more is a prepared statement of a power-of-two size, the
 * free places taken by id 0 (no tracker has it: ids start at 1), so full batches share one
 * statement shape and the values travel in the binary protocol.
 */
async function updateTrackers(m: EntityManager, trackers: Writes['trackers'], now: Date): Promise<void> {
  const prepared = !isSqlite(m.connection) && trackers.length >= 16;
  let size = trackers.length;
  if (prepared) for (size = 16; size < trackers.length; size *= 2);
  const at = sqlValueOf(m, DeadlineTracker, 'nextStageAt');
  const rows = trackers.map((t) => ({ id: t.id, at: at(t.nextStageAt), level: t.level, state: t.state }));
  while (rows.length < size) rows.push({ id: 0, at: null, level: 0, state: 'done' });
  const whens = rows.map(() => 'WHEN ? THEN ?').join(' ');
  const params: unknown[] = [];
  for (const r of rows) params.push(r.id, r.at);
  for (const r of rows) params.push(r.id, r.level);
  for (const r of rows) params.push(r.id, r.state);
  params.push(sqlValue(m, DeadlineTracker, 'updatedAt', now));
  for (const r of rows) params.push(r.id);
  const id = q(m, 'id');
  const sql =
    `UPDATE ${q(m, 'deadline_trackers')} SET ${q(m, 'next_stage_at')} = CASE ${id} ${whens} END, ${q(m, 'level')} = CASE ${id} ${whens} END, ${q(m, 'state')} = CASE ${id} ${whens} END, ` +
    `${q(m, 'failures')} = 0, ${q(m, 'last_error')} = NULL, ${q(m, 'updated_at')} = ?, ${q(m, 'version')} = ${q(m, 'version')} + 1 WHERE ${id} IN (${placeholders(rows.length)})`;
  await (prepared ? executePrepared(m, sql, params) : plainQuery(m, sql, params));
}

interface Fired {
  sent: boolean;
  note: string | null;
  to: string[];
  escalationId?: number;
}

function ownerAndLiaisons(l: Loaded, req: VerificationRequest, today: string): string[] {
  return ownerAndLiaisonsOf(req, l.staffByUnit.get(req.issuerUnit) ?? [], today);
}

async function fire(c: Ctx, m: EntityManager, w: Writes, l: Loaded, req: VerificationRequest, s: PlannedStage, order: OfficeOrder | null): Promise<Fired> {
  const { d, cal, now, today } = c;
  const tz = d.config.officeTz;
  const due = shortTime(tz, req.dueAt);
  const rs = l.recipients.get(req.id) ?? [];
  const ui = unitItem(l.unitName.get(req.requesterUnit) ?? req.requesterUnit, req.serviceItem);
  // After the deadline, whoever holds a card of the request sees the stage on it; the others get the text.
  const texts = async (to: string[], text: string, stage: HolderStage | null) => {
    const folded = stage ? await foldIntoCards(m, d, cal, req, to, stage, now, s.stage) : new Set<string>();
    for (const u of to) if (!folded.has(u)) w.text(req, u, text, `stage:${req.id}:${s.stage}:${u}`);
    return to;
  };
  switch (s.kind) {
    case 'reminder': {
      // Art. 7: the liaison and deputy A (whoever got the card first); the owner once accepted.
      const to = req.status === 'pending' ? uniq(rs.filter((r) => r.reason === 'initial').map((r) => r.userid)) : ownerAndLiaisons(l, req, today);
      await texts(to, req.status === 'pending' ? TEXT.reminderPending(ui, req.number, due) : TEXT.reminderAccepted(ui, req.number, due), null);
      w.event(req, now, 'reminder_sent', { stage: s.stage, userids: to });
      return { sent: to.length > 0, note: to.length ? null : 'nobody_to_tell', to };
    }
    case 'backup':
      return backupPing(c, w, l, req, s);
    case 'warning': {
      // Everyone on the request: every card holder and the owner.
      const to = uniq([...(req.assignee ? [req.assignee] : []), ...rs.map((r) => r.userid)]);
      await texts(to, req.status === 'pending' ? TEXT.warningPending(ui, req.number, due) : TEXT.warningAccepted(ui, req.number, due), null);
      w.event(req, now, 'warning_sent', { stage: s.stage, userids: to });
      return { sent: to.length > 0, note: to.length ? null : 'nobody_to_tell', to };
    }
    case 'order_reminder':
    case 'order_warning': {
      const by = shortTime(tz, order!.completeBy!);
      // Whoever holds the request: the owner, else every open card (B who covers included).
      const to = req.assignee ? ownerAndLiaisons(l, req, today) : uniq([...ownerAndLiaisons(l, req, today), ...rs.filter((r) => !r.closedAt).map((r) => r.userid)]);
      await texts(to, s.kind === 'order_reminder' ? TEXT.orderReminder(ui, req.number, by) : TEXT.orderWarning(ui, req.number, by), s.kind);
      w.event(req, now, s.kind === 'order_reminder' ? 'order_reminder_sent' : 'order_warning_sent', { stage: s.stage, orderId: order!.id, userids: to });
      return { sent: to.length > 0, note: null, to };
    }
    case 'escalation1':
    case 'escalation2': {
      // Rare, and many things at once (record, cards, case): written directly.
      const r = await escalate(m, d, cal, req, { stage: s.stage, level: s.kind === 'escalation2' ? 2 : 1, order: s.kind === 'escalation2' ? order : null }, now);
      return { sent: true, note: r.escalation.groupState === 'none' ? 'group_not_configured' : null, to: uniq(r.told), escalationId: r.escalation.id };
    }
  }
}

/**
 * Backup ping (Art. 6, 7): deputy B gets the same 受理/退回 card when nobody acted by the
 * stage. The verification module already routes to B at creation when no A is present
 * (src/verification/service.ts routeRecipients); a B who already holds a card is skipped.
 * The card is one more VerificationRecipient with its own task_id (vr<id>_<ordinal>_0),
 * so the verification module's click handler and closeOpenCards treat it like any other.
 */
function backupPing(c: Ctx, w: Writes, l: Loaded, req: VerificationRequest, s: PlannedStage): Fired {
  const { d, now, today } = c;
  if (req.status !== 'pending') return { sent: false, note: 'acted', to: [] };
  const rs = l.recipients.get(req.id) ?? [];
  const have = new Set(rs.map((r) => r.userid));
  const bs = (l.staffByUnit.get(req.issuerUnit) ?? []).filter((x) => x.role === 'deputy' && x.ab === 'B');
  if (!bs.length) return { sent: false, note: 'no_deputy_b', to: [] };
  const fresh = bs.filter((b) => !have.has(b.userid));
  if (!fresh.length) return { sent: false, note: 'deputy_b_already_has_card', to: [] };
  const here = fresh.filter((b) => !isAway(b, today));
  if (!here.length) return { sent: false, note: 'deputy_b_away', to: [] };
  let ordinal = rs.reduce((n, r) => Math.max(n, parseTaskId(r.taskId)?.ordinal ?? 0), -1) + 1;
  const view = cardViewOf(req, l.unitName, d.config.publicUrl, d.config.officeTz);
  const due = shortTime(d.config.officeTz, req.dueAt);
  // Why B got it: the A deputy is away today, or present and silent.
  const as = (l.staffByUnit.get(req.issuerUnit) ?? []).filter((x) => x.role === 'deputy' && x.ab === 'A');
  const aNames = as.map((a) => a.name).join('、');
  const why = !as.length ? TEXT.backupNoA : as.every((a) => isAway(a, today)) ? TEXT.backupAAway(aNames) : TEXT.backupASilent(aNames);
  for (const b of here) {
    const taskId = taskIdFor(req.id, ordinal++, 0);
    w.message({ channel: 'message', payload: cardPayload(b.userid, verificationRequestCard(view, taskId, now, TEXT.backupCardWhy(why))), refType: VREF.card, refId: taskId, dedupeKey: `verif-card:${taskId}`, now });
    // The card's outbox row is found by its ref (verification_card, task_id) when its response_code is needed.
    w.recipients.push({ requestId: req.id, userid: b.userid, role: b.role, ab: b.ab, reason: 'backup', notifiedAt: now, taskId, cardSeq: 0, cardOutboxId: null, codeUsed: false, closedAt: null, outcome: null });
    w.text(req, b.userid, TEXT.backup(req.number, view.requesterUnitName, req.serviceItem, due, why), `stage:${req.id}:${s.stage}:${b.userid}`);
    // Keeps a later stage in the same transaction from seeing B twice.
    rs.push({ userid: b.userid, taskId, reason: 'backup' } as VerificationRecipient);
  }
  const to = here.map((b) => b.userid);
  w.event(req, now, 'backup_pinged', { stage: s.stage, userids: to });
  return { sent: true, note: null, to };
}

