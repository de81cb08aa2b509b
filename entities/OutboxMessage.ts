import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';

export type OutboxChannel = 'message' | 'update_card' | 'appchat' | 'robot' | 'kf' | 'kf_event';
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * One outgoing WeCom call, written in the same transaction as the state change that
 * caused it. The dispatcher claims, sends, and records the answer.
 */
@Entity('outbox_messages')
@Index('ix_outbox_due', ['status', 'nextAttemptAt'])
@Index('ix_outbox_ref', ['refType', 'refId'])
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 20 }) channel: OutboxChannel;
  /** The API body without access_token / agentid (filled at send time), as JSON. */
  @Column({ type: 'text' }) payload: string;
  /** Member userids (or chatid / robot key / external_userid) for pacing, '|'-joined. */
  @Column({ type: 'varchar', length: 1000, default: '' }) recipients: string;
  /** Optional idempotency key: enqueueing the same key twice stores one row. */
  @Index('uq_outbox_dedupe', { unique: true })
  @Column({ name: 'dedupe_key', type: 'varchar', length: 190, nullable: true }) dedupeKey: string | null;
  @Column({ name: 'ref_type', type: 'varchar', length: 40, nullable: true }) refType: string | null;
  @Column({ name: 'ref_id', type: 'varchar', length: 80, nullable: true }) refId: string | null;
  @Column({ type: 'varchar', length: 12 }) status: OutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 }) nextAttemptAt: Date;
  @Column({ name: 'claimed_by', type: 'varchar', length: 80, nullable: true }) claimedBy: string | null;
  @Column({ name: 'claimed_until', type: 'datetime', precision: 3, nullable: true }) claimedUntil: Date | null;
  @Column({ type: 'integer', nullable: true }) errcode: number | null;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) msgid: string | null;
  @Column({ name: 'response_code', type: 'varchar', length: 256, nullable: true }) responseCode: string | null;
  /** Raw WeCom answer (invaliduser etc.), JSON. */
  @Column({ type: 'text', nullable: true }) response: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true }) sentAt: Date | null;
  @VersionColumn({ type: 'integer' }) version: number;
}
