import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** Directory (units, staff) and verification requests with their events, cards, ledgers (SPEC 1). */
export class Verification1764140000200 implements MigrationInterface {
  name = 'Verification1764140000200';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'units', [
      col.str('code', 40, { isPrimary: true }),
      col.str('name', 100),
      col.bool('is_office', { default: 0 }),
      col.at('created_at'),
      col.at('updated_at'),
    ]);
    await createTable(qr, 'staff', [
      col.str('userid', 64, { isPrimary: true }),
      col.str('unit_code', 40),
      col.str('name', 64),
      col.str('role', 12),
      col.str('ab', 1, { isNullable: true }),
      col.str('mobile', 20, { isNullable: true }),
      col.bool('away', { default: 0 }),
      col.str('away_until', 10, { isNullable: true }),
      col.str('trained_on', 10, { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
    ], [{ name: 'ix_staff_unit', columnNames: ['unit_code'] }]);
    await createTable(qr, 'verification_requests', [
      col.id(),
      col.str('number', 20),
      col.str('requester_unit', 40),
      col.str('issuer_unit', 40),
      col.str('requested_by', 64, { isNullable: true }),
      col.str('created_by', 100),
      col.str('service_item', 200),
      col.str('certificate', 200),
      col.int('list_entry_id', { isNullable: true }),
      col.int('template_id', { isNullable: true }),
      col.str('category', 12),
      col.str('channel', 12),
      col.str('applicant_name', 64),
      col.str('applicant_id_number', 18),
      col.text('question'),
      col.str('status', 12),
      col.at('started_at'),
      col.at('due_at'),
      col.str('deadline_rule', 60),
      col.at('case_started_at', { isNullable: true }),
      col.str('assignee', 64, { isNullable: true }),
      col.at('accepted_at', { isNullable: true }),
      col.str('result', 12, { isNullable: true }),
      col.text('reply', { isNullable: true }),
      col.at('answered_at', { isNullable: true }),
      col.text('return_reason', { isNullable: true }),
      col.at('returned_at', { isNullable: true }),
      col.at('closed_at', { isNullable: true }),
      col.int('verification_minutes', { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [
      { name: 'uq_verif_number', columnNames: ['number'], isUnique: true },
      { name: 'ix_verif_status_due', columnNames: ['status', 'due_at'] },
      { name: 'ix_verif_requester', columnNames: ['requester_unit', 'started_at'] },
      { name: 'ix_verif_issuer', columnNames: ['issuer_unit', 'started_at'] },
      { name: 'ix_verif_assignee', columnNames: ['assignee', 'status'] },
    ]);
    await createTable(qr, 'verification_events', [
      col.id(),
      col.int('request_id'),
      col.at('at'),
      col.str('type', 40),
      col.str('actor', 100, { isNullable: true }),
      col.str('from_status', 12, { isNullable: true }),
      col.str('to_status', 12, { isNullable: true }),
      col.text('reason', { isNullable: true }),
      col.text('data', { isNullable: true }),
    ], [
      { name: 'ix_verif_events_request', columnNames: ['request_id', 'at'] },
      { name: 'ix_verif_events_type_at', columnNames: ['type', 'at'] },
    ]);
    await createTable(qr, 'verification_recipients', [
      col.id(),
      col.int('request_id'),
      col.str('userid', 64),
      col.str('role', 12),
      col.str('ab', 1, { isNullable: true }),
      col.str('reason', 20),
      col.at('notified_at'),
      col.str('task_id', 128),
      col.int('card_seq', { default: 0 }),
      col.int('card_outbox_id', { isNullable: true }),
      col.bool('code_used', { default: 0 }),
      col.at('closed_at', { isNullable: true }),
      col.str('outcome', 100, { isNullable: true }),
    ], [
      { name: 'uq_verif_recipient', columnNames: ['request_id', 'userid'], isUnique: true },
      { name: 'ix_verif_recipient_user', columnNames: ['userid'] },
    ]);
    await createTable(qr, 'verification_ledger_entries', [
      col.id(),
      col.int('request_id'),
      col.str('unit_code', 40),
      col.str('kind', 20),
      col.at('occurred_at'),
      col.text('material'),
      col.text('purpose', { isNullable: true }),
      col.str('outcome', 200, { isNullable: true }),
      col.str('recorded_by', 100),
      col.at('recorded_at'),
    ], [
      { name: 'ix_verif_ledger_unit_at', columnNames: ['unit_code', 'occurred_at'] },
      { name: 'ix_verif_ledger_request', columnNames: ['request_id'] },
    ]);
    await createTable(qr, 'verification_templates', [
      col.id(),
      col.str('issuer_unit', 40),
      col.str('certificate', 200),
      col.str('requester_unit', 40, { default: "''" }),
      col.str('category', 12, { isNullable: true }),
      col.text('fields'),
      col.text('method'),
      col.text('request_letter'),
      col.text('reply_letter'),
      col.str('updated_by', 100),
      col.at('updated_at'),
    ], [{ name: 'uq_verif_template', columnNames: ['issuer_unit', 'certificate', 'requester_unit'], isUnique: true }]);
    await createTable(qr, 'idempotency_keys', [
      col.id(),
      col.str('scope', 100),
      col.str('idem_key', 100),
      col.str('request_hash', 64),
      col.int('status_code'),
      col.text('response'),
      col.at('created_at'),
    ], [{ name: 'uq_idempotency', columnNames: ['scope', 'idem_key'], isUnique: true }]);
    await createTable(qr, 'personal_data_reads', [
      col.id(),
      col.int('request_id'),
      col.str('reader', 100),
      col.str('reader_unit', 40, { isNullable: true }),
      col.str('via', 20),
      col.str('fields', 200),
      col.at('at'),
    ], [
      { name: 'ix_pd_reads_request', columnNames: ['request_id', 'at'] },
      { name: 'ix_pd_reads_reader', columnNames: ['reader', 'at'] },
    ]);
    await createTable(qr, 'verification_counters', [col.str('day', 8, { isPrimary: true }), col.int('last_seq')]);
    await createTable(qr, 'verification_prompts', [
      col.str('userid', 64, { isPrimary: true }),
      col.int('request_id'),
      col.str('kind', 20),
      col.str('arg', 20, { isNullable: true }),
      col.at('created_at'),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of [
      'verification_prompts',
      'verification_counters',
      'personal_data_reads',
      'idempotency_keys',
      'verification_templates',
      'verification_ledger_entries',
      'verification_recipients',
      'verification_events',
      'verification_requests',
      'staff',
      'units',
    ]) {
      await qr.dropTable(t, true);
    }
  }
}
