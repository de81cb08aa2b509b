import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

export type StageOutcome = 'sent' | 'skipped';

/**
 * Exactly once: a stage of a request (reminder, backup, warning, escalation1, order3:escalation2...)
 * fires when this row is inserted, in the same transaction as the outbox rows it causes.
 * A unique violation means another instance did it.
 */
@Entity('deadline_stage_claims')
@Index('uq_deadline_stage_claim', ['requestId', 'stage'], { unique: true })
export class DeadlineStageClaim {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  @Column({ type: 'varchar', length: 40 }) stage: string;
  @Column({ type: 'varchar', length: 12 }) outcome: StageOutcome;
  /** Why it was skipped, or a short note (e.g. "superseded", "acted", "no_deputy_b"). */
  @Column({ type: 'varchar', length: 100, nullable: true }) note: string | null;
  /** userids told (JSON array). */
  @Column({ type: 'text', nullable: true }) recipients: string | null;
  /** When the stage was planned for, and when the sweep fired it. */
  @Column({ name: 'planned_at', type: 'datetime', precision: 3 }) plannedAt: Date;
  @Column({ name: 'fired_at', type: 'datetime', precision: 3 }) firedAt: Date;
}
