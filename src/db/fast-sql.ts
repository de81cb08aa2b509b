import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { AppError } from '../errors';

/**
 * Plain SQL for hot paths (callbacks, request creation): TypeORM's find and query builders
 * cost ~10x a plain statement there. Values still go through the driver's
 * preparePersistentValue, so dates and booleans are stored exactly as TypeORM stores them.
 */
export function q(m: EntityManager, identifier: string): string {
  return m.connection.driver.escape(identifier);
}

/** The generated id of an INSERT: MySQL's OkPacket.insertId, SQLite's lastInsertRowid. */
export function insertedId(raw: unknown): number {
  const r = raw as { insertId?: number | string } | number | bigint;
  const id = Number(typeof r === 'object' && r !== null ? r.insertId : r);
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('internal', 'insert returned no id');
  return id;
}

/**
 * Multi-row INSERT of entity objects (property names; every row mentions the same
 * properties as the first), in the caller's transaction, with `?` placeholders and the
 * driver's own value conversion. TypeORM's insert builder spends most of its time on
 * parameter bookkeeping when a statement carries thousands of values; this keeps bulk
 * writes to their database cost. Large batches are cut to the dialect's bind limit.
 * Properties left undefined take their column default; a version column starts at 1.
 * Returns the generated id the driver reports for the first statement (0 when the table
 * has no generated column): the row's id when one row is inserted.
 */
export async function insertRows<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: Array<Partial<T>>): Promise<number> {
  if (!rows.length) return 0;
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const cols = meta.columns.filter((c) => c.isVersion || c.getEntityValue(rows[0]) !== undefined);
  // SQLite binds at most 32766 values per statement; MySQL 65535.
  const per = Math.max(1, Math.floor((m.connection.options.type === 'better-sqlite3' ? 30_000 : 60_000) / cols.length));
  const head = `INSERT INTO ${q(m, meta.tableName)} (${cols.map((c) => q(m, c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  let first = 0;
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const params: unknown[] = [];
    for (const r of chunk) {
      for (const c of cols) params.push(c.isVersion ? (c.getEntityValue(r) ?? 1) : driver.preparePersistentValue(c.getEntityValue(r) ?? null, c));
    }
    const raw = await m.query(head + chunk.map(() => tuple).join(', '), params);
    if (i === 0 && meta.columns.some((c) => c.isGenerated)) first = insertedId(raw);
  }
  return first;
}

/** A value for a plain statement, converted exactly as TypeORM stores that entity property. */
export function sqlValue<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, property: keyof T & string, value: unknown): unknown {
  const col = m.connection.getMetadata(target).findColumnWithPropertyName(property);
  if (!col) throw new AppError('internal', `no column for ${property}`);
  return m.connection.driver.preparePersistentValue(value, col);
}
