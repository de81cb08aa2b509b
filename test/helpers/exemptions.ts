import { DataSource } from 'typeorm';
import { OutboxMessage } from '../../entities';

/** Every row of the list tables plus the outbox size: equal before and after = nothing changed. */
export async function listState(ds: DataSource): Promise<string> {
  const tables = ['exemption_entries', 'exemption_applications', 'exemption_versions', 'exemption_version_entries', 'exemption_comments', 'exemption_prompts'];
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = await ds.query(`SELECT * FROM ${t} ORDER BY 1`);
  out.outbox = await ds.getRepository(OutboxMessage).count();
  return JSON.stringify(out);
}
