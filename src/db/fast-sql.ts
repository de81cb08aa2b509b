import { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral, QueryFailedError } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
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
  execute(sql: string, params: unknown[], cb: (err: Error | null, result?: unknown) => void): unknown;
  query(sql: string, params: unknown[], cb: (err: Error | null, result?: unknown) => void): unknown;
}

/**
 * One statement on MySQL/MariaDB through mysql2's callback API (m.query goes through its
 * promise wrapper, which captures a stack trace per statement: a tenth of a due sweep's
 * reads), in the caller's transaction, logged and announced to subscribers (beforeQuery)
 * like m.query, its errors wrapped in QueryFailedError like m.query's.
 */
async function run(m: EntityManager, sql: string, params: unknown[], prepared: boolean): Promise<unknown> {
  const qr = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const conn = (await qr.connect()) as Mysql2Connection;
    m.connection.logger.logQuery(sql, params, qr);
    await (qr as unknown as { broadcaster: { broadcast(e: string, q: string, p: unknown[]): Promise<void> } }).broadcaster.broadcast('BeforeQuery', sql, params);
    try {
      return await new Promise<unknown>((resolve, reject) => {
        const done = (err: Error | null, raw?: unknown) => (err ? reject(err) : resolve(raw));
        if (prepared) conn.execute(sql, params, done);
        else conn.query(sql, params, done);
      });
    } catch (e) {
      m.connection.logger.logQueryError(e as Error, sql, params, qr);
      throw new QueryFailedError(sql, params, e as Error);
    }
  } finally {
    if (!m.queryRunner) await qr.release();
  }
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
  return run(m, sql, params, true);
}

/** m.query for hot paths: the same statement and result, without the promise wrapper's cost on MySQL/MariaDB. */
export async function plainQuery<R = unknown>(m: EntityManager, sql: string, params: unknown[] = []): Promise<R> {
  if (m.connection.options.type === 'better-sqlite3') return m.query(sql, params);
  return (await run(m, sql, params, false)) as R;
}

/**
 * Rows per prepared statement: a ladder of fixed sizes, so each table has a handful of
 * statement shapes (mysql2 keeps one prepared statement per shape and connection) and a
 * batch goes out in few statements (400 rows: 256 + 128 + 16).
 */
const PREPARED_SIZES = [1024, 512, 256, 128, 64, 32, 16];

/** How one entity's columns are bound: read straight off the object, converted as TypeORM converts them. */
interface InsertPlan {
  cols: ColumnMetadata[];
  /** One per `?` of a row: the columns not written as a NULL literal. */
  value: Array<(row: ObjectLiteral) => unknown>;
  head: string;
  tuple: string;
  sql: Map<number, string>;
}

const plans = new WeakMap<EntityMetadata, Map<string, InsertPlan>>();

/** Column types whose values TypeORM's MySQL and SQLite drivers store unchanged. */
const AS_IS = new Set<unknown>(['varchar', 'text', 'int', 'integer', 'bigint', 'mediumtext', 'longtext', 'char', 'smallint']);

function isPlain(c: ColumnMetadata): boolean {
  return !c.embeddedMetadata && !c.relationMetadata && !c.referencedColumn;
}

const MIN_DATETIME_MS = Date.UTC(1000, 0, 1);
const MAX_DATETIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
let lastDatetime = { ms: NaN, text: '' };

/**
 * A Date as 'YYYY-MM-DD HH:MM:SS.mmm' in UTC (years 1000-9999; null otherwise): the text
 * mysql2 writes for a Date into a plain statement with timezone 'Z', and what a datetime(3)
 * column stores. A sweep writes one `now` thousands of times: the last answer is kept.
 */
function utcDatetimeText(d: Date): string | null {
  const ms = d.getTime();
  if (ms === lastDatetime.ms) return lastDatetime.text;
  if (!(ms >= MIN_DATETIME_MS && ms <= MAX_DATETIME_MS)) return null;
  const iso = d.toISOString();
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  lastDatetime = { ms, text };
  return text;
}

/**
 * The driver's conversion of a non-null value of column c, except that on MySQL/MariaDB
 * (timezone 'Z') a Date for a datetime column is bound as its UTC text: the same stored
 * value, and for mysql2 a short string costs much less to encode than a Date parameter.
 */
function persistValue(m: EntityManager, c: ColumnMetadata): (v: unknown) => unknown {
  const driver = m.connection.driver;
  const type = m.connection.options.type;
  const utcText = (type === 'mysql' || type === 'mariadb') && (m.connection.options as { timezone?: string }).timezone === 'Z' && c.type === 'datetime' && !c.transformer;
  if (!utcText) return (v) => driver.preparePersistentValue(v, c);
  return (v) => (v instanceof Date ? utcDatetimeText(v) : null) ?? driver.preparePersistentValue(v, c);
}

/**
 * The statement shape of a batch: the columns the first row mentions, and among them those
 * null in every row (a plain column without a transformer), which are written as NULL in the
 * SQL text: the same value, without a bound parameter (fresh outbox rows have eight such columns).
 */
function insertPlan(m: EntityManager, meta: EntityMetadata, rows: ObjectLiteral[]): InsertPlan {
  const first = rows[0];
  const cols = meta.columns.filter((c) => c.isVersion || c.getEntityValue(first) !== undefined);
  const literalNull = cols.map((c) => !c.isVersion && !c.transformer && isPlain(c) && first[c.propertyName] === null && rows.every((r) => r[c.propertyName] === null || r[c.propertyName] === undefined));
  const key = cols.map((c, i) => (literalNull[i] ? `${c.propertyPath}=null` : c.propertyPath)).join(',');
  let byCols = plans.get(meta);
  if (!byCols) plans.set(meta, (byCols = new Map()));
  const known = byCols.get(key);
  if (known) return known;
  const driver = m.connection.driver;
  const value = cols
    .filter((_, i) => !literalNull[i])
    .map((c): ((row: ObjectLiteral) => unknown) => {
      const plain = isPlain(c);
      const read = plain ? (r: ObjectLiteral) => r[c.propertyName] : (r: ObjectLiteral) => c.getEntityValue(r);
      if (c.isVersion) return (r) => read(r) ?? 1;
      if (plain && !c.transformer && AS_IS.has(c.type)) return (r) => read(r) ?? null;
      const persist = persistValue(m, c);
      return (r) => {
        const v = read(r);
        return v === undefined || v === null ? (c.transformer ? driver.preparePersistentValue(null, c) : null) : persist(v);
      };
    });
  const plan: InsertPlan = {
    cols,
    value,
    head: `INSERT INTO ${q(m, meta.tableName)} (${cols.map((c) => q(m, c.databaseName)).join(', ')}) VALUES `,
    tuple: `(${cols.map((_, i) => (literalNull[i] ? 'NULL' : '?')).join(', ')})`,
    sql: new Map(),
  };
  byCols.set(key, plan);
  return plan;
}

function insertSql(plan: InsertPlan, rows: number): string {
  let sql = plan.sql.get(rows);
  if (!sql) {
    sql = plan.head + Array.from({ length: rows }, () => plan.tuple).join(', ');
    if (PREPARED_SIZES.includes(rows)) plan.sql.set(rows, sql);
  }
  return sql;
}

/**
 * Multi-row INSERT of entity objects (property names; every row mentions the same
 * properties as the first), in the caller's transaction, with `?` placeholders and the
 * driver's own value conversion. TypeORM's insert builder spends most of its time on
 * parameter bookkeeping when a statement carries thousands of values; this keeps bulk
 * writes to their database cost. On MySQL/MariaDB batches of 16 rows or more go out as
 * prepared statements of the sizes above (under the 65,535 bind limit), the tail of fewer
 * than 16 rows as one plain statement; SQLite cuts batches to its bind limit (32,766).
 * Properties left undefined take their column default; a version column starts at 1.
 * Returns the generated id the driver reports for the first statement (0 when the table
 * has no generated column): the row's id when one row is inserted.
 */
export async function insertRows<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: Array<Partial<T>>): Promise<number> {
  if (!rows.length) return 0;
  const meta = m.connection.getMetadata(target);
  const plan = insertPlan(m, meta, rows);
  const { cols, value } = plan;
  const sqlite = m.connection.options.type === 'better-sqlite3';
  const sizes = sqlite ? [Math.max(1, Math.floor(30_000 / cols.length))] : [...PREPARED_SIZES.filter((n) => n * cols.length <= 60_000), 1];
  const generated = meta.columns.some((c) => c.isGenerated);
  let first = 0;
  for (let i = 0; i < rows.length; ) {
    const left = rows.length - i;
    // SQLite: as many as the bind limit allows; MySQL: the largest fixed size that fits, the short tail at once.
    const size = sqlite ? Math.min(left, sizes[0]) : sizes.find((n) => n > 1 && n <= left) ?? left;
    const params: unknown[] = new Array(size * value.length);
    let k = 0;
    for (let j = i; j < i + size; j++) {
      const r = rows[j];
      for (const v of value) params[k++] = v(r);
    }
    const sql = insertSql(plan, size);
    const prepared = !sqlite && PREPARED_SIZES.includes(size);
    const raw = prepared ? await executePrepared(m, sql, params) : await plainQuery(m, sql, params);
    if (i === 0 && generated) first = insertedId(raw);
    i += size;
  }
  return first;
}

/** A value for a plain statement, converted exactly as TypeORM stores that entity property. */
export function sqlValue<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, property: keyof T & string, value: unknown): unknown {
  return sqlValueOf(m, target, property)(value);
}

/** sqlValue for many values of one property: the column is looked up once. */
export function sqlValueOf<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, property: keyof T & string): (value: unknown) => unknown {
  const col = m.connection.getMetadata(target).findColumnWithPropertyName(property);
  if (!col) throw new AppError('internal', `no column for ${property}`);
  const persist = persistValue(m, col);
  const driver = m.connection.driver;
  return (value) => (value === null || value === undefined ? driver.preparePersistentValue(value, col) : persist(value));
}

/**
 * Entities read with one plain SELECT of all their columns, hydrated with the driver's own
 * conversion (dates, booleans, JSON exactly as TypeORM's find returns them), without the
 * query builder's per-call work. `where` and `tail` (ORDER BY, FOR UPDATE...) are SQL with
 * `?` placeholders; quote identifiers with q().
 */
export async function selectEntities<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, where: string, params: unknown[], tail = ''): Promise<T[]> {
  const meta = m.connection.getMetadata(target);
  const plan = readPlan(m, meta);
  const rows = await plainQuery<Array<Record<string, unknown>>>(m, `${plan.select}${where}${tail ? ` ${tail}` : ''}`, params);
  const out: T[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const e = meta.create() as T;
    for (const set of plan.set) set(e, r);
    out[i] = e;
  }
  return out;
}

/** How selectEntities reads an entity: its SELECT head, and one setter per column. */
interface ReadPlan {
  select: string;
  set: Array<(e: ObjectLiteral, row: Record<string, unknown>) => void>;
}

const readPlans = new WeakMap<EntityMetadata, ReadPlan>();

function readPlan(m: EntityManager, meta: EntityMetadata): ReadPlan {
  const known = readPlans.get(meta);
  if (known) return known;
  const driver = m.connection.driver;
  const plan: ReadPlan = {
    select: `SELECT ${meta.columns.map((c) => q(m, c.databaseName)).join(', ')} FROM ${q(m, meta.tableName)} WHERE `,
    set: meta.columns.map((c) => {
      const name = c.databaseName;
      const prop = c.propertyName;
      // Plain columns of types the drivers hydrate unchanged: the value as the driver returned it.
      if (isPlain(c) && !c.transformer && AS_IS.has(c.type)) return (e, r) => void (e[prop] = r[name]);
      return (e, r) => c.setEntityValue(e, driver.prepareHydratedValue(r[name], c));
    }),
  };
  readPlans.set(meta, plan);
  return plan;
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
