import { DataSource } from 'typeorm';
import { sqliteSerial } from '../db/tx';

export { sqliteSerial };

/**
 * Kept for the token cache's call sites: the queue in src/db/tx.ts is re-entrant, so a
 * token refresh asked for from inside a queued transaction runs directly and one asked
 * for from outside waits its turn (never joining another flow's open transaction).
 */
export function sqliteSerialOutsideTransactions<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  return sqliteSerial(ds, fn);
}
