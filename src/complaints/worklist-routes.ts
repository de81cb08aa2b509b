/**
 * The office's worklist of citizens waiting for a person (hand-offs and what they wrote
 * after, messages and dissatisfaction about a case, complaints against an agency the
 * directory does not know), and the office's alias and synonym tables for the chat.
 * Office keys only.
 */
import Router from '@koa/router';
import { Context } from 'koa';
import { In, IsNull } from 'typeorm';
import { z } from 'zod';
import { CitizenRequest, Complaint } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { requireOffice } from '../http/auth';
import { inTransactionRetrying as inTransaction } from '../db/tx';
import { AppError } from '../errors';
import { OPEN_STATUSES } from './model';
import { TermKind, effectiveTable, replaceTable } from './understand-store';

const aliasBody = z.record(z.string().min(1).max(50), z.string().trim().min(1).max(100));
const synonymBody = z.record(z.string().min(1).max(50), z.array(z.string().trim().min(1).max(100)).min(1).max(20));

export function worklistRouter(deps: ModuleDeps): Router {
  const ds = deps.dataSource;
  const r = new Router();
  const by = (ctx: Context): string => `office:${requireOffice(ctx).name}`.slice(0, 100);

  r.get('/complaints/worklist', async (ctx: Context) => {
    requireOffice(ctx);
    const requests = await ds.getRepository(CitizenRequest).find({ where: { status: 'open' }, order: { id: 'ASC' }, take: 200 });
    const unassigned = await ds.getRepository(Complaint).find({
      select: { id: true, number: true, agencyName: true, status: true, registeredAt: true },
      where: { agencyCode: IsNull(), status: In(OPEN_STATUSES as string[]), duplicateOf: IsNull() },
      order: { id: 'ASC' },
      take: 200,
    });
    const numbers = new Map<number, string>();
    const ids = [...new Set(requests.map((q) => q.complaintId).filter((x): x is number => x !== null))];
    if (ids.length) for (const c of await ds.getRepository(Complaint).find({ select: { id: true, number: true }, where: { id: In(ids) } })) numbers.set(c.id, c.number);
    ctx.body = {
      requests: requests.map((q) => ({
        id: q.id,
        kind: q.kind,
        complaint: q.complaintId !== null ? (numbers.get(q.complaintId) ?? null) : null,
        citizen: q.externalUserId ? `…${q.externalUserId.slice(-6)}` : null,
        text: q.text,
        createdAt: q.createdAt.toISOString(),
      })),
      unassigned: unassigned.map((c) => ({ id: c.id, number: c.number, agencyName: c.agencyName, status: c.status, registeredAt: c.registeredAt.toISOString() })),
    };
  });

  r.post('/complaints/worklist/:id/done', async (ctx: Context) => {
    const who = by(ctx);
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id <= 0) throw new AppError('bad_request', 'id must be a positive integer');
    const res = await ds.getRepository(CitizenRequest).update({ id, status: 'open' }, { status: 'done', doneAt: deps.now(), doneBy: who });
    if (!res.affected) throw new AppError('not_found', `no open worklist item ${id}`);
    ctx.body = { id, status: 'done' };
  });

  // The office's tables: GET the table in effect, PUT replaces the office's own entries.
  const tables: Array<[string, TermKind, z.ZodType<Record<string, string | string[]>>]> = [
    ['/complaints/aliases', 'alias', aliasBody],
    ['/exemptions/synonyms', 'synonym', synonymBody],
  ];
  for (const [path, kind, schema] of tables) {
    r.get(path, async (ctx: Context) => {
      requireOffice(ctx);
      ctx.body = await effectiveTable(ds.manager, kind);
    });
    r.put(path, async (ctx: Context) => {
      const who = by(ctx);
      const body = schema.parse(await readJson(ctx));
      await inTransaction(ds, (m) => replaceTable(m, kind, body, who, deps.now()));
      ctx.body = await effectiveTable(ds.manager, kind);
    });
  }
  return r;
}
