import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../columns';

/** SPEC 1 Art. 11: an escalation card stops offering actions once its request is answered. */
export class EscalationCardsClosed1764140002801 implements MigrationInterface {
  name = 'EscalationCardsClosed1764140002801';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('escalations', new TableColumn(col.at('cards_closed_at', { isNullable: true })));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('escalations', 'cards_closed_at');
  }
}
