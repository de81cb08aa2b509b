import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** Issuing units' data services that answer verifications automatically (秒核). */
export class DataServices1764140003100 implements MigrationInterface {
  name = 'DataServices1764140003100';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'data_services', [
      col.id(),
      col.str('issuer_unit', 40),
      col.str('certificate', 200),
      col.str('kind', 8),
      col.str('url', 500, { isNullable: true }),
      col.text('secret_sealed'),
      col.str('dsn_masked', 500, { isNullable: true }),
      col.text('sql_query', { isNullable: true }),
      col.int('calls', { default: 0 }),
      col.int('auto_answers', { default: 0 }),
      col.int('fallbacks', { default: 0 }),
      col.str('created_by', 100),
      col.at('created_at'),
    ], [{ name: 'uq_data_service', columnNames: ['issuer_unit', 'certificate'], isUnique: true }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('data_services', true);
  }
}
