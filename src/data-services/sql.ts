import mysql from 'mysql2/promise';
import { CallOutcome } from './call';

const RESULTS = new Set(['consistent', 'inconsistent', 'unknown']);

/** What a SQL service's query may bind, by name. */
export interface SqlParams {
  idNumber: string;
  name: string;
  certificate: string;
  number: string;
}

/**
 * Runs the registered SELECT with named parameters bound by the driver (never string-built),
 * on a connection of its own, within the 5-second budget. A row answers `consistent` with
 * its `reply` column (or the row's own `result` column when it has one); no row answers
 * `unknown`: a missing row may be a gap in the unit's data, so people decide, never "no".
 */
export async function callSqlService(dsn: string, query: string, params: SqlParams, budgetMs = 5000): Promise<CallOutcome> {
  if (!/^(mysql|mariadb):\/\//i.test(dsn)) return { ok: false, failure: 'sql_dialect_unsupported' };
  let conn: mysql.Connection | null = null;
  try {
    conn = await mysql.createConnection({ uri: dsn.replace(/^mariadb:/i, 'mysql:'), namedPlaceholders: true, connectTimeout: budgetMs, multipleStatements: false, charset: 'utf8mb4' });
    const [rows] = await conn.query({ sql: query.trim().replace(/;\s*$/, ''), timeout: budgetMs }, { ...params } as Record<string, string>);
    if (!Array.isArray(rows)) return { ok: false, failure: 'sql_not_rows' };
    const row = rows[0] as Record<string, unknown> | undefined;
    if (!row) return { ok: true, answer: { result: 'unknown', reply: null } };
    const result = typeof row.result === 'string' && RESULTS.has(row.result) ? (row.result as 'consistent' | 'inconsistent' | 'unknown') : 'consistent';
    return { ok: true, answer: { result, reply: row.reply == null ? null : String(row.reply).slice(0, 4000) } };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { ok: false, failure: `sql_${String(code ?? 'error').toLowerCase()}`.slice(0, 60) };
  } finally {
    if (conn) await conn.end().catch(() => conn?.destroy());
  }
}
