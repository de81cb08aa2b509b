import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../columns';

/**
 * SPEC 2 Art. 10: the review card names the submission round and what changed since the
 * last one, so an application keeps its round number and the fields it was last sent with.
 * Applications already submitted count as their first round.
 */
export class ExemptionRounds1764140002201 implements MigrationInterface {
  name = 'ExemptionRounds1764140002201';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('exemption_applications', new TableColumn(col.int('round', { default: 0 })));
    await qr.addColumn('exemption_applications', new TableColumn(col.text('previous_submission', { isNullable: true })));
    await qr.query('UPDATE exemption_applications SET round = 1 WHERE submitted_at IS NOT NULL');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('exemption_applications', 'previous_submission');
    await qr.dropColumn('exemption_applications', 'round');
  }
}
