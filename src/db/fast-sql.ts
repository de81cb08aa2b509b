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

/** One multi-row INSERT of the given entity objects (every row with the same properties); returns the first generated id. */
export async function insertRows<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: Array<Partial<T>>): Promise<number> {
  if (!rows.length) return 0;
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const cols = meta.columns.filter((c) => c.getEntityValue(rows[0]) !== undefined);
  const params: unknown[] = [];
  for (const r of rows) for (const c of cols) params.push(driver.preparePersistentValue(c.getEntityValue(r), c));
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO ${q(m, meta.tableName)} (${cols.map((c) => q(m, c.databaseName)).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
  return insertedId(await m.query(sql, params));
}

/** A value for a plain statement, converted exactly as TypeORM stores that entity property. */
export function sqlValue<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, property: keyof T & string, value: unknown): unknown {
  const col = m.connection.getMetadata(target).findColumnWithPropertyName(property);
  if (!col) throw new AppError('internal', `no column for ${property}`);
  return m.connection.driver.preparePersistentValue(value, col);
}
