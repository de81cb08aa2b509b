import { EntityManager, In } from 'typeorm';
import { DeadlineTracker, OfficeOrder, Staff, Unit, VerificationEvent, VerificationRecipient, VerificationRequest, DeadlineStageClaim } from '../../entities';
import { inTransaction, isSqlite, isUniqueViolation } from '../db/tx';
import { openCase, accountableLiaison } from '../accountability/service';
import { DeadlineDeps, isOpen, uniq } from './deps';
import { caseFacts } from './escalations';
import { enqueueRows } from '../wecom/outbox';
import { executePrepared, insertRows, placeholders, plainQuery, q, selectEntities, sqlValue, sqlValueOf } from '../db/fast-sql';
import { isRetryableLockError } from '../db/errors';
import type { Line } from '../scheduler';
import { loadStageTable } from './settings';
import { PlannedStage, decide, inOfficeHours, nextWake, planStages } from './stages';
import { Ctx, Loaded, SweepHooks, Writes, group } from './batch';
import { Fired, fire } from './fire';

export type { SweepHooks } from './batch';

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
    const done = handleOne(c, m, w, loaded, t, reqs.get(t.requestId) ?? null);
    lines.push(...(done instanceof Promise ? await done : done));
    if (c.hooks?.inItem) await c.hooks.inItem(t.requestId, first + k);
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

/**
 * One request's due stages, written into the transaction's batch. Synchronous unless a stage
 * needs the database of its own (a closed request's case, an escalation, an order's texts
 * folded into cards): then the rest follows in the same order once that is done.
 */
function handleOne(c: Ctx, m: EntityManager, w: Writes, l: Loaded, t: DeadlineTracker, req: VerificationRequest | null): Line[] | Promise<Line[]> {
  const { cal, table, now } = c;
  if (!req) {
    w.trackers.push({ id: t.id, nextStageAt: null, level: t.level, state: 'done' });
    return [{ requestId: t.requestId, result: 'gone' }];
  }
  if (!isOpen(req)) return handleClosed(c, m, w, t, req);
  const base = { requestId: req.id, number: req.number };
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
  const fired = (s: PlannedStage, r: Fired) => {
    claim(s, r.sent ? 'sent' : 'skipped', r.note, r.to);
    if (s.kind === 'escalation1') level = Math.max(level, 1);
    if (s.kind === 'escalation2') level = Math.max(level, 2);
    const line: Line = { requestId: req.id, number: req.number, stage: s.stage, action: r.sent ? 'sent' : 'skipped' };
    if (r.note) line.note = r.note;
    if (r.to.length) line.to = r.to;
    if (r.escalationId) line.escalationId = r.escalationId;
    lines.push(line);
  };
  const finish = () => {
    for (const s of decision.wait) lines.push({ ...base, stage: s.stage, action: 'waiting_for_office_hours' });
    w.trackers.push({ id: t.id, nextStageAt: nextWake(cal, plan, claimed, now), level, state: 'active' });
    return lines;
  };
  const stages = decision.fire;
  for (let i = 0; i < stages.length; i++) {
    const r = fire(c, m, w, l, req, stages[i], order);
    if (r instanceof Promise) {
      // The rest in order, each stage after the one before it.
      return (async () => {
        fired(stages[i], await r);
        for (let k = i + 1; k < stages.length; k++) fired(stages[k], await fire(c, m, w, l, req, stages[k], order));
        return finish();
      })();
    }
    fired(stages[i], r);
  }
  return finish();
}

/** A request closed since its tracker was last due: closed after its deadline, a missed deadline all the same (SPEC 4). */
async function handleClosed(c: Ctx, m: EntityManager, w: Writes, t: DeadlineTracker, req: VerificationRequest): Promise<Line[]> {
  const { d, cal, now } = c;
  const lines: Line[] = [];
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
    if (opened) lines.push({ requestId: req.id, number: req.number, stage: 'closed_late', action: 'case_opened', caseId: opened.id });
  }
  w.trackers.push({ id: t.id, nextStageAt: null, level: t.level, state: 'done' });
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
