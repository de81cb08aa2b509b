/** The effects a kf conversation asks for: register a complaint, answer a status or list question, hand off to the office. */
import crypto from 'crypto';
import { EntityManager } from 'typeorm';
import { Complaint, KfConversation, KfInboundMessage, Unit } from '../../entities';
import { AppError } from '../errors';
import { WorkingCalendar, formatInZone } from '../calendar';
import { searchPublished } from '../exemptions/lookup';
import { Agency, Effect, EffectResultInput, ExemptionItem, Reply } from './flow';
import { CITIZEN, OFFICE, STATUS_SUMMARY } from './lifecycle-messages';
import { registerComplaint } from './lifecycle';
import { RejectionGround, TerminationGround, isOpen } from './model';
import { kfText, textToOffice } from './notify';
import type { KfWorkerDeps } from './kf-runtime';

export type ExemptionSearch = (m: EntityManager, q: string) => Promise<ExemptionItem[]>;

/** What every item of a pass shares. */
export interface Env {
  agencies: Agency[];
  cal: WorkingCalendar;
}

/** Carries out one effect the flow asked for, in the item's transaction. */
export async function performEffect(deps: KfWorkerDeps, m: EntityManager, effect: Effect, conv: KfConversation, row: KfInboundMessage, env: Env, now: Date): Promise<{ result: EffectResultInput; after: Reply[] }> {
  switch (effect.kind) {
    case 'file_complaint': {
      const d = effect.draft;
      const agencyCode = d.agencyCode && (await m.findOne(Unit, { select: { code: true }, where: { code: d.agencyCode } })) ? d.agencyCode : null;
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
          },
          { cal: env.cal, now, actor: { by: 'citizen', name: `kf:${conv.externalUserId}` } },
        );
        const after = res.original ? [kfText(CITIZEN.linked(res.complaint.number, res.original.number))] : [];
        return { result: { type: 'effect_result', kind: 'file_complaint', ok: true, number: res.complaint.number }, after };
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
    case 'query_exemption': {
      try {
        const items = await (deps.searchExemptions ?? defaultExemptionSearch)(m, effect.q);
        return { result: { type: 'effect_result', kind: 'query_exemption', items }, after: [] };
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
      return { result: { type: 'effect_result', kind: 'handoff', ok: true }, after: [] };
    }
  }
}
/**
 * Idempotency key of a chat submission: the draft (flow's draftId) and a digest of what it
 * says, so a resubmitted draft registers once and two drafts begun in the same second do not merge.
 */
export function draftKey(conv: { openKfId: string; externalUserId: string }, draftId: string, draft: object): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(draft)).digest('base64url').slice(0, 16);
  return `kf:${conv.openKfId}:${conv.externalUserId}:${draftId}:${digest}`.slice(0, 190);
}

/** The published exemption list: what the chat's "is a certificate still required?" finds. */
export const defaultExemptionSearch: ExemptionSearch = async (m, q) => {
  const rows = await searchPublished(m, q, 6);
  return rows.map((r) => ({ serviceItem: r.serviceItem, certificate: r.certificate, method: r.method, issuerUnit: r.issuerUnit.name }));
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
