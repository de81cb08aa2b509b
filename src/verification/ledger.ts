import { newWorkbook } from '../excel';
import { Brackets, EntityManager, In } from 'typeorm';
import { VerificationLedgerEntry, VerificationRequest } from '../../entities';
import type { LedgerKind } from '../../entities/VerificationLedgerEntry';
import { WorkingCalendar, parseInstant } from '../calendar';
import { AppError } from '../errors';
import { isValidDate } from '../directory/rules';
import { summaryView, ledgerEntryView, iso } from './views';
import { maskIdNumber, maskName } from './mask';
import { CATEGORY_SHORT, CHANNEL_LABEL, LEDGER_KIND_LABEL, LEDGER_XLSX, RESULT_LABEL, STATUS_LABEL } from './messages';
import { Actor, OpContext, actorLabel, addEvent, cleanText } from './common';

export interface LedgerQuery {
  /** A unit: requests it asked or answered, and its own ledger entries. Omitted: all (office). */
  unit?: string;
  /** Office-local dates, inclusive. */
  from?: string;
  to?: string;
  kind?: LedgerKind;
  /** The console workbench's filters: a request status, part of a request number. Entries follow their request. */
  status?: string;
  number?: string;
}

function range(cal: WorkingCalendar, q: LedgerQuery): { from: Date | null; to: Date | null } {
  for (const [k, v] of [['from', q.from], ['to', q.to]] as const) {
    if (v !== undefined && !isValidDate(v)) throw new AppError('validation_failed', `${k}: a date YYYY-MM-DD`);
  }
  const from = q.from ? parseInstant(`${q.from}T00:00:00`, cal) : null;
  const to = q.to ? new Date(parseInstant(`${q.to}T00:00:00`, cal).getTime() + 86_400_000) : null;
  if (from && to && to <= from) throw new AppError('validation_failed', 'to is before from');
  return { from, to };
}

/**
 * The registers of SPEC 1: every request (offline ones included, Art. 3) by start date,
 * and the requesting units' ledger entries (Art. 8-9) by date, for one unit or all.
 */
export async function queryLedger(m: EntityManager, cal: WorkingCalendar, q: LedgerQuery, limit = 10_000) {
  const { from, to } = range(cal, q);
  const rq = m.getRepository(VerificationRequest).createQueryBuilder('r');
  if (q.unit) rq.andWhere(new Brackets((b) => b.where('r.requesterUnit = :u', { u: q.unit }).orWhere('r.issuerUnit = :u', { u: q.unit })));
  if (from) rq.andWhere('r.startedAt >= :from', { from });
  if (to) rq.andWhere('r.startedAt < :to', { to });
  if (q.status) rq.andWhere('r.status = :st', { st: q.status });
  const numberLike = q.number ? `%${q.number.replace(/[\\%_]/g, '')}%` : null;
  if (numberLike) rq.andWhere('r.number LIKE :num', { num: numberLike });
  const requests = await rq.orderBy('r.startedAt', 'ASC').addOrderBy('r.id', 'ASC').limit(limit).getMany();

  const eq = m.getRepository(VerificationLedgerEntry).createQueryBuilder('e');
  if (q.unit) eq.andWhere('e.unitCode = :u', { u: q.unit });
  if (q.kind) eq.andWhere('e.kind = :k', { k: q.kind });
  if (from) eq.andWhere('e.occurredAt >= :from', { from });
  if (to) eq.andWhere('e.occurredAt < :to', { to });
  if (q.status || numberLike) {
    const sub = m.getRepository(VerificationRequest).createQueryBuilder('fr').select('fr.id');
    if (q.status) sub.andWhere('fr.status = :st');
    if (numberLike) sub.andWhere('fr.number LIKE :num');
    eq.andWhere(`e.requestId IN (${sub.getQuery()})`, { ...(q.status ? { st: q.status } : {}), ...(numberLike ? { num: numberLike } : {}) });
  }
  const entries = await eq.orderBy('e.occurredAt', 'ASC').addOrderBy('e.id', 'ASC').limit(limit).getMany();
  const numbers = new Map<number, VerificationRequest>();
  const missing = [...new Set(entries.map((e) => e.requestId))].filter((id) => !requests.some((r) => r.id === id));
  for (const r of requests) numbers.set(r.id, r);
  if (missing.length) for (const r of await m.getRepository(VerificationRequest).findBy({ id: In(missing) })) numbers.set(r.id, r);
  return { requests, entries, byId: numbers };
}

export async function ledgerJson(m: EntityManager, cal: WorkingCalendar, q: LedgerQuery, now: Date) {
  const { requests, entries, byId } = await queryLedger(m, cal, q);
  return {
    unit: q.unit ?? null,
    from: q.from ?? null,
    to: q.to ?? null,
    requests: requests.map((r) => summaryView(cal, r, now)),
    entries: entries.map((e) => ({ ...ledgerEntryView(cal, e), number: byId.get(e.requestId)?.number ?? null })),
  };
}

/** The ledger as .xlsx: sheet 1 the requests, sheet 2 the Art. 8-9 entries. Applicants masked. Also the requests it shows (Art. 12 read log). */
export async function ledgerXlsx(m: EntityManager, cal: WorkingCalendar, q: LedgerQuery, now: Date): Promise<{ buffer: Buffer; requestIds: number[] }> {
  const { requests, entries, byId } = await queryLedger(m, cal, q);
  const wb = newWorkbook();
  wb.created = now;
  const s1 = wb.addWorksheet(LEDGER_XLSX.requestSheet);
  s1.addRow(LEDGER_XLSX.requestHeaders).font = { bold: true };
  for (const r of requests) {
    const v = summaryView(cal, r, now);
    s1.addRow([
      r.number,
      CHANNEL_LABEL[r.channel] ?? r.channel,
      r.requesterUnit,
      r.issuerUnit,
      r.serviceItem,
      r.certificate,
      CATEGORY_SHORT[r.category] ?? r.category,
      maskName(r.applicantName),
      maskIdNumber(r.applicantIdNumber),
      iso(cal, r.startedAt),
      iso(cal, r.dueAt),
      STATUS_LABEL[r.status] ?? r.status,
      r.assignee ?? '',
      r.result ? RESULT_LABEL[r.result] : '',
      iso(cal, r.answeredAt) ?? '',
      r.returnReason ?? '',
      r.verificationMinutes ?? '',
      v.overdue ? LEDGER_XLSX.yes : LEDGER_XLSX.no,
    ]);
  }
  const s2 = wb.addWorksheet(LEDGER_XLSX.entrySheet);
  s2.addRow(LEDGER_XLSX.entryHeaders).font = { bold: true };
  for (const e of entries) {
    s2.addRow([
      byId.get(e.requestId)?.number ?? String(e.requestId),
      e.unitCode,
      LEDGER_KIND_LABEL[e.kind] ?? e.kind,
      iso(cal, e.occurredAt),
      e.material,
      e.purpose ?? '',
      e.outcome ?? '',
      e.applicationMaterial ? LEDGER_XLSX.yes : LEDGER_XLSX.no,
      e.recordedBy,
      iso(cal, e.recordedAt),
    ]);
  }
  for (const s of [s1, s2]) s.columns.forEach((c) => (c.width = 18));
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), requestIds: [...byId.keys()] };
}

// ---------------------------------------------------------------- recording (Art. 8, 9)

export interface LedgerInput {
  kind: LedgerKind;
  material: string;
  purpose?: string | null;
  outcome?: string | null;
  occurredAt?: Date | null;
}

/**
 * The requesting unit's ledger: supplementary material asked after a mismatch, with its
 * purpose, which becomes the application material (Art. 8),
 * an on-site verification (Art. 8), material handed in voluntarily (Art. 9).
 */
export async function addLedgerEntry(m: EntityManager, ctx: OpContext, req: VerificationRequest, actor: Actor, input: LedgerInput): Promise<VerificationLedgerEntry> {
  if (actor.kind === 'api' && actor.unitCode !== null && actor.unitCode !== req.requesterUnit) throw new AppError('verification_forbidden', 'only the requesting unit keeps this ledger');
  if (input.kind === 'supplementary' && !(req.status === 'answered' && req.result === 'mismatch')) {
    throw new AppError('verification_invalid_state', 'supplementary material may be asked only after a mismatch (Art. 8)');
  }
  const material = cleanText(input.material);
  if (!material) throw new AppError('validation_failed', 'material is required');
  const purpose = cleanText(input.purpose);
  // Art. 8: what is asked is limited to what the purpose needs, so the purpose is stated.
  if (input.kind === 'supplementary' && !purpose) {
    throw new AppError('validation_failed', 'purpose is required for a supplementary ask (SPEC 1 Art. 8: only what the purpose needs may be asked)', { details: { field: 'purpose' } });
  }
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
    purpose: purpose || null,
    outcome: cleanText(input.outcome).slice(0, 200) || null,
    // Art. 8: the supplementary material becomes the application material.
    applicationMaterial: input.kind === 'supplementary',
    recordedBy: actorLabel(actor),
    recordedAt: now,
  });
  await repo.insert(entry);
  await addEvent(m, req, now, 'ledger_recorded', actorLabel(actor), { data: { kind: input.kind, entryId: entry.id, applicationMaterial: entry.applicationMaterial } });
  return entry;
}
