/** The effects a kf conversation asks for: register a complaint, answer a status or list question, hand off to the office. */
import crypto from 'crypto';
import { EntityManager } from 'typeorm';
import { CitizenRequest, Complaint, KfConversation, KfInboundMessage } from '../../entities';
import type { CitizenRequestKind } from '../../entities/CitizenRequest';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import { searchPublishedTerms } from '../exemptions/lookup';
import { Agency, CaseRef, Effect, EffectResultInput, ExemptionItem, Reply } from './flow';
import { OFFICE, STATUS_SUMMARY } from './lifecycle-messages';
import { registerComplaint } from './lifecycle';
import { RejectionGround, TerminationGround, isOpen } from './model';
import { textToOffice, textToStaff } from './notify';
import { unitContacts } from '../directory/who';
import { addEvent } from './events';
import { CITIZEN_OFFICE } from './messages';
import type { OfficeTables } from './understand-store';
import type { KfWorkerDeps } from './kf-runtime';

export type ExemptionSearch = (m: EntityManager, q: string, terms: string[]) => Promise<{ items: ExemptionItem[]; published: boolean }>;

/** What every item of a pass shares. */
export interface Env {
  agencies: Agency[];
  cal: WorkingCalendar;
  tables: OfficeTables;
}

/** Carries out one effect the flow asked for, in the item's transaction. */
export async function performEffect(deps: KfWorkerDeps, m: EntityManager, effect: Effect, conv: KfConversation, row: KfInboundMessage, env: Env, now: Date): Promise<{ result: EffectResultInput; after: Reply[] }> {
  switch (effect.kind) {
    case 'file_complaint': {
      const d = effect.draft;
      // The flow matched the code against these same units (registerComplaint reads the unit itself).
      const agencyCode = d.agencyCode && env.agencies.some((a) => a.code === d.agencyCode) ? d.agencyCode : null;
      try {
        const res = await registerComplaint(
          m,
          {
            channel: 'kf',
            ground: d.ground,
            agencyCode,
            agencyName: d.agencyText,
            facts: d.facts,
            request: d.request,
            name: d.name,
            phone: d.phone,
            isProxy: d.proxy.isProxy,
            principalName: d.proxy.principalName ?? null,
            receivedAt: row.sendTime.getTime() > 0 ? row.sendTime : now,
            receivedBy: `kf:${conv.openKfId}`,
            openKfId: conv.openKfId,
            externalUserId: conv.externalUserId,
            sourceKey: draftKey(conv, effect.draftId, d),
            // Art. 5-6 fields the other channels do not take: what is asked, and how to reach the principal.
            certificate: d.certificate?.slice(0, 100) || null,
            principalPhone: d.proxy.principalPhone ?? null,
            principalRelationship: d.proxy.relationship?.slice(0, 20) ?? null,
          },
          { cal: env.cal, now, actor: { by: 'citizen', name: `kf:${conv.externalUserId}` } },
        );
        const c = res.complaint;
        if (res.created) {
          // Nothing waits unseen: an agency the directory does not know goes to the office at once.
          if (!c.agencyCode && c.duplicateOf === null) {
            await textToOffice(m, deps.office, CITIZEN_OFFICE.agencyUnmatched(c.number, c.agencyName), now, `kf:${row.id}`);
            await worklist(m, 'agency_unmatched', conv, c.id, c.agencyName, now);
          }
        }
        // The citizen hears "merged into …" with the number, in the flow's one reply.
        return { result: { type: 'effect_result', kind: 'file_complaint', ok: true, number: c.number, ...(res.original ? { mergedInto: res.original.number } : {}) }, after: [] };
      } catch (e) {
        // Refused before anything was written (validation): the citizen keeps the draft.
        if (e instanceof AppError && e.status < 500 && e.code !== 'conflict') {
          deps.log.warn({ kfMessageId: row.id, code: e.code }, 'chat complaint refused');
          return { result: { type: 'effect_result', kind: 'file_complaint', ok: false, reason: e.code }, after: [] };
        }
        throw e;
      }
    }
    case 'query_status': {
      // Only the citizen who filed it hears anything; "not yours" and "no such case" read the same.
      const c = await m.findOneBy(Complaint, { number: effect.number, externalUserId: conv.externalUserId });
      if (!c) return { result: { type: 'effect_result', kind: 'query_status', found: false }, after: [] };
      return { result: { type: 'effect_result', kind: 'query_status', found: true, status: c.status, summary: await statusSummary(m, c, env.cal) }, after: [] };
    }
    case 'list_cases':
      return { result: { type: 'effect_result', kind: 'list_cases', cases: await citizenCases(m, conv.externalUserId, env.cal) }, after: [] };
    case 'query_exemption': {
      try {
        const r = await (deps.searchExemptions ?? defaultExemptionSearch)(m, effect.q, effect.terms ?? [effect.q]);
        return { result: { type: 'effect_result', kind: 'query_exemption', items: r.items, published: r.published }, after: [] };
      } catch (e) {
        deps.log.warn({ err: (e as Error).message }, 'exemption search failed');
        return { result: { type: 'effect_result', kind: 'query_exemption', ok: false }, after: [] };
      }
    }
    case 'handoff': {
      const open = await m.find(Complaint, { select: { number: true, status: true }, where: { externalUserId: conv.externalUserId }, order: { id: 'DESC' }, take: 5 });
      const numbers = open.filter((c) => isOpen(c.status)).map((c) => c.number);
      const who = `…${conv.externalUserId.slice(-6)}`;
      await textToOffice(m, deps.office, OFFICE.handoff(conv.openKfId, who, numbers.length ? numbers.join('、') : null), now, `kf:${row.id}`);
      await worklist(m, 'handoff', conv, null, numbers.length ? numbers.join('、') : '', now);
      return { result: { type: 'effect_result', kind: 'handoff', ok: true }, after: [] };
    }
    case 'forward': {
      const who = `…${conv.externalUserId.slice(-6)}`;
      await textToOffice(m, deps.office, CITIZEN_OFFICE.forwarded(who, effect.text), now, `kf:${row.id}`);
      await worklist(m, 'message', conv, null, effect.text, now);
      return { result: { type: 'effect_result', kind: 'forward', ok: true }, after: [] };
    }
    case 'case_message': {
      const c = await m.findOneBy(Complaint, { number: effect.number, externalUserId: conv.externalUserId });
      if (c) {
        const type = effect.dissatisfied ? 'citizen_dissatisfied' : 'citizen_message';
        await addEvent(m, c.id, { type, actor: `citizen:kf:${conv.externalUserId}`, at: now, reason: effect.text });
        await worklist(m, effect.dissatisfied ? 'dissatisfied' : 'message', conv, c.id, effect.text, now);
        const line = effect.dissatisfied ? CITIZEN_OFFICE.dissatisfied(c.number, effect.text) : CITIZEN_OFFICE.caseMessage(c.number, effect.text);
        await textToOffice(m, deps.office, line, now, `kf:${row.id}`);
        // The agency handling an open case sees what the citizen added.
        if (!effect.dissatisfied && c.agencyCode && isOpen(c.status)) {
          const to = await unitContacts(m, c.agencyCode);
          if (to.length) await textToStaff(m, to, CITIZEN_OFFICE.caseMessage(c.number, effect.text), now, `kf:${row.id}`);
        }
      }
      return { result: { type: 'effect_result', kind: 'case_message', ok: true }, after: [] };
    }
  }
}

async function worklist(m: EntityManager, kind: CitizenRequestKind, conv: KfConversation, complaintId: number | null, text: string, now: Date): Promise<void> {
  await m.insert(CitizenRequest, { kind, status: 'open', openKfId: conv.openKfId, externalUserId: conv.externalUserId, complaintId, text: text.slice(0, 2000), createdAt: now, doneAt: null, doneBy: null });
}

/** The citizen's own cases, newest first, as the flow lists them and attaches messages to them. */
export async function citizenCases(m: EntityManager, externalUserId: string, cal: WorkingCalendar): Promise<CaseRef[]> {
  const rows = await m.find(Complaint, {
    select: { id: true, number: true, status: true, agencyName: true, dueAt: true, closedAt: true },
    where: { externalUserId },
    order: { id: 'DESC' },
    take: 10,
  });
  return rows.map((c) => caseRefOf(c, cal));
}

/** The columns a CaseRef is made of (citizenCases, and the kf worker's read for a whole chunk). */
export const CASE_COLUMNS = ['id', 'number', 'status', 'agency_name', 'due_at', 'closed_at'] as const;

export function caseRefOf(c: Pick<Complaint, 'number' | 'status' | 'agencyName' | 'dueAt' | 'closedAt'>, cal: WorkingCalendar): CaseRef {
  return {
    number: c.number,
    status: c.status,
    agencyName: c.agencyName,
    ...(c.dueAt ? { due: formatInZone(cal, c.dueAt) } : {}),
    ...(c.closedAt ? { closedAt: c.closedAt.toISOString() } : {}),
  };
}
/**
 * Idempotency key of a chat submission: the draft (flow's draftId) and a digest of what it
 * says, so a resubmitted draft registers once and two drafts begun in the same second do not merge.
 */
export function draftKey(conv: { openKfId: string; externalUserId: string }, draftId: string, draft: object): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(draft)).digest('base64url').slice(0, 16);
  return `kf:${conv.openKfId}:${conv.externalUserId}:${draftId}:${digest}`.slice(0, 190);
}

/** The published list : what the chat's "is a certificate still required?" finds. */
export const defaultExemptionSearch: ExemptionSearch = async (m, q, terms) => {
  const r = await searchPublishedTerms(m, terms.length ? terms : [q], 6);
  return {
    published: r.published,
    items: r.items.map((e) => ({ serviceItem: e.serviceItem, certificate: e.certificate, method: e.method, issuerUnit: e.issuerUnit.name, handlingUnit: e.requesterUnit })),
  };
};

/** The "办理情况" line of a status answer. */
export async function statusSummary(m: EntityManager, c: Complaint, cal: WorkingCalendar): Promise<string> {
  if (c.duplicateOf !== null) {
    const original = await m.findOne(Complaint, { select: { number: true }, where: { id: c.duplicateOf } });
    if (original) return STATUS_SUMMARY.linked(original.number);
  }
  switch (c.status) {
    case 'accepted':
      return c.dueAt ? STATUS_SUMMARY.accepted(formatInZone(cal, c.dueAt)) : STATUS_SUMMARY.registered;
    case 'extended':
      return c.dueAt ? STATUS_SUMMARY.extended(formatInZone(cal, c.dueAt)) : STATUS_SUMMARY.registered;
    case 'resolved':
      return STATUS_SUMMARY.resolved(c.result ?? '');
    case 'rejected':
      return STATUS_SUMMARY.rejected(c.closingGround as RejectionGround, c.closingReason);
    case 'terminated':
      return STATUS_SUMMARY.terminated(c.closingGround as TerminationGround, c.closingReason);
    default:
      return STATUS_SUMMARY.registered;
  }
}
