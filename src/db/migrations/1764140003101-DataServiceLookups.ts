import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** Each request's lookup in a data service; the unique request id is the once-only claim. */
export class DataServiceLookups1764140003101 implements MigrationInterface {
  name = 'DataServiceLookups1764140003101';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'data_service_lookups', [
      col.id(),
      col.int('request_id'),
      col.int('service_id'),
      col.str('issuer_unit', 40),
      col.str('status', 12),
      col.str('result', 16, { isNullable: true }),
      col.str('failure', 60, { isNullable: true }),
      col.int('latency_ms', { isNullable: true }),
      col.str('claimed_by', 64),
      col.at('claimed_at'),
      col.at('finished_at', { isNullable: true }),
    ], [
      { name: 'uq_ds_lookup_request', columnNames: ['request_id'], isUnique: true },
      { name: 'ix_ds_lookup_unit', columnNames: ['issuer_unit', 'claimed_at'] },
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('data_service_lookups', true);
  }
}
