import { MigrationInterface, QueryRunner } from 'typeorm';

const CHARSET = 'utf8mb4';
const COLLATION = 'utf8mb4_unicode_ci';

/**
 * Every table in utf8mb4 explicitly on MySQL/MariaDB: a server whose default is latin1 or
 * 3-byte utf8 would otherwise have created tables that refuse or mangle names and messages
 * outside the BMP. Tables already in the collation are left alone (no rebuild). SQLite
 * stores UTF-8 anyway.
 */
export class Utf8mb41764140009000 implements MigrationInterface {
  name = 'Utf8mb41764140009000';

  async up(qr: QueryRunner): Promise<void> {
    if (qr.connection.options.type === 'better-sqlite3') return;
    await qr.query(`ALTER DATABASE CHARACTER SET ${CHARSET} COLLATE ${COLLATION}`);
    const tables: Array<{ t: string }> = await qr.query(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND (table_collation IS NULL OR table_collation <> ?)`,
      [COLLATION],
    );
    for (const { t } of tables) await qr.query(`ALTER TABLE \`${t}\` CONVERT TO CHARACTER SET ${CHARSET} COLLATE ${COLLATION}`);
  }

  /** Nothing to undo: converting back could lose characters the tables now hold. */
  async down(): Promise<void> {}
}
