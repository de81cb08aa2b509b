import { DataSource, EntityManager } from 'typeorm';
import { afterCommit } from './tx';

/**
 * Changes to small tables that workers cache in the process (units, the office's
 * understanding terms), counted per data source and table in this process. A writer calls
 * tableChanged() in its transaction; the count moves once that transaction commits, never
 * before (a cache reloading early would keep the old rows under the new count) and never
 * after a rollback. A cache compares the count to the one it loaded under and reloads when
 * it moved; what other instances change it finds with a probe of its own.
 */
const counts = new WeakMap<DataSource, Map<string, number>>();

export function tableChanged(m: EntityManager, table: string): void {
  const ds = m.connection;
  afterCommit(m, () => {
    let byTable = counts.get(ds);
    if (!byTable) counts.set(ds, (byTable = new Map()));
    byTable.set(table, (byTable.get(table) ?? 0) + 1);
  });
}

/** How many committed changes this process made to the table (0 at start). */
export function localChanges(ds: DataSource, table: string): number {
  return counts.get(ds)?.get(table) ?? 0;
}
