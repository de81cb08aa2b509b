import { EntityManager, IsNull } from 'typeorm';
import { closeEscalationCards } from './close-cards.job';
import { DeadlineStageClaim, DeadlineTracker, Escalation, OfficeOrder, Summons, VerificationRequest } from '../../entities';
import type { OfficeActionKind } from '../../entities/OfficeOrder';
import { AppError } from '../errors';
import { WorkingCalendar, addOfficeMinutes, endOfWorkingDay, officeMinutesBetween, shortTime } from '../calendar';
import { enqueue } from '../wecom/outbox';
import { addEvent, detailUrl } from '../verification/service';
import { EscalationCardView, escalationActionCard } from '../../cards/escalation.card';
import { officeOrderNoticeCard } from '../../cards/office-action.card';
import { openCase, accountableLiaison } from '../accountability/service';
import { checkOfficeAction, recordSummons } from './summons';
import { officeGroup, queueGroupMarkdown, cardPayload, sendText } from '../wecom/messaging';
import { Actor, isOfficeMember, officeMembers, ownerAndLiaisons, requesterTargets, staffNames, unitNames } from '../directory/who';
import { DeadlineDeps, REF, holdersOf, isOpen } from './deps';
import { CARD, DONE_LINE, GROUP, OFFICE_ACTION_TEXT, ORDER_PRESET_LABEL, OrderPreset, TEXT, formatLate, unitItem } from './messages';
import { loadStageTable } from './settings';
import { nextWake, planStages } from './stages';
import { foldIntoCards } from './holder-cards';

/** task_id of an office member's action card: escalation id + member ordinal (userids may hold '.'). */
export function escalationTaskId(escalationId: number, ordinal: number): string {
  return `esc${escalationId}_${ordinal}`;
}

export async function escalationView(m: EntityManager, d: DeadlineDeps, cal: WorkingCalendar, e: Escalation, now: Date): Promise<EscalationCardView> {
  const units = await unitNames(m, [e.issuerUnit, e.requesterUnit]);
  const owners = await staffNames(m, [e.owner]);
  const req = await m.getRepository(VerificationRequest).findOne({ where: { id: e.requestId }, select: { id: true, dueAt: true, closedAt: true, serviceItem: true } });
  return {
    escalationId: e.id,
    level: e.level,
    number: e.number,
    requesterUnitName: units.get(e.requesterUnit) ?? e.requesterUnit,
    issuerUnitName: units.get(e.issuerUnit) ?? e.issuerUnit,
    serviceItem: req?.serviceItem ?? '',
    ownerName: e.owner ? owners.get(e.owner) ?? e.owner : null,
    category: e.category,
    missedDueAt: e.missedDueAt,
    // From the original deadline, in office time, up to the answer (or now): never a frozen figure.
    lateMinutes: Math.round(officeMinutesBetween(cal, req?.dueAt ?? e.missedDueAt, req?.closedAt ?? now)),
    detailUrl: detailUrl(d.config.publicUrl, e.requestId),
    tz: d.config.officeTz,
  };
}

/**
 * Escalation (level 1 at the deadline, level 2 when an ordered time passed), inside the
 * stage's transaction: the record, an action card to every office member, the issuing and
 * the requesting unit told (Art. 11: the system reports for the requesting unit), and the
 * accountability case (SPEC 4). The group message follows from the announcement job.
 */
export async function escalate(
  m: EntityManager,
  d: DeadlineDeps,
  cal: WorkingCalendar,
  req: VerificationRequest,
  stage: { stage: string; level: 1 | 2; order: OfficeOrder | null },
  now: Date,
): Promise<{ escalation: Escalation; told: string[] }> {
  const missedDueAt = stage.level === 2 && stage.order?.completeBy ? stage.order.completeBy : req.dueAt;
  const today = cal.localDate(now);
  const members = await officeMembers(m, { presentOn: today });
  const repo = m.getRepository(Escalation);
  const esc = repo.create({
    requestId: req.id,
    stage: stage.stage,
    level: stage.level,
    orderId: stage.order?.id ?? null,
    number: req.number,
    requesterUnit: req.requesterUnit,
    issuerUnit: req.issuerUnit,
    owner: req.assignee,
    category: req.category,
    missedDueAt,
    escalatedAt: now,
    lateMinutes: Math.round(officeMinutesBetween(cal, missedDueAt, now)),
    groupState: officeGroup(d.config) ? 'pending' : 'none',
    groupChannel: null,
    groupOutboxId: null,
    announcedAt: null,
    officeMembers: JSON.stringify(members.map((s) => s.userid)),
    cardsClosedAt: null,
  });
  // One live card per request per member: the earlier level's cards are greyed, pointing to the new one.
  const earlier = await repo.find({ where: { requestId: req.id, cardsClosedAt: IsNull() } });
  await repo.insert(esc);
  for (const e of earlier) await closeEscalationCards(m, d, cal, e, CARD.overtaken, now);

  const view = await escalationView(m, d, cal, esc, now);
  for (const [i, s] of members.entries()) {
    const taskId = escalationTaskId(esc.id, i);
    await enqueue(m, {
      channel: 'message',
      payload: cardPayload(s.userid, escalationActionCard(view, taskId, now)),
      refType: REF.escalationCard,
      refId: taskId,
      dedupeKey: `esc-card:${taskId}`,
      now,
    });
  }
  const key = `${req.id}:${stage.stage}`;
  const issuerSide = await holdersOf(m, req, today);
  const requesterSide = await requesterTargets(m, req, today);
  const by = stage.order?.completeBy ? shortTime(d.config.officeTz, stage.order.completeBy) : '';
  const toIssuer = unitItem(view.requesterUnitName, req.serviceItem);
  const toRequester = unitItem(view.issuerUnitName, req.serviceItem);
  const folded = await foldIntoCards(m, d, cal, req, issuerSide, stage.level === 2 ? 'escalation2' : 'overdue', now, stage.stage);
  for (const u of issuerSide) {
    if (folded.has(u)) continue;
    await sendText(m, u, stage.level === 2 ? TEXT.escalated2ToIssuer(toIssuer, req.number, by) : TEXT.escalatedToIssuer(toIssuer, req.number), now, { refType: REF.text, refId: String(req.id), dedupeKey: `stage:${key}:issuer:${u}` });
  }
  for (const u of requesterSide) {
    await sendText(m, u, stage.level === 2 ? TEXT.escalated2ToRequester(toRequester, req.number) : TEXT.escalatedToRequester(toRequester, req.number), now, { refType: REF.text, refId: String(req.id), dedupeKey: `stage:${key}:requester:${u}` });
  }
  await addEvent(m, req, now, 'escalated', 'system', {
    data: { level: stage.level, escalationId: esc.id, orderId: esc.orderId, lateMinutes: esc.lateMinutes, groupState: esc.groupState, officeMembers: members.map((s) => s.userid) },
  });

  // SPEC 4: the accountable person is the owner, or the liaison when nobody accepted it.
  const person = req.assignee ?? (await accountableLiaison(m, req.issuerUnit));
  await openCase(m, {
    sourceKey: stage.level === 2 ? `verif:${req.id}:order:${stage.order!.id}` : `verif:${req.id}:deadline`,
    ground: stage.level === 2 ? 'order_overdue' : 'verification_overdue',
    unitCode: req.issuerUnit,
    personUserid: person,
    personRole: req.assignee ? 'owner' : person ? 'liaison' : null,
    requestId: req.id,
    facts: caseFacts(d, cal, req, now, { escalationId: esc.id, level: stage.level, order: stage.order }),
    occurredAt: missedDueAt,
    now,
  });
  return { escalation: esc, told: [...members.map((s) => s.userid), ...issuerSide, ...requesterSide] };
}

/** What a case records about a missed deadline: numbers, units, times, no personal data. */
export function caseFacts(d: DeadlineDeps, cal: WorkingCalendar, req: VerificationRequest, now: Date, extra: { escalationId?: number; level?: number; order?: OfficeOrder | null } = {}): Record<string, unknown> {
  const iso = (x: Date | null) => (x ? shortTime(d.config.officeTz, x) : null);
  const end = req.closedAt ?? now;
  return {
    number: req.number,
    requestId: req.id,
    requesterUnit: req.requesterUnit,
    issuerUnit: req.issuerUnit,
    category: req.category,
    deadlineRule: req.deadlineRule,
    startedAt: iso(req.startedAt),
    dueAt: iso(req.dueAt),
    statusWhenRecorded: req.status,
    owner: req.assignee,
    acceptedAt: iso(req.acceptedAt),
    closedAt: iso(req.closedAt),
    lateOfficeMinutes: Math.round(officeMinutesBetween(cal, req.dueAt, end)),
    ...(extra.escalationId ? { escalationId: extra.escalationId, escalationLevel: extra.level } : {}),
    ...(extra.order ? { orderId: extra.order.id, orderedCompleteBy: iso(extra.order.completeBy), orderedBy: extra.order.actor } : {}),
  };
}

// ---------------------------------------------------------------- office actions (Art. 11)

export function officeActorLabel(a: Actor): string {
  return a.kind === 'staff' ? a.userid : `api:${a.name}`.slice(0, 100);
}

export type OfficeActionInput =
  | { kind: 'urge'; note?: string | null }
  | { kind: 'order'; preset?: OrderPreset | null; completeBy?: Date | null; note?: string | null }
  | { kind: 'summons'; note?: string | null; person?: string | null; officeRequest?: string | null };

/** A preset (2小时内, 今天下班前...) as an instant; null when it names no time still ahead. */
export function presetInstant(cal: WorkingCalendar, preset: OrderPreset, now: Date): Date | null {
  switch (preset) {
    case '2h':
      return addOfficeMinutes(cal, now, 120);
    case 'today': {
      const windows = cal.localDayAt(now.getTime()).windows;
      if (!windows.length) return null;
      const close = windows[windows.length - 1];
      return close > now.getTime() ? new Date(close) : null;
    }
    case 'next_day':
      return endOfWorkingDay(cal, now, 1);
    case '3d':
      return endOfWorkingDay(cal, now, 3);
  }
}

export interface ActionResult {
  order: OfficeOrder;
  escalation: Escalation;
  request: VerificationRequest;
  /** What the office did so far on this escalation (for the card). */
  done: string[];
  /** A 督办 within minutes of the last one: nothing new was done. */
  repeated?: boolean;
  summons?: Summons;
}

/** Two 督办 of one request this close together are one. */
export const URGE_REPEAT_MS = 10 * 60_000;

async function loadEscalation(m: EntityManager, id: number): Promise<Escalation> {
  const e = Number.isSafeInteger(id) ? await m.getRepository(Escalation).findOneBy({ id }) : null;
  if (!e) throw new AppError('escalation_not_found', `no escalation ${id}`);
  return e;
}

/** Short lines for the card: "督办 王五 10:02", "责成 11-26 17:30 前办结", "约谈". */
export async function doneLines(m: EntityManager, tz: string, escalationId: number): Promise<string[]> {
  const orders = await m.getRepository(OfficeOrder).find({ where: { escalationId }, order: { id: 'ASC' } });
  const names = await staffNames(m, orders.map((o) => o.actor));
  return orders.map((o) => {
    const who = names.get(o.actor) ?? o.actor;
    if (o.kind === 'order' && o.completeBy) return DONE_LINE.order(shortTime(tz, o.completeBy).slice(5), who);
    return DONE_LINE.other(o.kind === 'urge' ? OFFICE_ACTION_TEXT.urge : OFFICE_ACTION_TEXT.summons, who, shortTime(tz, o.createdAt).slice(11));
  });
}

/**
 * 督办 / 责成限时办结 / 约谈 by the office (SPEC 1 Art. 11), from a card or the API. Every
 * check comes before the first write: a refused action changes nothing and sends nothing.
 */
export async function officeAction(m: EntityManager, d: DeadlineDeps, cal: WorkingCalendar, escalationId: number, actor: Actor, input: OfficeActionInput, now: Date): Promise<ActionResult> {
  const esc = await loadEscalation(m, escalationId);
  let actorName = actor.kind === 'api' ? actor.name : actor.userid;
  if (actor.kind === 'staff') {
    const s = await isOfficeMember(m, actor.userid);
    if (!s) throw new AppError('office_member_required', `${actor.userid} is not a member of the office`);
    actorName = s.name;
  }
  const req = await m.getRepository(VerificationRequest).findOneByOrFail({ id: esc.requestId });
  checkOfficeAction(req, input.kind, now);
  if (input.kind === 'summons' && !input.note?.trim()) throw new AppError('validation_failed', 'a summons needs the effect of the late answer (note)');
  if (input.kind === 'urge') {
    // A double tap (or two members at once) is one urge: a recent urge stands.
    const recent = await m.getRepository(OfficeOrder).findOne({ where: { requestId: req.id, kind: 'urge' }, order: { id: 'DESC' } });
    if (recent && now.getTime() - recent.createdAt.getTime() < URGE_REPEAT_MS) {
      return { order: recent, escalation: esc, request: req, done: await doneLines(m, d.config.officeTz, esc.id), repeated: true };
    }
  }
  let completeBy: Date | null = null;
  let preset: string | null = null;
  if (input.kind === 'order') {
    if (input.completeBy) {
      completeBy = input.completeBy;
      preset = 'custom';
    } else {
      const p = input.preset ?? '2h';
      if (!(p in ORDER_PRESET_LABEL)) throw new AppError('validation_failed', `unknown preset ${String(p)}`);
      completeBy = presetInstant(cal, p, now);
      preset = p;
      if (!completeBy) throw new AppError('order_deadline_past', `the preset ${p} names no time still ahead`, { details: { preset: p } });
    }
    if (completeBy.getTime() <= now.getTime()) throw new AppError('order_deadline_past', 'the new completion time must lie in the future', { details: { preset } });
  }

  const order = m.getRepository(OfficeOrder).create({
    escalationId: esc.id,
    requestId: req.id,
    kind: input.kind as OfficeActionKind,
    actor: officeActorLabel(actor),
    completeBy,
    preset,
    note: input.note?.trim() || null,
    createdAt: now,
  });
  await m.getRepository(OfficeOrder).insert(order);
  const today = cal.localDate(now);
  const tz = d.config.officeTz;
  const units = await unitNames(m, [req.issuerUnit, req.requesterUnit]);
  const issuerName = units.get(req.issuerUnit) ?? req.issuerUnit;
  const key = `office:${order.id}`;
  const toIssuer = unitItem(units.get(req.requesterUnit) ?? req.requesterUnit, req.serviceItem);
  const group = (content: string) => queueGroupMarkdown(m, d.config, content, now, { id: String(esc.id), dedupeKey: `${key}:group` });

  if (input.kind === 'urge') {
    const late = formatLate(officeMinutesBetween(cal, esc.missedDueAt, now));
    const holders = await holdersOf(m, req, today);
    const folded = await foldIntoCards(m, d, cal, req, holders, 'urge', now, key);
    for (const u of holders) if (!folded.has(u)) await sendText(m, u, TEXT.urged(toIssuer, req.number, late), now, { refType: REF.text, refId: String(req.id), dedupeKey: `${key}:${u}` });
    await group(GROUP.urged(actorName, req.number));
    await addEvent(m, req, now, 'urged', officeActorLabel(actor), { data: { escalationId: esc.id, orderId: order.id } });
  } else if (input.kind === 'order') {
    const by = shortTime(tz, completeBy!);
    const open = isOpen(req);
    const targets = open ? await holdersOf(m, req, today) : await ownerAndLiaisons(m, req, today);
    const notice = officeOrderNoticeCard({ number: req.number, issuerUnitName: issuerName, requesterUnitName: units.get(req.requesterUnit) ?? req.requesterUnit, serviceItem: req.serviceItem, completeBy: completeBy!, detailUrl: detailUrl(d.config.publicUrl, req.id), tz }, now);
    const folded = open ? await foldIntoCards(m, d, cal, req, targets, 'order', now, key) : new Set<string>();
    for (const u of targets) {
      if (folded.has(u)) continue;
      await enqueue(m, { channel: 'message', payload: cardPayload(u, notice), refType: REF.orderNotice, refId: String(order.id), dedupeKey: `${key}:card:${u}`, now });
      await sendText(m, u, open ? TEXT.ordered(toIssuer, req.number, by) : TEXT.orderedAfterClose(toIssuer, req.number, by), now, { refType: REF.text, refId: String(req.id), dedupeKey: `${key}:${u}` });
    }
    for (const u of await requesterTargets(m, req, today)) await sendText(m, u, TEXT.orderedToRequester(unitItem(issuerName, req.serviceItem), req.number, issuerName, by), now, { refType: REF.text, refId: String(req.id), dedupeKey: `${key}:requester:${u}` });
    await group(GROUP.ordered(actorName, issuerName, req.number, by));
    await addEvent(m, req, now, 'ordered_completion', officeActorLabel(actor), { data: { escalationId: esc.id, orderId: order.id, completeBy: completeBy!.toISOString(), preset } });
    // A request answered late has nothing left to track: the order is recorded and told.
    if (open) await scheduleOrder(m, cal, req, order, now);
  } else {
    const summons = await recordSummons(m, d, cal, req, actor, actorName, { escalationId: esc.id, person: input.person, effect: input.note!, officeRequest: input.officeRequest }, now);
    return { order, escalation: esc, request: req, done: await doneLines(m, tz, esc.id), summons };
  }
  return { order, escalation: esc, request: req, done: await doneLines(m, tz, esc.id) };
}

/** The order becomes the tracker's current order: its reminders and level 2 are planned from now. */
async function scheduleOrder(m: EntityManager, cal: WorkingCalendar, req: VerificationRequest, order: OfficeOrder, now: Date): Promise<void> {
  const table = await loadStageTable(m);
  const claims = await m.getRepository(DeadlineStageClaim).find({ where: { requestId: req.id }, select: { stage: true } });
  const plan = planStages(cal, table, { category: req.category, startedAt: req.startedAt, dueAt: req.dueAt, online: req.channel === 'system' }, { id: order.id, createdAt: order.createdAt, completeBy: order.completeBy! });
  const next = nextWake(cal, plan, new Set(claims.map((c) => c.stage)), now);
  const r = await m
    .createQueryBuilder()
    .update(DeadlineTracker)
    .set({ orderId: order.id, nextStageAt: next, state: 'active', updatedAt: now, version: () => 'version + 1' } as Record<string, unknown>)
    .where('request_id = :id', { id: req.id })
    .execute();
  if (!r.affected) {
    await m.getRepository(DeadlineTracker).insert({ requestId: req.id, nextStageAt: next, state: 'active', level: 1, orderId: order.id, failures: 0, lastError: null, createdAt: now, updatedAt: now });
  }
}
