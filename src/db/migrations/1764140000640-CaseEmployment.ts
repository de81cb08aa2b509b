import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../columns';

/** SPEC 4 Art. 2: a case names the person's employment (staff, borrowed, hired, seconded). */
export class CaseEmployment1764140000640 implements MigrationInterface {
  name = 'CaseEmployment1764140000640';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('accountability_cases', new TableColumn(col.str('employment', 12, { isNullable: true })));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('accountability_cases', 'employment');
  }
}
