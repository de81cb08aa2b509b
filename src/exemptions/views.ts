import { EntityManager } from 'typeorm';
import { ExemptionApplication, ExemptionEntry } from '../../entities';
import { WorkingCalendar, formatInZone } from '../calendar';

import { Actor, entryData, loadApplication, givenFields, ownCheck } from './common';

/** Applications as the API shows them. */

// ---------------------------------------------------------------- views

export function applicationView(a: ExemptionApplication, cal: WorkingCalendar) {
  return {
    id: a.id,
    unitCode: a.unitCode,
    initiator: a.initiator,
    kind: a.kind,
    reason: a.reason,
    entryId: a.entryId,
    fields: givenFields(a),
    note: a.note,
    status: a.status,
    causeDate: a.causeDate,
    dueAt: formatInZone(cal, a.dueAt),
    late: a.late,
    submittedAt: a.submittedAt ? formatInZone(cal, a.submittedAt) : null,
    submittedBy: a.submittedBy,
    reviewedAt: a.reviewedAt ? formatInZone(cal, a.reviewedAt) : null,
    reviewedBy: a.reviewedBy,
    reviewComment: a.reviewComment,
    publishedVersion: a.publishedVersion,
  };
}

export function entryView(e: ExemptionEntry) {
  return { id: e.id, ...entryData(e), status: e.status };
}

export async function getApplication(m: EntityManager, actor: Actor, id: number): Promise<ExemptionApplication> {
  const a = await loadApplication(m, id);
  ownCheck(actor, a);
  return a;
}

export async function listApplications(m: EntityManager, actor: Actor, status: string | undefined, limit = 100): Promise<ExemptionApplication[]> {
  const qb = m.getRepository(ExemptionApplication).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(limit);
  if (status) qb.andWhere('a.status = :status', { status });
  if (actor.kind === 'unit') qb.andWhere('a.unitCode = :u', { u: actor.unitCode });
  return qb.getMany();
}

