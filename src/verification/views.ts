import { EntityManager, In } from 'typeorm';
import { Escalation, Staff, VerificationEvent, VerificationLedgerEntry, VerificationRecipient, VerificationRequest, VerificationTemplate } from '../../entities';
import { WorkingCalendar, formatInZone } from '../calendar';
import { maskIdNumber, maskName } from './mask';
import { clocksOf, isOverdue } from './clocks';

export function iso(cal: WorkingCalendar, d: Date | null | undefined): string | null {
  return d ? formatInZone(cal, d) : null;
}

function parseData(s: string | null): unknown {
  if (!s) return null;
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

export function templateView(t: VerificationTemplate) {
  return {
    id: t.id,
    issuerUnit: t.issuerUnit,
    certificate: t.certificate,
    requesterUnit: t.requesterUnit || null,
    category: t.category,
    fields: parseData(t.fields) ?? [],
    method: t.method,
    requestLetter: t.requestLetter,
    replyLetter: t.replyLetter,
  };
}

export function ledgerEntryView(cal: WorkingCalendar, e: VerificationLedgerEntry) {
  return {
    id: e.id,
    requestId: e.requestId,
    unit: e.unitCode,
    kind: e.kind,
    occurredAt: iso(cal, e.occurredAt),
    material: e.material,
    purpose: e.purpose,
    outcome: e.outcome,
    applicationMaterial: !!e.applicationMaterial,
    recordedBy: e.recordedBy,
    recordedAt: iso(cal, e.recordedAt),
  };
}

/** One line of a register (list, ledger export): the applicant only masked. */
export function summaryView(cal: WorkingCalendar, r: VerificationRequest, now: Date) {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    category: r.category,
    channel: r.channel,
    requesterUnit: r.requesterUnit,
    issuerUnit: r.issuerUnit,
    serviceItem: r.serviceItem,
    certificate: r.certificate,
    applicant: { name: maskName(r.applicantName), idNumber: maskIdNumber(r.applicantIdNumber) },
    startedAt: iso(cal, r.startedAt),
    dueAt: iso(cal, r.dueAt),
    overdue: isOverdue(r, now),
    assignee: r.assignee,
    result: r.result,
    answeredAt: iso(cal, r.answeredAt),
    returnedAt: iso(cal, r.returnedAt),
    closedAt: iso(cal, r.closedAt),
    verificationMinutes: r.verificationMinutes,
  };
}

/**
 * GET /api/v1/verifications/{id} (CONTRACT.md): status, deadline, owner, reply, events,
 * both clocks (Art. 7). The applicant is masked here; full data only on the detail page.
 */
export async function requestView(m: EntityManager, cal: WorkingCalendar, req: VerificationRequest, now: Date) {
  const [events, recipients, ledger, template, escalated] = await Promise.all([
    m.getRepository(VerificationEvent).find({ where: { requestId: req.id }, order: { at: 'ASC', id: 'ASC' } }),
    m.getRepository(VerificationRecipient).find({ where: { requestId: req.id }, order: { id: 'ASC' } }),
    m.getRepository(VerificationLedgerEntry).find({ where: { requestId: req.id }, order: { occurredAt: 'ASC', id: 'ASC' } }),
    req.templateId ? m.getRepository(VerificationTemplate).findOneBy({ id: req.templateId }) : Promise.resolve(null),
    m.getRepository(Escalation).countBy({ requestId: req.id }),
  ]);
  const people = [...new Set([req.assignee, ...recipients.map((r) => r.userid)].filter((u): u is string => !!u))];
  const staff = people.length ? await m.getRepository(Staff).findBy({ userid: In(people) }) : [];
  const name = (u: string | null) => (u ? (staff.find((s) => s.userid === u)?.name ?? null) : null);
  const clocks = clocksOf(cal, req, now);
  return {
    id: req.id,
    number: req.number,
    status: req.status,
    category: req.category,
    dueAt: iso(cal, req.dueAt),
    originalDueAt: iso(cal, req.originalDueAt ?? req.dueAt),
    // Once the system escalated it, it was late whatever clock reads it now (a sweep run at a simulated instant).
    overdue: escalated > 0 || isOverdue(req, now),
    assignee: req.assignee,
    assigneeName: name(req.assignee),
    reply: req.result ? { result: req.result, details: req.reply, answeredAt: iso(cal, req.answeredAt) } : null,
    returnReason: req.returnReason,
    returnedAt: iso(cal, req.returnedAt),
    requesterUnit: req.requesterUnit,
    issuerUnit: req.issuerUnit,
    requestedBy: req.requestedBy,
    serviceItem: req.serviceItem,
    certificate: req.certificate,
    question: req.question,
    applicant: { name: maskName(req.applicantName), idNumber: maskIdNumber(req.applicantIdNumber) },
    channel: req.channel,
    listEntryId: req.listEntryId,
    deadlineRule: req.deadlineRule,
    startedAt: iso(cal, req.startedAt),
    acceptedAt: iso(cal, req.acceptedAt),
    answeredAt: iso(cal, req.answeredAt),
    closedAt: iso(cal, req.closedAt),
    clocks: {
      verification: {
        startedAt: iso(cal, clocks.verification.startedAt),
        dueAt: iso(cal, clocks.verification.dueAt),
        endedAt: iso(cal, clocks.verification.endedAt),
        officeMinutes: clocks.verification.officeMinutes,
        running: clocks.verification.running,
      },
      requesterCase: {
        caseStartedAt: iso(cal, clocks.requesterCase.caseStartedAt),
        pausedFrom: iso(cal, clocks.requesterCase.pausedFrom),
        pausedUntil: iso(cal, clocks.requesterCase.pausedUntil),
        pausedOfficeMinutes: clocks.requesterCase.pausedOfficeMinutes,
        activeOfficeMinutes: clocks.requesterCase.activeOfficeMinutes,
      },
    },
    recipients: recipients.map((r) => ({
      userid: r.userid,
      name: name(r.userid),
      role: r.role,
      ab: r.ab,
      reason: r.reason,
      notifiedAt: iso(cal, r.notifiedAt),
      closedAt: iso(cal, r.closedAt),
      outcome: r.outcome,
    })),
    template: template ? templateView(template) : null,
    ledger: ledger.map((e) => ledgerEntryView(cal, e)),
    events: events.map((e) => ({
      at: iso(cal, e.at),
      type: e.type,
      actor: e.actor,
      from: e.fromStatus,
      to: e.toStatus,
      reason: e.reason,
      data: parseData(e.data),
    })),
  };
}
