import { DataSource, EntityManager } from 'typeorm';
import { inTransaction } from '../db/tx';

/** MySQL/MariaDB deadlock (1213) or lock wait timeout (1205), SQLite busy: the transaction may simply be run again. */
export function isLockConflict(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = e?.driverError?.code ?? e?.code;
  const errno = e?.driverError?.errno ?? e?.errno;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY' || errno === 1213 || errno === 1205;
}

/** inTransaction, run again (up to `tries` times) when InnoDB picked it as a deadlock victim. */
export async function inTransactionRetrying<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await inTransaction(ds, fn);
    } catch (e) {
      if (i >= tries || !isLockConflict(e)) throw e;
      await new Promise((r) => setTimeout(r, 10 * i + Math.floor(Math.random() * 20)));
    }
  }
}
