import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * The audit trail (SPEC 1): every state change and every notable act on a request.
 * `type` is open-ended (created, notified, accepted, returned, answered, category_changed,
 * reminder_sent, backup_pinged, escalated, ordered_completion, ...); `data` holds JSON.
 */
@Entity('verification_events')
@Index('ix_verif_events_request', ['requestId', 'at'])
@Index('ix_verif_events_type_at', ['type', 'at'])
export class VerificationEvent {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  @Column({ type: 'datetime', precision: 3 }) at: Date;
  @Column({ type: 'varchar', length: 40 }) type: string;
  /** userid, "api:<key name>", or "system". */
  @Column({ type: 'varchar', length: 100, nullable: true }) actor: string | null;
  @Column({ name: 'from_status', type: 'varchar', length: 12, nullable: true }) fromStatus: string | null;
  @Column({ name: 'to_status', type: 'varchar', length: 12, nullable: true }) toStatus: string | null;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ type: 'text', nullable: true }) data: string | null;
}
