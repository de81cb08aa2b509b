import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The kf worker reads a citizen's newest cases at every text they write (WHERE
 * external_userid = ? ORDER BY id DESC LIMIT 10). The (open_kfid, external_userid) index
 * cannot serve that, so each read walked the whole table from its newest row down; with this
 * index it reads the citizen's rows alone (the primary key orders them within it).
 */
export class ComplaintsByCitizen1764140005100 implements MigrationInterface {
  name = 'ComplaintsByCitizen1764140005100';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createIndex('complaints', new TableIndex({ name: 'ix_complaints_citizen', columnNames: ['external_userid'] }));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('complaints', 'ix_complaints_citizen');
  }
}
