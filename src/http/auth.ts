import crypto from 'crypto';
import { Context, Next } from 'koa';
import { DataSource, IsNull } from 'typeorm';
import { ApiKey } from '../../entities';
import { AppError } from '../errors';

/** Who is calling /api/v1: the office, or an integrating system acting as one unit. */
export type Principal =
  | { kind: 'office'; name: string; userid?: string }
  | { kind: 'unit'; unitCode: string; name: string; userid?: string };

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export function newApiKey(): string {
  return `nk_${crypto.randomBytes(24).toString('base64url')}`;
}

export async function createApiKey(ds: DataSource, name: string, unitCode: string | null, now: Date): Promise<string> {
  const key = newApiKey();
  await ds.getRepository(ApiKey).insert({ name, unitCode, keyHash: hashKey(key), createdAt: now, revokedAt: null });
  return key;
}

/**
 * Resolves `Authorization: Bearer KEY`; state.principal is set for the routes after it.
 * Known keys are cached for `cacheMs` (default 30 s): a revocation takes effect within that.
 */
export function requireApiKey(ds: DataSource, opts: { cacheMs?: number; now?: () => number } = {}) {
  const cacheMs = opts.cacheMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { p: Principal; until: number }>();
  return async (ctx: Context, next: Next) => {
    const h = ctx.get('authorization');
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new AppError('unauthorized', 'Authorization: Bearer KEY is required');
    const hash = hashKey(m[1]);
    const hit = cache.get(hash);
    let principal: Principal;
    if (hit && hit.until > now()) principal = hit.p;
    else {
      const row = await ds.getRepository(ApiKey).findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
      if (!row) throw new AppError('unauthorized', 'unknown or revoked API key');
      principal = row.unitCode ? { kind: 'unit', unitCode: row.unitCode, name: row.name } : { kind: 'office', name: row.name };
      if (cache.size >= 1000) cache.clear();
      cache.set(hash, { p: principal, until: now() + cacheMs });
    }
    ctx.state.principal = { ...principal };
    await next();
  };
}

export function principalOf(ctx: Context): Principal {
  const p = ctx.state.principal as Principal | undefined;
  if (!p) throw new AppError('unauthorized', 'not authenticated');
  return p;
}

export function requireOffice(ctx: Context): Principal & { kind: 'office' } {
  const p = principalOf(ctx);
  if (p.kind !== 'office') throw new AppError('forbidden', 'only the office may do this');
  return p;
}
