import { DataSource } from 'typeorm';
import { isSqlite } from './tx';

const LOCK = 'nocert_migrations';

/**
 * Applies pending migrations, one instance at a time: instances started together on an
 * empty database would otherwise all create the same tables. The named lock lives on its
 * own connection; the migrations run on others from the pool. Returns how many it applied.
 */
export async function migrateLocked(ds: DataSource, timeoutSeconds = 120): Promise<number> {
  if (isSqlite(ds)) return (await ds.runMigrations({ transaction: 'each' })).length;
  const qr = ds.createQueryRunner();
  try {
    const rows: Array<{ got: number | string | null }> = await qr.query('SELECT GET_LOCK(?, ?) AS got', [LOCK, timeoutSeconds]);
    if (Number(rows[0]?.got) !== 1) throw new Error(`another instance held the migration lock for ${timeoutSeconds} s`);
    try {
      return (await ds.runMigrations({ transaction: 'each' })).length;
    } finally {
      await qr.query('SELECT RELEASE_LOCK(?)', [LOCK]);
    }
  } finally {
    await qr.release();
  }
}
