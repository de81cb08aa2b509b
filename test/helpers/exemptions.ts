import { DataSource } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from './api';
import type { Harness } from './system';

/** Every row of the list tables plus the outbox size: equal before and after = nothing changed. */
export async function listState(ds: DataSource): Promise<string> {
  const tables = ['exemption_entries', 'exemption_applications', 'exemption_versions', 'exemption_version_entries', 'exemption_comments', 'open_questions'];
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = await ds.query(`SELECT * FROM ${t} ORDER BY 1`);
  out.outbox = await ds.getRepository(OutboxMessage).count();
  return JSON.stringify(out);
}

/** The office's key and the RSJ, GAJ and SCJ systems' keys, plus the public (no key) client. */
export async function listApis(h: Harness): Promise<{ office: Api; rsj: Api; gaj: Api; scj: Api; pub: Api }> {
  const key = (name: string, unit: string | null) => createApiKey(h.sys.dataSource, name, unit, h.clock.now);
  return {
    office: new Api(h.sys.url, await key('office-console', null)),
    rsj: new Api(h.sys.url, await key('rsj-system', 'RSJ')),
    gaj: new Api(h.sys.url, await key('gaj-system', 'GAJ')),
    scj: new Api(h.sys.url, await key('scj-system', 'SCJ')),
    pub: new Api(h.sys.url, null),
  };
}
