import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { col, createTable } from '../columns';

const AWAITING = [
  col.str('awaiting_userid', 64, { isNullable: true }),
  col.str('awaiting_action', 60, { isNullable: true }),
  col.at('awaiting_since', { isNullable: true }),
  col.str('awaiting_code', 256, { isNullable: true }),
];

/**
 * One open question per person (src/conversation) replaces the three stores that each
 * took "the next text message" as an answer: verification prompts, exemption prompts and
 * the complaint's awaiting columns. Questions open at the time of the change lapse.
 */
export class Conversation1764140000600 implements MigrationInterface {
  name = 'Conversation1764140000600';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'open_questions', [
      col.str('userid', 64, { isPrimary: true }),
      col.str('module', 30),
      col.str('subject', 64),
      col.str('kind', 40),
      col.str('label', 200),
      col.text('data'),
      col.str('response_code', 256, { isNullable: true }),
      col.at('asked_at'),
      col.at('expires_at'),
    ], [{ name: 'ix_open_questions_subject', columnNames: ['module', 'subject'] }]);
    await qr.dropTable('verification_prompts', true);
    await qr.dropTable('exemption_prompts', true);
    await qr.dropIndex('complaints', 'ix_complaints_awaiting');
    await qr.dropColumns('complaints', AWAITING.map((c) => new TableColumn(c)));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.addColumns('complaints', AWAITING.map((c) => new TableColumn(c)));
    await qr.createIndex('complaints', new TableIndex({ name: 'ix_complaints_awaiting', columnNames: ['awaiting_userid'] }));
    await createTable(qr, 'exemption_prompts', [
      col.str('userid', 64, { isPrimary: true }),
      col.str('kind', 20),
      col.int('application_id'),
      col.text('data'),
      col.int('seq'),
      col.at('expires_at'),
      col.at('created_at'),
    ]);
    await createTable(qr, 'verification_prompts', [
      col.str('userid', 64, { isPrimary: true }),
      col.int('request_id'),
      col.str('kind', 20),
      col.str('arg', 20, { isNullable: true }),
      col.at('created_at'),
    ]);
    await qr.dropTable('open_questions', true);
  }
}
