import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { isSqlite } from '../db/tx';

/**
 * A multi-row INSERT of plain rows (entity property names), built once with `?` placeholders
 * and the driver's own value conversion (dates, booleans), in the caller's transaction.
 * TypeORM's insert builder spends most of its time on parameter bookkeeping when a statement
 * carries thousands of values; this keeps a sweep's bulk writes to their database cost.
 * Columns the rows do not mention take their default (the version column starts at 1).
 */
export async function bulkInsert<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: Array<Partial<T>>): Promise<void> {
  if (!rows.length) return;
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const cols = meta.columns.filter((c) => !c.isGenerated && (c.isVersion || rows[0][c.propertyName as keyof T] !== undefined));
  const sqlite = isSqlite(m.connection);
  // SQLite binds at most 32766 values per statement; MySQL 65535.
  const per = Math.max(1, Math.floor((sqlite ? 30_000 : 60_000) / cols.length));
  const head = `INSERT INTO ${driver.escape(meta.tableName)} (${cols.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const params: unknown[] = [];
    for (const r of chunk) {
      for (const c of cols) params.push(c.isVersion ? 1 : driver.preparePersistentValue(r[c.propertyName as keyof T] ?? null, c));
    }
    await m.query(head + chunk.map(() => tuple).join(', '), params);
  }
}
