import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** The exemption list: working entries, adjustment applications, published versions, comments (SPEC 2). */
export class Exemptions1764140000300 implements MigrationInterface {
  name = 'Exemptions1764140000300';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'exemption_entries', [
      col.id(),
      col.str('service_item', 200),
      col.str('certificate', 200),
      col.str('requester_unit', 40),
      col.str('issuer_unit', 40),
      col.str('method', 16),
      col.text('legal_basis'),
      col.str('default_category', 12, { default: "'digital'" }),
      col.str('status', 12),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [{ name: 'ix_exemption_entries_status', columnNames: ['status'] }]);
    await createTable(qr, 'exemption_versions', [
      col.id(),
      col.int('number'),
      col.at('published_at'),
      col.str('published_by', 100),
      col.text('note', { isNullable: true }),
      col.int('entry_count'),
      col.int('added'),
      col.int('changed'),
      col.int('cancelled'),
      col.str('digest', 64),
    ], [{ name: 'uq_exemption_versions_number', columnNames: ['number'], isUnique: true }]);
    await createTable(qr, 'exemption_version_entries', [
      col.id(),
      col.int('version_id'),
      col.int('entry_id'),
      col.str('service_item', 200),
      col.str('certificate', 200),
      col.str('requester_unit', 40),
      col.str('issuer_unit', 40),
      col.str('method', 16),
      col.text('legal_basis'),
      col.str('default_category', 12),
      col.str('requester_unit_name', 100),
      col.str('issuer_unit_name', 100),
    ], [{ name: 'uq_exemption_ve_version_entry', columnNames: ['version_id', 'entry_id'], isUnique: true }]);
    await createTable(qr, 'exemption_applications', [
      col.id(),
      col.str('unit_code', 40),
      col.str('initiator', 10),
      col.str('kind', 10, { isNullable: true }),
      col.str('reason', 40, { isNullable: true }),
      col.int('entry_id', { isNullable: true }),
      col.str('service_item', 200, { isNullable: true }),
      col.str('certificate', 200, { isNullable: true }),
      col.str('requester_unit', 40, { isNullable: true }),
      col.str('issuer_unit', 40, { isNullable: true }),
      col.str('method', 16, { isNullable: true }),
      col.text('legal_basis', { isNullable: true }),
      col.str('default_category', 12, { isNullable: true }),
      col.text('note', { isNullable: true }),
      col.str('cause_date', 10),
      col.at('due_at'),
      col.at('remind_at', { isNullable: true }),
      col.at('reminded_at', { isNullable: true }),
      col.bool('late', { default: 0 }),
      col.str('status', 12),
      col.str('pending_key', 190, { isNullable: true }),
      col.at('submitted_at', { isNullable: true }),
      col.str('submitted_by', 100, { isNullable: true }),
      col.at('reviewed_at', { isNullable: true }),
      col.str('reviewed_by', 100, { isNullable: true }),
      col.text('review_comment', { isNullable: true }),
      col.int('published_version', { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [
      { name: 'ix_exemption_apps_status', columnNames: ['status', 'remind_at'] },
      { name: 'ix_exemption_apps_unit', columnNames: ['unit_code', 'created_at'] },
      { name: 'ix_exemption_apps_entry', columnNames: ['entry_id'] },
      { name: 'uq_exemption_apps_pending', columnNames: ['pending_key'], isUnique: true },
    ]);
    await createTable(qr, 'exemption_comments', [
      col.id(),
      col.int('entry_id', { isNullable: true }),
      col.text('content'),
      col.str('name', 64, { isNullable: true }),
      col.str('contact', 64, { isNullable: true }),
      col.str('status', 12),
      col.str('read_by', 100, { isNullable: true }),
      col.at('created_at'),
    ], [{ name: 'ix_exemption_comments_created', columnNames: ['created_at'] }]);
    await createTable(qr, 'exemption_prompts', [
      col.str('userid', 64, { isPrimary: true }),
      col.str('kind', 20),
      col.int('application_id'),
      col.text('data'),
      col.int('seq'),
      col.at('expires_at'),
      col.at('created_at'),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['exemption_prompts', 'exemption_comments', 'exemption_applications', 'exemption_version_entries', 'exemption_versions', 'exemption_entries']) {
      await qr.dropTable(t, true);
    }
  }
}
