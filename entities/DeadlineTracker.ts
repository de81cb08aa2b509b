import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';

export type TrackerState = 'active' | 'done';

/**
 * The deadline clock of one verification request (SPEC 1 Art. 7, 10, 11): when it next
 * needs the scheduler. A sweep selects `next_stage_at <= now` through its index, so its
 * cost grows with the number of due requests, not with the size of the request table.
 */
@Entity('deadline_trackers')
@Index('ix_deadline_tracker_next', ['nextStageAt'])
export class DeadlineTracker {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('uq_deadline_tracker_request', { unique: true })
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  /** null: nothing left to fire (done, or escalated and waiting for the office). */
  @Column({ name: 'next_stage_at', type: 'datetime', precision: 3, nullable: true }) nextStageAt: Date | null;
  @Column({ type: 'varchar', length: 12 }) state: TrackerState;
  /** 0 none, 1 reported to the office, 2 an ordered completion time passed too. */
  @Column({ type: 'integer', default: 0 }) level: number;
  /** The office's latest 责成限时办结 order: its own reminders and escalation level 2. */
  @Column({ name: 'order_id', type: 'integer', nullable: true }) orderId: number | null;
  /** Consecutive failures of this item (a poison item is pushed back, never blocks the sweep). */
  @Column({ type: 'integer', default: 0 }) failures: number;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
