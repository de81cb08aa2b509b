import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../columns';

/**
 * SPEC 4 Art. 5-11: the deciding body, who filed an appeal, and the exemption application
 * (who applied, the investigation, the approving authority, the filing).
 */
export class AccountabilitySteps1764140002500 implements MigrationInterface {
  name = 'AccountabilitySteps1764140002500';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumns('accountability_cases', COLUMNS().map((c) => new TableColumn(c)));
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const c of COLUMNS().reverse()) await qr.dropColumn('accountability_cases', c.name);
  }
}

const COLUMNS = () => [
  col.str('deciding_body', 24, { isNullable: true }),
  col.str('appeal_by', 100, { isNullable: true }),
  col.str('exemption_state', 12, { isNullable: true }),
  col.str('exemption_applied_by', 100, { isNullable: true }),
  col.at('exemption_applied_at', { isNullable: true }),
  col.text('exemption_investigation', { isNullable: true }),
  col.str('exemption_approver', 100, { isNullable: true }),
  col.at('exemption_filed_at', { isNullable: true }),
];
