import Router from '@koa/router';
import { Context } from 'koa';
import { z } from 'zod';
import { EntityManager } from 'typeorm';
import { VerificationRequest, VerificationTemplate } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { Principal, principalOf } from '../http/auth';
import { inTransaction, retryOnLockError, sqliteSerial } from '../db/tx';
import { AppError } from '../errors';
import { parseInstant } from '../calendar';
import { idempotent } from './idempotency';
import { requestView, templateView, ledgerEntryView } from './views';
import { addLedgerEntry, ledgerJson, ledgerXlsx, LedgerQuery } from './ledger';
import { Actor, EntryLookup, OpContext, actorLabel, loadForUpdate } from './common';
import { CreatedRequest, createRequest, planRequest, recordOffline } from './create';
import { CreationBatcher } from './create-batch';
import { answerRequest, cancelRequest, changeCategory } from './decide';
import { returnWithReason } from './returns';
import { iso } from './views';
import { apiReader, logReads } from './read-log';

const category = z.enum(['digital', 'paper', 'historical']);
const unitCode = z.string().trim().min(1).max(40);

function instant(tz: string) {
  return z
    .string()
    .refine((s) => {
      try {
        parseInstant(s, tz);
        return true;
      } catch {
        return false;
      }
    }, 'an ISO-8601 instant, e.g. 2026-11-26T09:00:00+08:00')
    .transform((s) => parseInstant(s, tz));
}

function schemas(tz: string) {
  const applicant = z.object({ name: z.string().trim().min(1).max(64), idNumber: z.string().trim().min(1).max(32) });
  const create = z.object({
    requesterUnit: unitCode,
    issuerUnit: unitCode.optional(),
    serviceItem: z.string().trim().min(1).max(200).optional(),
    certificate: z.string().trim().min(1).max(200).optional(),
    category: category.optional(),
    applicant,
    question: z.string().trim().min(1).max(4000),
    listEntryId: z.number().int().positive().nullable().optional(),
    requestedBy: z.string().trim().min(1).max(64).nullable().optional(),
    caseStartedAt: instant(tz).nullable().optional(),
  });
  const offline = create.extend({
    channel: z.enum(['fax', 'email', 'oa']),
    secret: z.boolean().optional(),
    startedAt: instant(tz),
    answer: z.object({ result: z.enum(['match', 'mismatch']), details: z.string().max(4000).nullable().optional(), answeredAt: instant(tz) }).nullable().optional(),
    returned: z.object({ reason: z.string().max(2000), returnedAt: instant(tz) }).nullable().optional(),
  });
  return {
    create,
    offline,
    answer: z.object({ result: z.enum(['match', 'mismatch']), details: z.string().max(4000).nullable().optional() }),
    ret: z.object({ reason: z.string().max(2000).nullable().optional() }),
    category: z.object({ category, reason: z.string().max(2000).nullable().optional() }),
    cancel: z.object({ reason: z.string().max(2000).nullable().optional() }),
    ledger: z.object({
      kind: z.enum(['supplementary', 'onsite', 'voluntary']),
      material: z.string().max(4000),
      purpose: z.string().max(2000).nullable().optional(),
      outcome: z.string().max(200).nullable().optional(),
      occurredAt: instant(tz).nullable().optional(),
    }),
    template: z.object({
      issuerUnit: unitCode,
      certificate: z.string().trim().min(1).max(200),
      requesterUnit: unitCode.nullable().optional(),
      category: category.nullable().optional(),
      fields: z.array(z.string().trim().min(1).max(100)).max(50),
      method: z.string().trim().min(1).max(4000),
      requestLetter: z.string().trim().min(1).max(20000),
      replyLetter: z.string().trim().min(1).max(20000),
    }),
    ledgerQuery: z.object({
      unit: unitCode.optional(),
      from: z.string().optional(),
      to: z.string().optional(),
      kind: z.enum(['supplementary', 'onsite', 'voluntary']).optional(),
    }),
  };
}

/** What each API read shows of a request (the read log's `fields`): the applicant is masked in all. */
const DETAIL_FIELDS = 'applicant_masked,question,reply,ledger';
const LIST_FIELDS = 'applicant_masked';
const LEDGER_FIELDS = 'applicant_masked,ledger';

export function apiActor(p: Principal): Actor {
  return { kind: 'api', name: p.name, unitCode: p.kind === 'unit' ? p.unitCode : null };
}

/** Art. 12: only the two units and the office see a request; others get 404 (no hint it exists). */
export function canSee(p: Principal, req: Pick<VerificationRequest, 'requesterUnit' | 'issuerUnit'>): boolean {
  return p.kind === 'office' || p.unitCode === req.requesterUnit || p.unitCode === req.issuerUnit;
}

async function loadVisible(m: EntityManager, p: Principal, idParam: string, forUpdate = false): Promise<VerificationRequest> {
  const repo = m.getRepository(VerificationRequest);
  const where = /^\d{1,10}$/.test(idParam) ? { id: Number(idParam) } : /^HC\d{8}-\d{4,}$/.test(idParam) ? { number: idParam } : null;
  const req = !where ? null : forUpdate ? await loadForUpdate(m, where) : await repo.findOneBy(where);
  if (!req || !canSee(p, req)) throw new AppError('verification_not_found', `no verification request ${idParam}`);
  return req;
}

export interface RouteDeps {
  deps: ModuleDeps;
  lookupEntry: EntryLookup;
  opContext: (now: Date) => Promise<OpContext>;
}

/** /api/v1 routes of SPEC 1 (CONTRACT.md `/api/v1/verifications`). */
export function verificationRouter({ deps, lookupEntry, opContext }: RouteDeps): Router {
  const r = new Router();
  const ds = deps.dataSource;
  const s = schemas(deps.config.officeTz);

  // Creations without an Idempotency-Key share transactions (group commit, create-batch.ts).
  const batcher = new CreationBatcher(ds);
  r.post('/verifications', async (ctx: Context) => {
    const p = principalOf(ctx);
    const raw = await readJson(ctx);
    const body = s.create.parse(raw);
    const now = deps.now();
    const op = await opContext(now);
    const answer201 = ({ request, gaps }: CreatedRequest) => ({ status: 201, body: { id: request.id, number: request.number, status: request.status, dueAt: iso(op.cal, request.dueAt), ...(gaps.length ? { warnings: gaps } : {}) } });
    const key = ctx.get('idempotency-key') || undefined;
    if (!key) {
      // Checked and routed first (reads only; on SQLite in the write queue, so nothing uncommitted is read).
      const plan = await sqliteSerial(ds, () => planRequest(ds.manager, op, apiActor(p), body, lookupEntry));
      const created = answer201(await batcher.submit(plan));
      ctx.status = created.status;
      ctx.body = created.body;
      return;
    }
    const scope = `verifications|${p.kind === 'unit' ? `unit:${p.unitCode}` : 'office'}`;
    const answer = await retryOnLockError(() => idempotent(ds, scope, key, raw, now, async (m) => answer201(await createRequest(m, op, apiActor(p), body, lookupEntry))));
    if (answer.replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = answer.status;
    ctx.body = answer.body;
  });

  /** Art. 3: a request handled by fax, email or OA, recorded so the ledger is complete. */
  r.post('/verifications/offline', async (ctx: Context) => {
    const p = principalOf(ctx);
    const raw = await readJson(ctx);
    const body = s.offline.parse(raw);
    const now = deps.now();
    const op = await opContext(now);
    const scope = `verifications-offline|${p.kind === 'unit' ? `unit:${p.unitCode}` : 'office'}`;
    const answer = await retryOnLockError(() => idempotent(ds, scope, ctx.get('idempotency-key') || undefined, raw, now, async (m) => {
      const req = await recordOffline(m, op, apiActor(p), body, lookupEntry);
      return { status: 201, body: { id: req.id, number: req.number, status: req.status, dueAt: iso(op.cal, req.dueAt), channel: req.channel } };
    }));
    ctx.status = answer.status;
    ctx.body = answer.body;
  });

  r.get('/verifications', async (ctx: Context) => {
    const p = principalOf(ctx);
    const q = s.ledgerQuery.parse(ctx.query);
    const now = deps.now();
    const cal = await deps.calendar();
    const unit = scopeUnit(p, q.unit);
    const out = await ledgerJson(ds.manager, cal, { ...q, unit }, now);
    await logReads(ds.manager, 'verification', out.requests.map((x) => x.id), apiReader(p), 'api', LIST_FIELDS, now);
    ctx.body = { verifications: out.requests };
  });

  r.get('/verifications/:id', async (ctx: Context) => {
    const p = principalOf(ctx);
    const req = await loadVisible(ds.manager, p, ctx.params.id);
    const now = deps.now();
    ctx.body = await requestView(ds.manager, await deps.calendar(), req, now);
    // Art. 12: an API read is logged like a page view
    await logReads(ds.manager, 'verification', [req.id], apiReader(p), 'api', DETAIL_FIELDS, now);
  });

  const act = (fn: (m: EntityManager, op: OpContext, req: VerificationRequest, actor: Actor, body: unknown) => Promise<unknown>, schema: z.ZodTypeAny) =>
    async (ctx: Context) => {
      const p = principalOf(ctx);
      const body = schema.parse(await readJson(ctx));
      const now = deps.now();
      const op = await opContext(now);
      const id = await retryOnLockError(() =>
        inTransaction(ds, async (m) => {
          const req = await loadVisible(m, p, ctx.params.id, true);
          await fn(m, op, req, apiActor(p), body);
          return req.id;
        }),
      );
      const req = await ds.getRepository(VerificationRequest).findOneByOrFail({ id });
      ctx.body = await requestView(ds.manager, op.cal, req, now);
      await logReads(ds.manager, 'verification', [req.id], apiReader(p), 'api', DETAIL_FIELDS, now);
    };

  r.post('/verifications/:id/answer', act((m, op, req, a, b) => {
    const body = b as z.infer<typeof s.answer>;
    return answerRequest(m, op, req, a, body.result, body.details ?? null);
  }, s.answer));
  r.post('/verifications/:id/return', act((m, op, req, a, b) => returnWithReason(m, op, req, a, (b as z.infer<typeof s.ret>).reason ?? ''), s.ret));
  r.post('/verifications/:id/category', act((m, op, req, a, b) => {
    const body = b as z.infer<typeof s.category>;
    return changeCategory(m, op, req, a, body.category, body.reason);
  }, s.category));
  r.post('/verifications/:id/cancel', act((m, op, req, a, b) => cancelRequest(m, op, req, a, (b as z.infer<typeof s.cancel>).reason ?? null), s.cancel));

  r.post('/verifications/:id/ledger', async (ctx: Context) => {
    const p = principalOf(ctx);
    const body = s.ledger.parse(await readJson(ctx));
    const now = deps.now();
    const op = await opContext(now);
    const entry = await inTransaction(ds, async (m) => addLedgerEntry(m, op, await loadVisible(m, p, ctx.params.id, true), apiActor(p), body));
    ctx.status = 201;
    ctx.body = ledgerEntryView(op.cal, entry);
  });

  /** Ledgers by unit and date (Art. 8-9, Art. 3), JSON or .xlsx. */
  r.get('/ledgers', async (ctx: Context) => {
    const p = principalOf(ctx);
    const q = s.ledgerQuery.parse(ctx.query);
    const now = deps.now();
    const out = await ledgerJson(ds.manager, await deps.calendar(), { ...q, unit: scopeUnit(p, q.unit) }, now);
    await logReads(ds.manager, 'verification', [...out.requests.map((x) => x.id), ...out.entries.map((e) => e.requestId)], apiReader(p), 'api', LEDGER_FIELDS, now);
    ctx.body = out;
  });

  r.get('/ledgers/export', async (ctx: Context) => {
    const p = principalOf(ctx);
    const q: LedgerQuery = s.ledgerQuery.parse(ctx.query);
    const unit = scopeUnit(p, q.unit);
    const now = deps.now();
    const { buffer: buf, requestIds } = await ledgerXlsx(ds.manager, await deps.calendar(), { ...q, unit }, now);
    await logReads(ds.manager, 'verification', requestIds, apiReader(p), 'export', LEDGER_FIELDS, now);
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.attachment(`ledger-${unit ?? 'all'}-${q.from ?? 'start'}-${q.to ?? 'now'}.xlsx`);
    ctx.body = buf;
  });

  /** Art. 4: request and reply letter templates per (issuer, certificate[, requester]). */
  r.put('/verification-templates', async (ctx: Context) => {
    const p = principalOf(ctx);
    const body = s.template.parse(await readJson(ctx));
    if (p.kind === 'unit' && p.unitCode !== body.issuerUnit) throw new AppError('verification_forbidden', 'a unit key may only keep its own templates');
    const now = deps.now();
    const saved = await inTransaction(ds, async (m) => {
      const repo = m.getRepository(VerificationTemplate);
      const key = { issuerUnit: body.issuerUnit, certificate: body.certificate, requesterUnit: body.requesterUnit ?? '' };
      const existing = await repo.findOneBy(key);
      const fields = {
        ...key,
        category: body.category ?? null,
        fields: JSON.stringify(body.fields),
        method: body.method,
        requestLetter: body.requestLetter,
        replyLetter: body.replyLetter,
        updatedBy: actorLabel(apiActor(p)),
        updatedAt: now,
      };
      if (existing) return repo.save(Object.assign(existing, fields));
      const t = repo.create(fields);
      await repo.insert(t);
      return t;
    });
    ctx.body = templateView(saved);
  });

  r.get('/verification-templates', async (ctx: Context) => {
    principalOf(ctx);
    const q = z.object({ issuerUnit: unitCode.optional(), certificate: z.string().optional() }).parse(ctx.query);
    const where: Record<string, string> = {};
    if (q.issuerUnit) where.issuerUnit = q.issuerUnit;
    if (q.certificate) where.certificate = q.certificate;
    const rows = await ds.getRepository(VerificationTemplate).find({ where, order: { issuerUnit: 'ASC', certificate: 'ASC' }, take: 500 });
    ctx.body = { templates: rows.map(templateView) };
  });

  return r;
}

/** A unit key reads its own unit only; the office reads any (or all). */
function scopeUnit(p: Principal, unit: string | undefined): string | undefined {
  if (p.kind === 'office') return unit;
  if (unit && unit !== p.unitCode) throw new AppError('verification_forbidden', 'a unit key may only read its own unit');
  return p.unitCode;
}

