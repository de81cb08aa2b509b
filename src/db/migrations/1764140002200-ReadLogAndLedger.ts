import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../columns';

/**
 * SPEC 1 Art. 12: the read log covers complaints too (`subject`), so the office can list
 * every read of personal data. SPEC 1 Art. 8: a ledger entry records that the supplied
 * material becomes the application material; supplementary entries already in the ledger
 * were asked under that rule.
 */
export class ReadLogAndLedger1764140002200 implements MigrationInterface {
  name = 'ReadLogAndLedger1764140002200';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('personal_data_reads', new TableColumn(col.str('subject', 20, { default: "'verification'" })));
    await qr.addColumn('verification_ledger_entries', new TableColumn(col.bool('application_material', { default: 0 })));
    await qr.query("UPDATE verification_ledger_entries SET application_material = 1 WHERE kind = 'supplementary'");
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('verification_ledger_entries', 'application_material');
    await qr.dropColumn('personal_data_reads', 'subject');
  }
}
