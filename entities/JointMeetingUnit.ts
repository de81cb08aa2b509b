import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** A member unit of one meeting: reminded, minutes sent, acknowledged, progress reported (SPEC 5). */
@Entity('joint_meeting_units')
@Index('uq_meeting_unit', ['meetingId', 'unitCode'], { unique: true })
export class JointMeetingUnit {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'meeting_id', type: 'integer' }) meetingId: number;
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  @Column({ name: 'reminded_at', type: 'datetime', precision: 3, nullable: true }) remindedAt: Date | null;
  @Column({ name: 'minutes_sent_at', type: 'datetime', precision: 3, nullable: true }) minutesSentAt: Date | null;
  @Column({ name: 'acknowledged_at', type: 'datetime', precision: 3, nullable: true }) acknowledgedAt: Date | null;
  @Column({ name: 'acknowledged_by', type: 'varchar', length: 100, nullable: true }) acknowledgedBy: string | null;
  @Column({ type: 'text', nullable: true }) progress: string | null;
  @Column({ name: 'progress_at', type: 'datetime', precision: 3, nullable: true }) progressAt: Date | null;
}
