import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { CallOutcome } from './call';

const RESULTS = new Set(['consistent', 'inconsistent', 'unknown']);
const PARAM_NAMES = ['idNumber', 'name', 'certificate', 'number'] as const;

/** What a SQL service's query may bind, by name. */
export interface SqlParams {
  idNumber: string;
  name: string;
  certificate: string;
  number: string;
}

/**
 * PostgreSQL binds $1, $2...: the named parameters (:idNumber...) become positional ones,
 * outside string literals, quoted identifiers and `::` casts. The values are bound by the
 * driver, never written into the text.
 */
export function toPositional(query: string, params: SqlParams): { text: string; values: string[] } {
  const values: string[] = [];
  const index = new Map<string, number>();
  let text = '';
  for (let i = 0; i < query.length; ) {
    const ch = query[i];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < query.length && !(query[j] === ch && query[j + 1] !== ch)) j += query[j] === ch ? 2 : 1;
      text += query.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === ':' && query[i + 1] === ':') {
      text += '::';
      i += 2;
      continue;
    }
    const m = ch === ':' ? /^:([A-Za-z_]\w*)/.exec(query.slice(i)) : null;
    if (m && (PARAM_NAMES as readonly string[]).includes(m[1])) {
      const name = m[1] as keyof SqlParams;
      if (!index.has(name)) {
        values.push(params[name]);
        index.set(name, values.length);
      }
      text += `$${index.get(name)}`;
      i += m[0].length;
      continue;
    }
    text += ch;
    i++;
  }
  return { text, values };
}

function answerOf(rows: unknown): CallOutcome {
  if (!Array.isArray(rows)) return { ok: false, failure: 'sql_not_rows' };
  const row = rows[0] as Record<string, unknown> | undefined;
  if (!row) return { ok: true, answer: { result: 'unknown', reply: null } };
  const result = typeof row.result === 'string' && RESULTS.has(row.result) ? (row.result as 'consistent' | 'inconsistent' | 'unknown') : 'consistent';
  return { ok: true, answer: { result, reply: row.reply == null ? null : String(row.reply).slice(0, 4000) } };
}

/** One read-only transaction on MySQL/MariaDB: named placeholders bound by mysql2. */
async function onMysql(dsn: string, sql: string, params: SqlParams, budgetMs: number): Promise<CallOutcome> {
  let conn: mysql.Connection | null = null;
  try {
    conn = await mysql.createConnection({ uri: dsn.replace(/^mariadb:/i, 'mysql:'), namedPlaceholders: true, connectTimeout: budgetMs, multipleStatements: false, charset: 'utf8mb4' });
    await conn.query('START TRANSACTION READ ONLY');
    const [rows] = await conn.query({ sql, timeout: budgetMs }, { ...params } as Record<string, string>);
    return answerOf(rows);
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { ok: false, failure: code === 'PROTOCOL_SEQUENCE_TIMEOUT' ? 'timeout' : `sql_${String(code ?? 'error').toLowerCase()}`.slice(0, 60) };
  } finally {
    if (conn) await conn.end().catch(() => conn?.destroy());
  }
}

/** One read-only transaction on PostgreSQL with a statement timeout: $n placeholders bound by pg. */
async function onPostgres(dsn: string, sql: string, params: SqlParams, budgetMs: number): Promise<CallOutcome> {
  const client = new Client({ connectionString: dsn.replace(/^postgresql:/i, 'postgres:'), connectionTimeoutMillis: budgetMs, statement_timeout: budgetMs, query_timeout: budgetMs + 500, application_name: 'nocert-data-service' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('BEGIN TRANSACTION READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(budgetMs))}`);
    const { text, values } = toPositional(sql, params);
    const res = await client.query(text, values);
    return answerOf(res.rows);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // 57014: canceled by the statement timeout.
    if (code === '57014' || /timeout/i.test(String((e as Error).message))) return { ok: false, failure: 'timeout' };
    return { ok: false, failure: `sql_${String(code ?? 'error').toLowerCase()}`.slice(0, 60) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs the registered SELECT with named parameters bound by the driver (never string-built),
 * on a connection of its own, in a read-only transaction, within the 5-second budget
 * (MySQL/MariaDB through mysql2, PostgreSQL through pg with a statement timeout). A row
 * answers `consistent` with its `reply` column (or the row's own `result` column when it has
 * one); no row answers `unknown`: a missing row may be a gap in the unit's data, so people
 * decide, never "no".
 */
export async function callSqlService(dsn: string, query: string, params: SqlParams, budgetMs = 5000): Promise<CallOutcome> {
  const sql = query.trim().replace(/;\s*$/, '');
  if (/^(mysql|mariadb):\/\//i.test(dsn)) return onMysql(dsn, sql, params, budgetMs);
  if (/^postgres(ql)?:\/\//i.test(dsn)) return onPostgres(dsn, sql, params, budgetMs);
  return { ok: false, failure: 'sql_dialect_unsupported' };
}
