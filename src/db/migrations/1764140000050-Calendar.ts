import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** Office overrides of the working-day calendar. */
export class Calendar1764140000050 implements MigrationInterface {
  name = 'Calendar1764140000050';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'calendar_days', [
      col.str('date', 10, { isPrimary: true }),
      col.bool('working', { default: undefined }),
      col.str('note', 100, { default: "''" }),
      col.str('updated_by', 64, { default: "''" }),
      col.at('updated_at'),
    ]);
    await createTable(qr, 'calendar_years', [
      col.int('year', { isPrimary: true }),
      col.str('updated_by', 64, { default: "''" }),
      col.at('updated_at'),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('calendar_years', true);
    await qr.dropTable('calendar_days', true);
  }
}
