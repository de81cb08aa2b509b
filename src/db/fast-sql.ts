import { EntityManager, EntityTarget, ObjectLiteral, QueryFailedError } from 'typeorm';
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

/** A MySQL/MariaDB connection as mysql2 hands it to TypeORM's query runner. */
interface Mysql2Connection {
  promise(): { execute(sql: string, params: unknown[]): Promise<[unknown, unknown]> };
}

/**
 * One statement as a server-side prepared statement on MySQL/MariaDB: the values travel in
 * the binary protocol instead of being escaped into the SQL text (mysql2's `query` formats
 * every value into the string, which dominates the cost of a statement with thousands of
 * values). mysql2 keeps the prepared statement per connection, keyed by its text, so callers
 * should use a few statement shapes (see insertRows). SQLite: a plain query (better-sqlite3
 * prepares every statement anyway). Runs in the caller's transaction; logged like m.query.
 */
export async function executePrepared(m: EntityManager, sql: string, params: unknown[]): Promise<unknown> {
  if (m.connection.options.type === 'better-sqlite3') return m.query(sql, params);
  const qr = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const conn = (await qr.connect()) as Mysql2Connection;
    m.connection.logger.logQuery(sql, params, qr);
    await (qr as unknown as { broadcaster: { broadcast(e: string, q: string, p: unknown[]): Promise<void> } }).broadcaster.broadcast('BeforeQuery', sql, params);
    try {
      const [raw] = await conn.promise().execute(sql, params);
      return raw;
    } catch (e) {
      m.connection.logger.logQueryError(e as Error, sql, params, qr);
      throw new QueryFailedError(sql, params, e as Error);
    }
  } finally {
    if (!m.queryRunner) await qr.release();
  }
}

/** Rows per prepared statement: a few fixed sizes, so each table has a handful of shapes. */
const PREPARED_SIZES = [1024, 256, 64, 16];

/**
 * Multi-row INSERT of entity objects (property names; every row mentions the same
 * properties as the first), in the caller's transaction, with `?` placeholders and the
 * driver's own value conversion. TypeORM's insert builder spends most of its time on
 * parameter bookkeeping when a statement carries thousands of values; this keeps bulk
 * writes to their database cost. On MySQL/MariaDB batches of 16 rows or more go out as
 * prepared statements of fixed sizes (1024, 256, 64 or 16 rows, under the 65,535 bind
 * limit), the tail of fewer than 16 rows as one plain statement; SQLite cuts batches to its
 * bind limit (32,766). Properties left undefined take their column default; a version
 * column starts at 1. Returns the generated id the driver reports for the first statement
 * (0 when the table has no generated column): the row's id when one row is inserted.
 */
export async function insertRows<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: Array<Partial<T>>): Promise<number> {
  if (!rows.length) return 0;
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const cols = meta.columns.filter((c) => c.isVersion || c.getEntityValue(rows[0]) !== undefined);
  const sqlite = m.connection.options.type === 'better-sqlite3';
  const head = `INSERT INTO ${q(m, meta.tableName)} (${cols.map((c) => q(m, c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  const sizes = sqlite ? [Math.max(1, Math.floor(30_000 / cols.length))] : [...PREPARED_SIZES.filter((n) => n * cols.length <= 60_000), 1];
  const generated = meta.columns.some((c) => c.isGenerated);
  let first = 0;
  for (let i = 0; i < rows.length; ) {
    const left = rows.length - i;
    // SQLite: as many as the bind limit allows; MySQL: the largest fixed size that fits, the short tail at once.
    const size = sqlite ? Math.min(left, sizes[0]) : sizes.find((n) => n > 1 && n <= left) ?? left;
    const chunk = rows.slice(i, i + size);
    const params: unknown[] = [];
    for (const r of chunk) {
      for (const c of cols) params.push(c.isVersion ? (c.getEntityValue(r) ?? 1) : driver.preparePersistentValue(c.getEntityValue(r) ?? null, c));
    }
    const sql = head + chunk.map(() => tuple).join(', ');
    const prepared = !sqlite && PREPARED_SIZES.includes(size);
    const raw = prepared ? await executePrepared(m, sql, params) : await m.query(sql, params);
    if (i === 0 && generated) first = insertedId(raw);
    i += size;
  }
  return first;
}

/** A value for a plain statement, converted exactly as TypeORM stores that entity property. */
export function sqlValue<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, property: keyof T & string, value: unknown): unknown {
  const col = m.connection.getMetadata(target).findColumnWithPropertyName(property);
  if (!col) throw new AppError('internal', `no column for ${property}`);
  return m.connection.driver.preparePersistentValue(value, col);
}

/**
 * Entities read with one plain SELECT of all their columns, hydrated with the driver's own
 * conversion (dates, booleans, JSON exactly as TypeORM's find returns them), without the
 * query builder's per-call work. `where` and `tail` (ORDER BY, FOR UPDATE...) are SQL with
 * `?` placeholders; quote identifiers with q().
 */
export async function selectEntities<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, where: string, params: unknown[], tail = ''): Promise<T[]> {
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const cols = meta.columns;
  const sql = `SELECT ${cols.map((c) => q(m, c.databaseName)).join(', ')} FROM ${q(m, meta.tableName)} WHERE ${where}${tail ? ` ${tail}` : ''}`;
  const rows = (await m.query(sql, params)) as Array<Record<string, unknown>>;
  return rows.map((r) => {
    const e = meta.create() as T;
    for (const c of cols) c.setEntityValue(e, driver.prepareHydratedValue(r[c.databaseName], c));
    return e;
  });
}

/** `?, ?, ?` for an IN list of n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * One UPDATE or DELETE as plain SQL in the caller's transaction (or on its own): returns
 * how many rows it changed (MySQL's affectedRows, SQLite's changes), as a query builder's
 * execute() reports `affected`. Callers on SQLite outside a transaction go through sqliteSerial.
 */
export async function changeRows(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const qr = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const r = (await qr.query(sql, params, true)) as { affected?: number };
    return r.affected ?? 0;
  } finally {
    if (!m.queryRunner) await qr.release();
  }
}

/**
 * Rows of a plain SELECT (any shape: a join, a UNION) hydrated as entities of `target`:
 * each column the row carries under a property's column name is converted by the driver
 * exactly as TypeORM's find converts it; other columns are left out.
 */
export function hydrate<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: Array<Record<string, unknown>>): T[] {
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const cols = rows.length ? meta.columns.filter((c) => c.databaseName in rows[0]) : [];
  return rows.map((r) => {
    const e = meta.create() as T;
    for (const c of cols) c.setEntityValue(e, driver.prepareHydratedValue(r[c.databaseName], c));
    return e;
  });
}
