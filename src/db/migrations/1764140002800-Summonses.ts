import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** SPEC 1 Art. 11: a 约谈 is a record, with the county government's decision. */
export class Summonses1764140002800 implements MigrationInterface {
  name = 'Summonses1764140002800';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'summonses', [
      col.id(),
      col.int('request_id'),
      col.int('escalation_id', { isNullable: true }),
      col.str('number', 20),
      col.str('unit_code', 40),
      col.str('person_userid', 64, { isNullable: true }),
      col.str('person_name', 64),
      col.text('effect'),
      col.text('office_request'),
      col.str('requested_by', 100),
      col.at('requested_at'),
      col.str('decision', 12, { isNullable: true }),
      col.text('decision_note', { isNullable: true }),
      col.str('held_on', 10, { isNullable: true }),
      col.at('decided_at', { isNullable: true }),
      col.str('decided_by', 100, { isNullable: true }),
    ], [
      { name: 'ix_summons_unit', columnNames: ['unit_code', 'requested_at'] },
      { name: 'ix_summons_request', columnNames: ['request_id'] },
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('summonses', true);
  }
}
