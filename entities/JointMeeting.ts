import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';

/** regular: the half-yearly 例会; liaison: the 联络员会议 held before it. */
export type MeetingKind = 'regular' | 'liaison';
export type MeetingStatus = 'scheduled' | 'minuted' | 'cancelled';

/** A joint meeting (SPEC 5, 联席会议制度 三). */
@Entity('joint_meetings')
@Index('ix_meeting_status_at', ['status', 'scheduledAt'])
export class JointMeeting {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 12 }) kind: MeetingKind;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ name: 'scheduled_at', type: 'datetime', precision: 3 }) scheduledAt: Date;
  @Column({ type: 'varchar', length: 200, nullable: true }) place: string | null;
  @Column({ type: 'varchar', length: 12 }) status: MeetingStatus;
  @Column({ type: 'text', nullable: true }) minutes: string | null;
  @Column({ name: 'minutes_sent_at', type: 'datetime', precision: 3, nullable: true }) minutesSentAt: Date | null;
  /** For a liaison meeting: the joint meeting it prepares (SPEC 5). */
  @Column({ name: 'prepares_id', type: 'integer', nullable: true }) preparesId: number | null;
  @Column({ name: 'created_by', type: 'varchar', length: 100 }) createdBy: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
