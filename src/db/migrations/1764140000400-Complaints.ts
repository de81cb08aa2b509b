import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** Complaints (投诉举报办法) and the WeChat Customer Service conversation tables. */
export class Complaints1764140000400 implements MigrationInterface {
  name = 'Complaints1764140000400';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'complaints', [
      col.id(),
      col.str('number', 20),
      col.str('channel', 30),
      col.str('status', 12),
      col.str('ground', 40),
      col.str('agency_code', 40, { isNullable: true }),
      col.str('agency_name', 100),
      col.text('facts'),
      col.text('request'),
      col.str('complainant_name', 100),
      col.str('complainant_phone', 40),
      col.bool('is_proxy', { default: 0 }),
      col.str('principal_name', 100, { isNullable: true }),
      col.str('open_kfid', 64, { isNullable: true }),
      col.str('external_userid', 64, { isNullable: true }),
      col.str('source_key', 190, { isNullable: true }),
      col.bool('hotline', { default: 0 }),
      col.str('received_by', 100, { default: "''" }),
      col.at('received_at'),
      col.at('registered_at'),
      col.str('registered_by', 100),
      col.at('accepted_at', { isNullable: true }),
      col.at('due_at', { isNullable: true }),
      col.int('extension_days', { isNullable: true }),
      col.text('extension_reason', { isNullable: true }),
      col.str('closing_ground', 40, { isNullable: true }),
      col.text('closing_reason', { isNullable: true }),
      col.text('result', { isNullable: true }),
      col.at('closed_at', { isNullable: true }),
      col.bool('upheld', { isNullable: true, default: undefined }),
      col.str('accountable_person', 100, { isNullable: true }),
      col.int('duplicate_of', { isNullable: true }),
      col.bool('result_delivered', { default: 0 }),
      col.at('result_delivered_at', { isNullable: true }),
      col.str('awaiting_userid', 64, { isNullable: true }),
      col.str('awaiting_action', 60, { isNullable: true }),
      col.at('awaiting_since', { isNullable: true }),
      col.str('awaiting_code', 256, { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [
      { name: 'uq_complaints_number', columnNames: ['number'], isUnique: true },
      { name: 'uq_complaints_source', columnNames: ['source_key'], isUnique: true },
      { name: 'ix_complaints_status', columnNames: ['status'] },
      { name: 'ix_complaints_phone', columnNames: ['complainant_phone'] },
      { name: 'ix_complaints_duplicate', columnNames: ['duplicate_of'] },
      { name: 'ix_complaints_agency', columnNames: ['agency_code', 'received_at'] },
      { name: 'ix_complaints_received', columnNames: ['received_at'] },
      { name: 'ix_complaints_kf_user', columnNames: ['open_kfid', 'external_userid'] },
      { name: 'ix_complaints_awaiting', columnNames: ['awaiting_userid'] },
    ]);
    await createTable(qr, 'complaint_events', [
      col.id(),
      col.int('complaint_id'),
      col.at('at'),
      col.str('type', 30),
      col.str('actor', 100),
      col.str('from_status', 12, { isNullable: true }),
      col.str('to_status', 12, { isNullable: true }),
      col.text('reason', { isNullable: true }),
      col.text('details', { isNullable: true }),
    ], [{ name: 'ix_complaint_events_complaint', columnNames: ['complaint_id'] }]);
    await createTable(qr, 'complaint_notices', [
      col.id(),
      col.int('complaint_id'),
      col.str('kind', 20),
      col.str('open_kfid', 64),
      col.str('external_userid', 64),
      col.text('message'),
      col.str('status', 12),
      col.int('attempts', { default: 0 }),
      col.int('last_errcode', { isNullable: true }),
      col.at('created_at'),
      col.at('queued_at', { isNullable: true }),
      col.at('sent_at', { isNullable: true }),
    ], [
      { name: 'ix_complaint_notices_complaint', columnNames: ['complaint_id'] },
      { name: 'ix_complaint_notices_status', columnNames: ['status'] },
      { name: 'ix_complaint_notices_user', columnNames: ['open_kfid', 'external_userid', 'status'] },
    ]);
    await createTable(qr, 'complaint_day_counters', [
      col.str('day', 8, { isPrimary: true }),
      col.int('last_seq'),
    ]);
    await createTable(qr, 'kf_conversations', [
      col.id(),
      col.str('open_kfid', 64),
      col.str('external_userid', 64),
      col.text('state', { isNullable: true }),
      col.at('expires_at', { isNullable: true }),
      col.at('last_customer_at', { isNullable: true }),
      col.int('sent_since', { default: 0 }),
      col.str('claimed_by', 80, { isNullable: true }),
      col.at('claimed_until', { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [{ name: 'uq_kf_conversations_user', columnNames: ['open_kfid', 'external_userid'], isUnique: true }]);
    await createTable(qr, 'kf_sync_cursors', [
      col.str('open_kfid', 64, { isPrimary: true }),
      col.str('cursor', 128, { isNullable: true }),
      col.str('token', 256, { isNullable: true }),
      col.at('token_at', { isNullable: true }),
      col.int('requested', { default: 0 }),
      col.int('synced', { default: 0 }),
      col.str('claimed_by', 80, { isNullable: true }),
      col.at('claimed_until', { isNullable: true }),
      col.str('last_error', 500, { isNullable: true }),
      col.at('updated_at'),
    ]);
    await createTable(qr, 'kf_inbound_messages', [
      col.id(),
      col.str('msgid', 128),
      col.str('open_kfid', 64),
      col.str('external_userid', 64, { default: "''" }),
      col.at('send_time'),
      col.int('origin'),
      col.str('msgtype', 30),
      col.text('payload'),
      col.str('status', 12),
      col.int('attempts', { default: 0 }),
      col.at('received_at'),
      col.at('processed_at', { isNullable: true }),
      col.str('last_error', 500, { isNullable: true }),
    ], [
      { name: 'uq_kf_inbound_msgid', columnNames: ['msgid'], isUnique: true },
      { name: 'ix_kf_inbound_status', columnNames: ['status'] },
      { name: 'ix_kf_inbound_conv', columnNames: ['open_kfid', 'external_userid', 'status'] },
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['kf_inbound_messages', 'kf_sync_cursors', 'kf_conversations', 'complaint_day_counters', 'complaint_notices', 'complaint_events', 'complaints']) {
      await qr.dropTable(t, true);
    }
  }
}
