import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import type { AbRole } from './Staff';

/** Why a person got the card: first routing, or later (backup ping, escalation). */
export type RecipientReason = 'initial' | 'backup' | 'escalation';

/**
 * One person's card for one request (SPEC 1 Art. 7, CONTRACT "What people see"). Each
 * recipient has a card of their own (task_id), so its response_code updates that card only.
 */
@Entity('verification_recipients')
@Index('uq_verif_recipient', ['requestId', 'userid'], { unique: true })
export class VerificationRecipient {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  @Index('ix_verif_recipient_user')
  @Column({ type: 'varchar', length: 64 }) userid: string;
  @Column({ type: 'varchar', length: 12 }) role: string;
  @Column({ type: 'varchar', length: 1, nullable: true }) ab: AbRole | null;
  @Column({ type: 'varchar', length: 20 }) reason: RecipientReason;
  /** When the card was queued for this person. */
  @Column({ name: 'notified_at', type: 'datetime', precision: 3 }) notifiedAt: Date;
  /**
   * task_id of the card; its outbox row (ref verification_card / task_id) holds the
   * response_code that updates the card once, within 72 h.
   */
  @Column({ name: 'task_id', type: 'varchar', length: 128 }) taskId: string;
  @Column({ name: 'card_seq', type: 'integer', default: 0 }) cardSeq: number;
  /** Outbox row of the card when known at insert; the row is also found by ref (verification_card, task_id). */
  @Column({ name: 'card_outbox_id', type: 'integer', nullable: true }) cardOutboxId: number | null;
  @Column({ name: 'code_used', type: 'boolean', default: false }) codeUsed: boolean;
  /** When the card stopped being actionable, and what it shows now. */
  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true }) closedAt: Date | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) outcome: string | null;
}
