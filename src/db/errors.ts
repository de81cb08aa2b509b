/**
 * What a database error means, on both dialects. TypeORM wraps driver errors in
 * QueryFailedError and keeps the driver's own error as `driverError`; some paths (raw
 * driver calls) throw the driver error itself, so both shapes are read.
 */
interface DbErrorShape {
  code?: string;
  errno?: number;
  message?: string;
  driverError?: { code?: string; errno?: number };
}

function codeOf(err: unknown): { code?: string; errno?: number; message: string } {
  const e = err as DbErrorShape | null | undefined;
  return { code: e?.driverError?.code ?? e?.code, errno: e?.driverError?.errno ?? e?.errno, message: e?.message ?? '' };
}

/** True when err is a unique-key violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const { code, message } = codeOf(err);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed|Duplicate entry/.test(message);
}

/**
 * MySQL/MariaDB deadlock victim (1213) or lock wait timeout (1205), SQLite busy: the
 * transaction was rolled back whole (InnoDB rolls back the victim; a timed-out statement
 * is retried as a whole transaction by the callers) and may simply be run again.
 */
export function isRetryableLockError(err: unknown): boolean {
  const { code, errno } = codeOf(err);
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY' || errno === 1213 || errno === 1205;
}

/**
 * The connection itself failed (server gone, restarted, or the socket died): an outage, not
 * a refusal of the statement. mysql2 reports these by code; a pool can hand out such a dead
 * connection once right after the server returns.
 */
export function isConnectionError(err: unknown): boolean {
  const { code, errno, message } = codeOf(err);
  return (
    ['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR'].includes(code ?? '') ||
    errno === 1053 ||
    /closed state|Connection lost|server has gone away/i.test(message)
  );
}
