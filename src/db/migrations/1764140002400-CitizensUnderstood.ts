import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col, createTable } from '../columns';

/**
 * SPEC 3 Art. 5-6: what is asked (the certificate) and the principal's phone and relationship
 * are fields of the complaint; the office's worklist of citizens waiting for a person; the
 * office's alias and synonym tables for the chat.
 */
export class CitizensUnderstood1764140002400 implements MigrationInterface {
  name = 'CitizensUnderstood1764140002400';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumns('complaints', [
      new TableColumn(col.str('certificate', 100, { isNullable: true })),
      new TableColumn(col.str('principal_phone', 40, { isNullable: true })),
      new TableColumn(col.str('principal_relationship', 20, { isNullable: true })),
    ]);
    await createTable(
      qr,
      'citizen_requests',
      [
        col.id(),
        col.str('kind', 20),
        col.str('status', 8),
        col.str('open_kfid', 64, { isNullable: true }),
        col.str('external_userid', 64, { isNullable: true }),
        col.int('complaint_id', { isNullable: true }),
        col.text('text'),
        col.at('created_at'),
        col.at('done_at', { isNullable: true }),
        col.str('done_by', 100, { isNullable: true }),
      ],
      [{ name: 'idx_citizen_requests_status', columnNames: ['status', 'id'] }],
    );
    await createTable(
      qr,
      'understanding_terms',
      [col.id(), col.str('kind', 10), col.str('word', 50), col.text('value'), col.str('updated_by', 100), col.at('updated_at')],
      [{ name: 'uq_understanding_terms_kind_word', columnNames: ['kind', 'word'], isUnique: true }],
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('understanding_terms', true);
    await qr.dropTable('citizen_requests', true);
    await qr.dropColumn('complaints', 'principal_relationship');
    await qr.dropColumn('complaints', 'principal_phone');
    await qr.dropColumn('complaints', 'certificate');
  }
}
