import os from 'os';
import path from 'path';
import fs from 'fs';
import { DataSource } from 'typeorm';
import { openDataSource, dialectOf } from '../../src/db/data-source';

/**
 * One DataSource per test run: TEST_DATABASE_URL (CI sets MariaDB) or a fresh SQLite file.
 * Migrations run once (schema only through migrations, as in production); tables are
 * cleared between tests with clearTables().
 */
let shared: DataSource | null = null;

export function testDatabaseUrl(): string {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-test-'));
  return `sqlite:${path.join(dir, 'test.sqlite')}`;
}

let sharedUrl: string | null = null;
export function sharedTestUrl(): string {
  if (!sharedUrl) sharedUrl = testDatabaseUrl();
  return sharedUrl;
}

export async function resetSchema(ds: DataSource): Promise<void> {
  // Drop everything so migrations are exercised from an empty database on every run.
  const qr = ds.createQueryRunner();
  try {
    if (dialectOf(sharedTestUrl()) === 'mysql') {
      await qr.query('SET FOREIGN_KEY_CHECKS = 0');
      const rows: Array<{ t: string }> = await qr.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()');
      for (const r of rows) await qr.query(`DROP TABLE IF EXISTS \`${r.t}\``);
      await qr.query('SET FOREIGN_KEY_CHECKS = 1');
    } else {
      const rows: Array<{ name: string }> = await qr.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'");
      for (const r of rows) await qr.query(`DROP TABLE IF EXISTS "${r.name}"`);
    }
  } finally {
    await qr.release();
  }
}

export async function testDataSource(): Promise<DataSource> {
  if (shared?.isInitialized) return shared;
  shared = await openDataSource(sharedTestUrl());
  await resetSchema(shared);
  await shared.runMigrations({ transaction: 'each' });
  return shared;
}

/** A second, independent connection pool to the same database (for concurrency tests). */
export async function extraDataSource(): Promise<DataSource> {
  await testDataSource();
  return openDataSource(sharedTestUrl());
}

export async function clearTables(ds: DataSource): Promise<void> {
  const tables = ds.entityMetadatas.map((m) => m.tableName);
  const mysql = ds.options.type !== 'better-sqlite3';
  if (mysql) await ds.query('SET FOREIGN_KEY_CHECKS = 0');
  for (const t of tables) await ds.query(mysql ? `DELETE FROM \`${t}\`` : `DELETE FROM "${t}"`);
  if (mysql) await ds.query('SET FOREIGN_KEY_CHECKS = 1');
}

export function isMysqlRun(): boolean {
  return dialectOf(sharedTestUrl()) === 'mysql';
}
