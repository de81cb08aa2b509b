import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * One decision of a meeting's minutes (SPEC 5): the responsible unit, its due date and
 * the progress it reports; or, without consensus, the item submitted to the county
 * government and the outcome when it comes.
 */
@Entity('joint_meeting_decisions')
@Index('uq_meeting_decision', ['meetingId', 'seq'], { unique: true })
@Index('ix_meeting_decision_unit', ['unitCode', 'progressAt'])
export class JointMeetingDecision {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'meeting_id', type: 'integer' }) meetingId: number;
  @Column({ type: 'integer' }) seq: number;
  @Column({ type: 'text' }) text: string;
  @Column({ name: 'unit_code', type: 'varchar', length: 40, nullable: true }) unitCode: string | null;
  /** YYYY-MM-DD. */
  @Column({ name: 'due_date', type: 'varchar', length: 10, nullable: true }) dueDate: string | null;
  @Column({ type: 'boolean', default: true }) consensus: boolean;
  @Column({ type: 'text', nullable: true }) progress: string | null;
  @Column({ name: 'progress_at', type: 'datetime', precision: 3, nullable: true }) progressAt: Date | null;
  @Column({ name: 'progress_by', type: 'varchar', length: 100, nullable: true }) progressBy: string | null;
  @Column({ name: 'reminded_at', type: 'datetime', precision: 3, nullable: true }) remindedAt: Date | null;
  @Column({ name: 'county_submitted_at', type: 'datetime', precision: 3, nullable: true }) countySubmittedAt: Date | null;
  @Column({ name: 'county_outcome', type: 'text', nullable: true }) countyOutcome: string | null;
  @Column({ name: 'county_outcome_at', type: 'datetime', precision: 3, nullable: true }) countyOutcomeAt: Date | null;
}
