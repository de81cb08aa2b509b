import { EntityManager } from 'typeorm';
import { AccountabilityCase, Staff, Summons, VerificationRequest } from '../../entities';
import type { SummonsDecision } from '../../entities/Summons';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import { Period } from '../calendar/period';
import { addEvent } from '../verification/service';
import { addCaseEvent, accountableLiaison } from '../accountability/service';
import { queueGroupMarkdown, sendText } from '../wecom/messaging';
import { Actor, ownerAndLiaisons, unitNames } from '../directory/who';
import { DeadlineDeps, REF, isOpen } from './deps';
import { GROUP, SUMMONS, unitItem } from './messages';

/** SPEC 1 Art. 11: the office may still act on a request answered late, this long after it closed. */
export const AFTER_CLOSE_WINDOW_MS = 30 * 86_400_000;

export function actorLabel(a: Actor): string {
  return a.kind === 'staff' ? a.userid : `api:${a.name}`.slice(0, 100);
}

/** Missed its (original) deadline: answered after it, or still open past it. */
export function wasLate(req: Pick<VerificationRequest, 'dueAt' | 'closedAt'>, now: Date): boolean {
  return (req.closedAt ?? now).getTime() > req.dueAt.getTime();
}

/**
 * May the office still act on the request (SPEC 1 Art. 11)? 督办 needs an open request;
 * 责成限时办结 and 约谈 are also possible on a request answered late, for 30 days after it
 * closed; a 约谈 needs a missed deadline. Throws the refusal.
 */
export function checkOfficeAction(req: VerificationRequest, kind: 'urge' | 'order' | 'summons', now: Date): void {
  if (kind === 'summons' && !wasLate(req, now)) throw new AppError('summons_not_late', `${req.number} was answered on time: no summons`);
  if (isOpen(req)) return;
  if (kind === 'urge' || req.status === 'cancelled' || !req.closedAt) throw new AppError('escalation_closed', `${req.number} is ${req.status}; nothing to urge`);
  if (!wasLate(req, now)) throw new AppError('escalation_closed', `${req.number} was answered on time`);
  if (now.getTime() - req.closedAt.getTime() > AFTER_CLOSE_WINDOW_MS) throw new AppError('office_action_window_over', `${req.number} closed more than 30 days ago`);
}

export interface SummonsInput {
  escalationId?: number | null;
  /** The person summoned (a userid of the directory); default: the owner, else the unit's liaison. */
  person?: string | null;
  effect: string;
  officeRequest?: string | null;
}

/**
 * Records a 约谈 request (SPEC 1 Art. 11) after every check: the record, the request's event
 * and its cases' evidence, the issuing unit told, the office group told (no personal data).
 */
export async function recordSummons(m: EntityManager, d: DeadlineDeps, cal: WorkingCalendar, req: VerificationRequest, actor: Actor, actorName: string, input: SummonsInput, now: Date): Promise<Summons> {
  checkOfficeAction(req, 'summons', now);
  const effect = input.effect.trim();
  if (!effect) throw new AppError('validation_failed', 'effect must describe the bad effect of the late answer');
  const userid = input.person ?? req.assignee ?? (await accountableLiaison(m, req.issuerUnit));
  const person = userid ? await m.getRepository(Staff).findOneBy({ userid }) : null;
  if (input.person && !person) throw new AppError('validation_failed', `person ${input.person} is not in the directory`);
  const units = await unitNames(m, [req.issuerUnit, req.requesterUnit]);
  const unitName = units.get(req.issuerUnit) ?? req.issuerUnit;
  const repo = m.getRepository(Summons);
  const s = repo.create({
    requestId: req.id,
    escalationId: input.escalationId ?? null,
    number: req.number,
    unitCode: req.issuerUnit,
    personUserid: person?.userid ?? null,
    personName: person?.name ?? SUMMONS.unitHead,
    effect: effect.slice(0, 2000),
    officeRequest: (input.officeRequest?.trim() || SUMMONS.defaultRequest(unitName, req.number)).slice(0, 2000),
    requestedBy: actorLabel(actor),
    requestedAt: now,
    decision: null,
    decisionNote: null,
    heldOn: null,
    decidedAt: null,
    decidedBy: null,
  });
  await repo.insert(s);
  const by = actorLabel(actor);
  await addEvent(m, req, now, 'summons_requested', by, { data: { summonsId: s.id, escalationId: s.escalationId, person: s.personUserid } });
  // SPEC 4: the summons request joins the evidence of the request's cases.
  for (const c of await m.getRepository(AccountabilityCase).findBy({ requestId: req.id })) {
    await addCaseEvent(m, c.id, now, 'summons_requested', by, { summonsId: s.id, escalationId: s.escalationId });
  }
  const told = new Set(await ownerAndLiaisons(m, req, cal.localDate(now)));
  if (s.personUserid) told.add(s.personUserid);
  for (const u of told) await sendText(m, u, SUMMONS.toUnit(unitItem(units.get(req.requesterUnit) ?? req.requesterUnit, req.serviceItem), req.number, s.personName, s.effect), now, { refType: REF.text, refId: String(req.id), dedupeKey: `summons:${s.id}:${u}` });
  await queueGroupMarkdown(m, d.config, GROUP.summons(actorName, unitName, req.number), now, { id: `summons:${s.id}`, dedupeKey: `summons:${s.id}:group` });
  return s;
}

/** The county government's decision and the date the summons was held. */
export async function decideSummons(m: EntityManager, id: number, input: { decision: SummonsDecision; heldOn?: string | null; note?: string | null }, actor: Actor, now: Date): Promise<Summons> {
  const repo = m.getRepository(Summons);
  const s = Number.isSafeInteger(id) ? await repo.findOneBy({ id }) : null;
  if (!s) throw new AppError('summons_not_found', `no summons ${id}`);
  if (input.decision === 'declined' && input.heldOn) throw new AppError('validation_failed', 'a declined summons is not held');
  s.decision = input.decision;
  s.heldOn = input.heldOn ?? null;
  s.decisionNote = input.note?.trim() || null;
  s.decidedAt = now;
  s.decidedBy = actorLabel(actor);
  await repo.save(s);
  await addEvent(m, { id: s.requestId }, now, 'summons_decided', s.decidedBy, { data: { summonsId: s.id, decision: s.decision, heldOn: s.heldOn } });
  return s;
}

/** The summonses of a period (by request time), optionally of one unit. */
export async function listSummons(m: EntityManager, q: { unit?: string; period?: Period }): Promise<Summons[]> {
  const qb = m.getRepository(Summons).createQueryBuilder('s').orderBy('s.id', 'ASC');
  if (q.unit) qb.andWhere('s.unit_code = :u', { u: q.unit });
  if (q.period) qb.andWhere('s.requested_at >= :a AND s.requested_at < :b', { a: q.period.start, b: q.period.end });
  return qb.getMany();
}

export function summonsJson(cal: WorkingCalendar, s: Summons) {
  return {
    id: s.id,
    requestId: s.requestId,
    number: s.number,
    escalationId: s.escalationId,
    unit: s.unitCode,
    person: { userid: s.personUserid, name: s.personName },
    effect: s.effect,
    officeRequest: s.officeRequest,
    requestedBy: s.requestedBy,
    requestedAt: formatInZone(cal, s.requestedAt),
    decision: s.decision,
    decisionNote: s.decisionNote,
    heldOn: s.heldOn,
    decidedAt: s.decidedAt ? formatInZone(cal, s.decidedAt) : null,
    decidedBy: s.decidedBy,
  };
}
