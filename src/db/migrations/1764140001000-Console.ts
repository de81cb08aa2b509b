import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** The web console: server-side sessions and the designated read-only auditors. */
export class Console1764140001000 implements MigrationInterface {
  name = 'Console1764140001000';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'console_sessions', [
      col.str('id', 64, { isPrimary: true }),
      col.str('userid', 64),
      col.str('role', 12),
      col.str('unit_code', 40, { isNullable: true }),
      col.str('csrf_secret', 64),
      col.at('created_at'),
      col.at('expires_at'),
    ], [{ name: 'ix_console_sessions_expires', columnNames: ['expires_at'] }]);
    await createTable(qr, 'console_auditors', [
      col.str('userid', 64, { isPrimary: true }),
      col.str('name', 64),
      col.str('created_by', 100),
      col.at('created_at'),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('console_auditors', true);
    await qr.dropTable('console_sessions', true);
  }
}
