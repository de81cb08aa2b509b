import Router from '@koa/router';
import { z } from 'zod';
import { DataService, DataServiceLookup, Unit } from '../../entities';
import { ModuleDeps } from '../module';
import { readJson } from '../http/body';
import { Principal, principalOf } from '../http/auth';
import { AppError } from '../errors';
import { isUniqueViolation } from '../db/tx';
import { seal } from './seal';
import { dsnProblem, maskDsn, sqlProblem, urlProblem } from './guards';
import { ServiceFigures } from './figures';

const base = { issuerUnit: z.string().trim().min(1).max(40), certificate: z.string().trim().min(1).max(200) };
const schema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('http'), url: z.string().max(500), secret: z.string().min(16, 'secret: at least 16 characters').max(200) }).strict(),
  z.object({ ...base, kind: z.literal('sql'), dsn: z.string().max(500), query: z.string().min(1).max(4000) }).strict(),
]);

function label(p: Principal): string {
  return p.userid ?? `api:${p.name}`.slice(0, 100);
}

export function serviceJson(s: DataService, figures: ServiceFigures, overridden = 0) {
  return {
    id: s.id,
    issuerUnit: s.issuerUnit,
    certificate: s.certificate,
    kind: s.kind,
    url: s.url,
    dsn: s.dsnMasked,
    query: s.query,
    // overridden: automatic answers the unit's liaison took back (改判); still counted in automaticAnswers.
    figures: { calls: s.calls, automaticAnswers: s.autoAnswers, overridden, fallbacks: s.fallbacks, ...figures.of(s.id) },
  };
}

/** POST/GET /api/v1/data-services: the office (or a unit, for its own certificates) registers a service. */
export function dataServicesRouter(deps: ModuleDeps, figures: ServiceFigures): Router {
  const r = new Router();
  const repo = () => deps.dataSource.getRepository(DataService);

  r.post('/data-services', async (ctx) => {
    const p = principalOf(ctx);
    const key = deps.config.dataServiceKey;
    if (!key) throw new AppError('data_service_key_missing', 'DATA_SERVICE_KEY is not set: data services cannot be registered without a key to seal their secrets');
    const body = schema.parse(await readJson(ctx));
    if (p.kind === 'unit' && p.unitCode !== body.issuerUnit) throw new AppError('forbidden', `a key of unit ${p.unitCode} may register data services for its own certificates only`);
    const problem = body.kind === 'http' ? urlProblem(body.url) : (dsnProblem(body.dsn) ?? sqlProblem(body.query));
    if (problem) throw new AppError('validation_failed', problem);
    if (!(await deps.dataSource.getRepository(Unit).existsBy({ code: body.issuerUnit }))) throw new AppError('unit_not_found', `no unit ${body.issuerUnit}`);
    const row = repo().create({
      issuerUnit: body.issuerUnit,
      certificate: body.certificate,
      kind: body.kind,
      url: body.kind === 'http' ? body.url : null,
      secretSealed: seal(key, body.kind === 'http' ? body.secret : body.dsn),
      dsnMasked: body.kind === 'sql' ? maskDsn(body.dsn) : null,
      query: body.kind === 'sql' ? body.query : null,
      calls: 0,
      autoAnswers: 0,
      fallbacks: 0,
      createdBy: label(p),
      createdAt: deps.now(),
    });
    try {
      await repo().insert(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('data_service_exists', `${body.issuerUnit} already has a data service for ${body.certificate}`);
      throw e;
    }
    ctx.status = 201;
    ctx.body = { id: row.id };
  });

  r.get('/data-services', async (ctx) => {
    const p = principalOf(ctx);
    const rows = await repo().find({ where: p.kind === 'unit' ? { issuerUnit: p.unitCode } : {}, order: { id: 'ASC' } });
    const over = await deps.dataSource
      .getRepository(DataServiceLookup)
      .createQueryBuilder('l')
      .select('l.service_id', 'id')
      .addSelect('COUNT(*)', 'n')
      .where("l.status = 'overridden'")
      .groupBy('l.service_id')
      .getRawMany<{ id: number | string; n: number | string }>();
    const overridden = new Map(over.map((o) => [Number(o.id), Number(o.n)]));
    ctx.body = { services: rows.map((s) => serviceJson(s, figures, overridden.get(s.id) ?? 0)) };
  });

  return r;
}
