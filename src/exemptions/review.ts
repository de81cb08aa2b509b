import { EntityManager, In } from 'typeorm';
import { ExemptionApplication, ExemptionEntry, Staff, Unit } from '../../entities';
import type { ApplicationStatus } from '../../entities/ExemptionApplication';
import { WorkingCalendar, shortTime } from '../calendar';
import { EntryData, EntryField } from './rules';
import { MSG, DECISION_LABEL, METHOD_LABEL, CATEGORY_LABEL } from './messages';
import { REVIEW_REF, closeReviewCards } from './notify';
import { sendCard, sendText } from '../wecom/messaging';
import { officeMembers, unitContacts } from '../directory/who';
import { exemptionReviewCard } from '../../cards/exemption-review.card';

import { Actor, refuse, loadApplication, entryData, givenFields, findDuplicate } from './common';

/** The office's review of an application (Art. 10-11) and what an approval changes in the working list. */

export type Decision = 'approve' | 'return' | 'reject';

// ---------------------------------------------------------------- review (Art. 10-11)

export async function unitName(m: EntityManager, code: string): Promise<string> {
  return (await m.getRepository(Unit).findOneBy({ code }))?.name ?? code;
}

export function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** "label: value" lines describing an application for cards. */
export async function describeLines(m: EntityManager, a: Pick<ExemptionApplication, 'kind' | 'entryId'> & Partial<Record<EntryField, string | null>>): Promise<Array<{ key: string; value: string }>> {
  const entry = a.entryId ? await m.getRepository(ExemptionEntry).findOneBy({ id: a.entryId }) : null;
  const g = givenFields(a);
  const base: Partial<EntryData> = entry ? entryData(entry) : {};
  const shown: Partial<EntryData> = { ...base, ...g };
  const units = await m.getRepository(Unit).find({ where: { code: In([shown.requesterUnit, shown.issuerUnit].filter((x): x is string => !!x)) } });
  const uname = (c?: string) => (c ? (units.find((u) => u.code === c)?.name ?? c) : '');
  const L = MSG.labels;
  const mark = (f: EntryField) => (a.kind === 'change' && g[f] !== undefined && g[f] !== base[f] ? L.changedMark : '');
  const lines: Array<{ key: string; value: string }> = [
    { key: `${L.serviceItem}${mark('serviceItem')}`, value: clip(shown.serviceItem ?? '', 30) },
    { key: `${L.certificate}${mark('certificate')}`, value: clip(shown.certificate ?? '', 30) },
  ];
  if (a.kind !== 'cancel') {
    lines.push({ key: `${L.issuer}${mark('issuerUnit')}`, value: clip(uname(shown.issuerUnit), 20) });
    lines.push({ key: `${L.method}${mark('method')}`, value: shown.method ? METHOD_LABEL[shown.method] : '' });
    if (g.requesterUnit) lines.push({ key: `${L.requester}${mark('requesterUnit')}`, value: clip(uname(g.requesterUnit), 20) });
    if (g.legalBasis) lines.push({ key: `${L.basis}${mark('legalBasis')}`, value: clip(g.legalBasis, 40) });
    if (g.defaultCategory && (shown.method === 'verification' || a.kind === 'change')) lines.push({ key: `${L.category}${mark('defaultCategory')}`, value: CATEGORY_LABEL[g.defaultCategory] });
  } else if (g.legalBasis) lines.push({ key: L.basis, value: clip(g.legalBasis, 40) });
  return lines;
}

/** One review card to every office member, per submission round (Art. 10). */
export async function sendReviewCards(m: EntityManager, _cal: WorkingCalendar, a: ExemptionApplication, now: Date): Promise<void> {
  const members = await officeMembers(m);
  if (!members.length) return;
  const round = a.submittedAt!.getTime();
  const card = exemptionReviewCard(
    {
      applicationId: a.id,
      round,
      kind: a.kind!,
      unitName: await unitName(m, a.unitCode),
      entryId: a.entryId,
      reason: a.reason!,
      causeDate: a.causeDate,
      late: a.late,
      lines: await describeLines(m, a),
    },
    now,
  );
  await sendCard(m, members.map((s) => s.userid), card, now, { refType: REVIEW_REF, refId: `${a.id}:${round}`, dedupeKey: `exm-review-${a.id}-${round}` });
}

export interface ReviewOptions {
  /** The review round the card showed (a stale card is refused). */
  round?: number;
  /** The clicker's response_code, used when the send's code is not at hand. */
  click?: { userid: string; responseCode: string };
}

/**
 * The office's decision (Art. 10): approve changes the working list at once; the change
 * waits in the draft until the next publication. Return keeps the entry locked for the
 * unit to correct; reject releases it. Return and reject need a comment.
 */
export async function review(m: EntityManager, cal: WorkingCalendar, actor: Actor, id: number, decision: Decision, comment: string | null, now: Date, opts: ReviewOptions = {}): Promise<ExemptionApplication> {
  if (actor.kind !== 'office') throw refuse('forbidden', 'only the office reviews applications', 'not_office');
  const text = comment?.trim() || null;
  if (decision !== 'approve' && !text) throw refuse('validation_failed', `comment: required to ${decision}`, 'comment_required');
  const a = await loadApplication(m, id, true);
  if (a.status !== 'pending') throw refuse('exemption_invalid_state', `application ${id} is ${a.status}, not pending`, 'application_state', { status: a.status });
  const round = a.submittedAt!.getTime();
  if (opts.round !== undefined && opts.round !== round) throw refuse('exemption_invalid_state', `application ${id} was resubmitted since this card`, 'stale_round');

  // claim the decision: the first of two concurrent reviewers wins
  const status: ApplicationStatus = decision === 'approve' ? 'approved' : decision === 'return' ? 'returned' : 'rejected';
  const res = await m
    .createQueryBuilder()
    .update(ExemptionApplication)
    .set({
      status,
      pendingKey: decision === 'return' ? a.pendingKey : null,
      reviewedAt: now,
      reviewedBy: (actor.userid ?? actor.name).slice(0, 100),
      reviewComment: text,
      updatedAt: now,
      version: () => 'version + 1',
    })
    .where('id = :id AND version = :v AND status = :st', { id, v: a.version, st: 'pending' })
    .execute();
  if (!res.affected) throw refuse('exemption_conflict', `application ${id} was decided concurrently`, 'application_state', { status: 'changed' });

  if (decision === 'approve') a.entryId = await applyToList(m, a, now);
  if (decision === 'approve' && a.kind === 'add') await m.getRepository(ExemptionApplication).update({ id }, { entryId: a.entryId });
  const fresh = await loadApplication(m, id);

  const label = DECISION_LABEL[decision];
  await closeReviewCards(m, id, round, MSG.reviewDone(label, actor.display ?? MSG.apiReviewer), now, opts.click);
  const summary = await summaryOf(m, fresh);
  const to = await unitContacts(m, a.unitCode);
  const submitter = a.submittedBy && (await m.getRepository(Staff).findOneBy({ userid: a.submittedBy })) ? [a.submittedBy] : [];
  await sendText(m, [...to, ...submitter], MSG.decisionToUnit(id, shortTime(cal, a.submittedAt!), summary, label, text), now, { refType: 'exemption_decision', refId: String(id) });
  return fresh;
}

export async function summaryOf(m: EntityManager, a: ExemptionApplication): Promise<string> {
  const entry = a.entryId ? await m.getRepository(ExemptionEntry).findOneBy({ id: a.entryId }) : null;
  return MSG.summary(a.kind ?? 'add', clip(a.serviceItem ?? entry?.serviceItem ?? '', 30), clip(a.certificate ?? entry?.certificate ?? '', 30));
}

/** Applies an approved application to the working list; returns the entry id. */
export async function applyToList(m: EntityManager, a: ExemptionApplication, now: Date): Promise<number> {
  const repo = m.getRepository(ExemptionEntry);
  if (a.kind === 'add') {
    const d = givenFields(a) as EntryData;
    const dup = await findDuplicate(m, d);
    if (dup) throw refuse('exemption_conflict', `entry ${dup.id} already lists this certificate for this service item`, 'entry_duplicate', { entryId: dup.id });
    const e = repo.create({ ...d, status: 'active', createdAt: now, updatedAt: now });
    return (await repo.save(e)).id;
  }
  const e = await repo.findOneBy({ id: a.entryId! });
  if (!e) throw refuse('exemption_not_found', `no list entry ${a.entryId}`, 'entry_not_found', { entryId: a.entryId });
  if (e.status !== 'active') throw refuse('exemption_invalid_state', `entry ${e.id} is already cancelled`, 'entry_cancelled', { entryId: e.id });
  if (a.kind === 'cancel') e.status = 'cancelled';
  else Object.assign(e, givenFields(a));
  e.updatedAt = now;
  await repo.save(e);
  return e.id;
}

