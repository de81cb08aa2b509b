import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/** Transport tables: callback inbox, outbox, token cache, send log, API keys. */
export class Foundation1764140000000 implements MigrationInterface {
  name = 'Foundation1764140000000';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'wecom_inbox', [
      col.id(),
      col.str('dedupe_key', 190),
      col.str('kind', 40),
      col.text('payload'),
      col.str('status', 12),
      col.int('attempts', { default: 0 }),
      col.at('received_at'),
      col.at('processed_at', { isNullable: true }),
      col.str('last_error', 500, { isNullable: true }),
    ], [
      { name: 'uq_wecom_inbox_dedupe', columnNames: ['dedupe_key'], isUnique: true },
      { name: 'ix_wecom_inbox_status', columnNames: ['status'] },
    ]);
    await createTable(qr, 'api_keys', [
      col.id(),
      col.str('name', 100),
      col.str('unit_code', 40, { isNullable: true }),
      col.str('key_hash', 64),
      col.at('created_at'),
      col.at('revoked_at', { isNullable: true }),
    ], [{ name: 'uq_api_keys_hash', columnNames: ['key_hash'], isUnique: true }]);
    await createTable(qr, 'outbox_messages', [
      col.id(),
      col.str('channel', 20),
      col.text('payload'),
      col.str('recipients', 1000, { default: "''" }),
      col.str('dedupe_key', 190, { isNullable: true }),
      col.str('ref_type', 40, { isNullable: true }),
      col.str('ref_id', 80, { isNullable: true }),
      col.str('status', 12),
      col.int('attempts', { default: 0 }),
      col.at('next_attempt_at'),
      col.str('claimed_by', 80, { isNullable: true }),
      col.at('claimed_until', { isNullable: true }),
      col.int('errcode', { isNullable: true }),
      col.str('last_error', 500, { isNullable: true }),
      col.str('msgid', 128, { isNullable: true }),
      col.str('response_code', 256, { isNullable: true }),
      col.text('response', { isNullable: true }),
      col.at('created_at'),
      col.at('sent_at', { isNullable: true }),
      col.int('version'),
    ], [
      { name: 'uq_outbox_dedupe', columnNames: ['dedupe_key'], isUnique: true },
      { name: 'ix_outbox_due', columnNames: ['status', 'next_attempt_at'] },
      { name: 'ix_outbox_ref', columnNames: ['ref_type', 'ref_id'] },
    ]);
    await createTable(qr, 'wecom_tokens', [
      col.str('cache_key', 80, { isPrimary: true }),
      col.str('access_token', 512, { isNullable: true }),
      col.at('expires_at', { isNullable: true }),
      col.at('lock_until', { isNullable: true }),
      col.str('locked_by', 80, { isNullable: true }),
      col.int('fatal_errcode', { isNullable: true }),
      col.at('updated_at'),
    ]);
    await createTable(qr, 'wecom_send_log', [
      col.id(),
      col.str('recipient', 190),
      col.at('sent_at'),
      col.int('outbox_id', { isNullable: true }),
    ], [{ name: 'ix_send_log_recipient_at', columnNames: ['recipient', 'sent_at'] }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['wecom_send_log', 'wecom_tokens', 'outbox_messages', 'api_keys', 'wecom_inbox']) await qr.dropTable(t, true);
  }
}
