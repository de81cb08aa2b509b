import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';

/**
 * One citizen talking to one WeChat Customer Service account: the conversation state of
 * src/complaints/flow.ts with its expiry, and the send window of WECOM.md §6 (48 h after
 * the customer's last message, at most 5 messages).
 */
@Entity('kf_conversations')
@Index('uq_kf_conversations_user', ['openKfId', 'externalUserId'], { unique: true })
export class KfConversation {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'open_kfid', type: 'varchar', length: 64 }) openKfId: string;
  @Column({ name: 'external_userid', type: 'varchar', length: 64 }) externalUserId: string;
  /** flow.ts ConversationState as JSON; null before the first step or after expiry. */
  @Column({ type: 'text', nullable: true }) state: string | null;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true }) expiresAt: Date | null;
  @Column({ name: 'last_customer_at', type: 'datetime', precision: 3, nullable: true }) lastCustomerAt: Date | null;
  /** Messages sent to the citizen since their last message (cap 5). */
  @Column({ name: 'sent_since', type: 'integer', default: 0 }) sentSince: number;
  /** One processor at a time per conversation, across instances. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 80, nullable: true }) claimedBy: string | null;
  @Column({ name: 'claimed_until', type: 'datetime', precision: 3, nullable: true }) claimedUntil: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
