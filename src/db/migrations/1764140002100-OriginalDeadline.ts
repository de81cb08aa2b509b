import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../columns';

/**
 * SPEC 1 Art. 7, 13: the deadline the on-time figures count against. A reclassification
 * after the deadline moves `due_at` but never this one; existing rows start from `due_at`.
 */
export class OriginalDeadline1764140002100 implements MigrationInterface {
  name = 'OriginalDeadline1764140002100';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('verification_requests', new TableColumn(col.at('original_due_at', { isNullable: true })));
    await qr.query('UPDATE verification_requests SET original_due_at = due_at');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('verification_requests', 'original_due_at');
  }
}
