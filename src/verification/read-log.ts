/**
 * SPEC 1 Art. 12: every read of personal data is logged (who, when, what, through what),
 * whether on the detail page, in the console or through the API, and the office can list
 * the log. Rows go to `personal_data_reads`; a complaint read has subject `complaint`.
 */
import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { EntityManager, In } from 'typeorm';
import { Complaint, PersonalDataRead, VerificationRequest } from '../../entities';
import { ModuleDeps } from '../module';
import { Principal, requireOffice } from '../http/auth';
import { insertRows } from '../db/fast-sql';
import { AppError } from '../errors';
import { WorkingCalendar, parseInstant } from '../calendar';
import { isValidDate } from '../directory/rules';
import { staffNames } from '../directory/who';
import { iso } from './views';

export type ReadSubject = PersonalDataRead['subject'];
/** page: the detail page; console: the office console; api: a JSON read; export: a workbook. */
export type ReadVia = 'page' | 'console' | 'api' | 'export';

export interface Reader {
  reader: string;
  readerUnit: string | null;
}

/** An API key reads as "api:<key name>", in its unit (none for the office's keys). */
export function apiReader(p: Principal): Reader {
  return { reader: `api:${p.name}`.slice(0, 100), readerUnit: p.kind === 'unit' ? p.unitCode : null };
}

/** Logs one read per subject id (a list logs every request or complaint it showed). */
export async function logReads(m: EntityManager, subject: ReadSubject, ids: number[], who: Reader, via: ReadVia, fields: string, now: Date): Promise<void> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return;
  const rows = uniq.map((requestId) => ({ subject, requestId, reader: who.reader, readerUnit: who.readerUnit, via, fields: fields.slice(0, 200), at: now }));
  for (let i = 0; i < rows.length; i += 500) await insertRows(m, PersonalDataRead, rows.slice(i, i + 500));
}

const idOrNumber = z.string().trim().min(1).max(40);
const readLogQuery = z.object({
  /** A verification request: id or HC number. */
  request: idOrNumber.optional(),
  /** A complaint: id or TS number. */
  complaint: idOrNumber.optional(),
  /** Who read: a userid, or "api:<key name>". */
  reader: z.string().trim().min(1).max(100).optional(),
  unit: z.string().trim().min(1).max(40).optional(),
  via: z.enum(['page', 'console', 'api', 'export']).optional(),
  /** Office-local dates (YYYY-MM-DD, inclusive) or instants. */
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type ReadLogQuery = z.infer<typeof readLogQuery>;

function boundary(s: string, cal: WorkingCalendar, end: boolean): Date {
  try {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
      if (!isValidDate(s)) throw new Error('bad date');
      const d = parseInstant(`${s}T00:00:00`, cal);
      return end ? new Date(d.getTime() + 86_400_000) : d;
    }
    return parseInstant(s, cal);
  } catch {
    throw new AppError('validation_failed', `${end ? 'to' : 'from'}: a date YYYY-MM-DD or an ISO-8601 instant`);
  }
}

async function subjectId(m: EntityManager, kind: ReadSubject, v: string): Promise<number> {
  if (/^\d{1,10}$/.test(v)) return Number(v);
  const row = kind === 'verification' ? await m.getRepository(VerificationRequest).findOne({ select: { id: true }, where: { number: v } }) : await m.getRepository(Complaint).findOne({ select: { id: true }, where: { number: v } });
  // an unknown number matches no read
  return row?.id ?? -1;
}

/** The log, newest first, filtered by request or complaint, reader, unit, channel and period. */
export async function listReads(m: EntityManager, cal: WorkingCalendar, q: ReadLogQuery) {
  const qb = m.getRepository(PersonalDataRead).createQueryBuilder('r');
  if (q.request) qb.andWhere('r.subject = :vs AND r.requestId = :rid', { vs: 'verification', rid: await subjectId(m, 'verification', q.request) });
  if (q.complaint) qb.andWhere('r.subject = :cs AND r.requestId = :cid', { cs: 'complaint', cid: await subjectId(m, 'complaint', q.complaint) });
  if (q.reader) qb.andWhere('r.reader = :reader', { reader: q.reader });
  if (q.unit) qb.andWhere('r.readerUnit = :unit', { unit: q.unit });
  if (q.via) qb.andWhere('r.via = :via', { via: q.via });
  const from = q.from ? boundary(q.from, cal, false) : null;
  const to = q.to ? boundary(q.to, cal, true) : null;
  if (from) qb.andWhere('r.at >= :from', { from });
  if (to) qb.andWhere('r.at < :to', { to });
  if (from && to && to <= from) throw new AppError('validation_failed', 'to is before from');
  const [rows, total] = await qb.orderBy('r.at', 'DESC').addOrderBy('r.id', 'DESC').skip(q.offset).take(q.limit).getManyAndCount();

  const ids = (s: ReadSubject) => [...new Set(rows.filter((r) => r.subject === s).map((r) => r.requestId))];
  const [requests, complaints, names] = await Promise.all([
    ids('verification').length ? m.getRepository(VerificationRequest).find({ select: { id: true, number: true }, where: { id: In(ids('verification')) } }) : Promise.resolve([]),
    ids('complaint').length ? m.getRepository(Complaint).find({ select: { id: true, number: true }, where: { id: In(ids('complaint')) } }) : Promise.resolve([]),
    staffNames(m, rows.map((r) => r.reader)),
  ]);
  // An accountability case has no number of its own: its id is the reference.
  const numberOf = (r: PersonalDataRead) => (r.subject === 'complaint' ? complaints.find((c) => c.id === r.requestId) : r.subject === 'verification' ? requests.find((x) => x.id === r.requestId) : undefined)?.number ?? null;
  return {
    total,
    limit: q.limit,
    offset: q.offset,
    items: rows.map((r) => ({
      id: r.id,
      at: iso(cal, r.at),
      reader: r.reader,
      readerName: names.get(r.reader) ?? null,
      readerUnit: r.readerUnit,
      via: r.via,
      fields: r.fields ? r.fields.split(',') : [],
      subject: r.subject,
      [r.subject === 'verification' ? 'request' : r.subject]: { id: r.requestId, number: numberOf(r) },
    })),
  };
}

/** GET /api/v1/personal-data-reads (office): who read which request or complaint, when, through what. */
export function readLogRouter(deps: ModuleDeps): Router {
  const r = new Router();
  r.get('/personal-data-reads', async (ctx: Context) => {
    requireOffice(ctx);
    const q = readLogQuery.parse(ctx.query);
    ctx.body = await listReads(deps.dataSource.manager, await deps.calendar(), q);
  });
  return r;
}
