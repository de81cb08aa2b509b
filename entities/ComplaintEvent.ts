import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** Every transition and notable act on a complaint: who, when, from which state to which, why. */
@Entity('complaint_events')
export class ComplaintEvent {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('ix_complaint_events_complaint')
  @Column({ name: 'complaint_id', type: 'integer' }) complaintId: number;
  @Column({ type: 'datetime', precision: 3 }) at: Date;
  @Column({ type: 'varchar', length: 30 }) type: string;
  /** 'office:<key name>', 'wecom:<userid>', 'kf:<external_userid>', 'system'. */
  @Column({ type: 'varchar', length: 100 }) actor: string;
  @Column({ name: 'from_status', type: 'varchar', length: 12, nullable: true }) fromStatus: string | null;
  @Column({ name: 'to_status', type: 'varchar', length: 12, nullable: true }) toStatus: string | null;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  /** JSON with extra facts (ground, days, dueAt, duplicate number...). */
  @Column({ type: 'text', nullable: true }) details: string | null;
}
