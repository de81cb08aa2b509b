import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/**
 * SPEC 1 Art. 6: the office keeps training records, one row per training a member attended.
 * The directory's single `staff.trained_on` date is carried over as each member's first record.
 */
export class TrainingRecords1764140004700 implements MigrationInterface {
  name = 'TrainingRecords1764140004700';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'training_records', [
      col.id(),
      col.str('userid', 64),
      col.str('unit_code', 40),
      col.str('trained_on', 10),
      col.str('course', 100),
      col.str('recorded_by', 100),
      col.at('recorded_at'),
    ], [{ name: 'ix_training_user', columnNames: ['userid', 'trained_on'] }]);
    await qr.query(
      "INSERT INTO training_records (userid, unit_code, trained_on, course, recorded_by, recorded_at) SELECT userid, unit_code, trained_on, '', 'migration', updated_at FROM staff WHERE trained_on IS NOT NULL",
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('training_records', true);
  }
}
