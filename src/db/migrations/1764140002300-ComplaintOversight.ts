import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col, createTable } from '../columns';

/**
 * 投诉举报办法 Art. 10 and 12: the agency applies for an extension and the office decides;
 * the office may reopen a case it oversees; the measures proposed after each period's analysis.
 */
export class ComplaintOversight1764140002300 implements MigrationInterface {
  name = 'ComplaintOversight1764140002300';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'complaint_extensions', [
      col.id(),
      col.int('complaint_id'),
      col.str('agency_code', 40),
      col.int('days'),
      col.text('reason'),
      col.str('requested_by', 100),
      col.at('requested_at'),
      col.at('previous_due_at'),
      col.str('status', 12),
      col.str('decided_by', 100, { isNullable: true }),
      col.at('decided_at', { isNullable: true }),
      col.text('note', { isNullable: true }),
      col.at('new_due_at', { isNullable: true }),
      col.int('version'),
    ], [{ name: 'ix_complaint_extensions_complaint', columnNames: ['complaint_id'] }]);
    await createTable(qr, 'complaint_analysis_measures', [
      col.id(),
      col.str('period', 10),
      col.text('measures'),
      col.str('updated_by', 100),
      col.at('updated_at'),
    ], [{ name: 'uq_complaint_analysis_period', columnNames: ['period'], isUnique: true }]);
    await qr.addColumn('complaints', new TableColumn(col.int('reopen_count', { default: 0 })));
    await qr.addColumn('complaints', new TableColumn(col.at('reopened_at', { isNullable: true })));
    await qr.addColumn('complaints', new TableColumn(col.int('reassign_count', { default: 0 })));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('complaints', 'reassign_count');
    await qr.dropColumn('complaints', 'reopened_at');
    await qr.dropColumn('complaints', 'reopen_count');
    await qr.dropTable('complaint_analysis_measures');
    await qr.dropTable('complaint_extensions');
  }
}
