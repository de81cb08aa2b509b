import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

export type AgendaStatus = 'approved' | 'proposed' | 'declined';

/** An agenda item a member proposed (联席会议制度 三(二)); meeting_id null = for the next meeting. */
@Entity('joint_meeting_agenda_items')
@Index('ix_meeting_agenda', ['meetingId', 'proposedAt'])
export class JointMeetingAgendaItem {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'meeting_id', type: 'integer', nullable: true }) meetingId: number | null;
  @Column({ name: 'unit_code', type: 'varchar', length: 40, nullable: true }) unitCode: string | null;
  @Column({ name: 'proposed_by', type: 'varchar', length: 100 }) proposedBy: string;
  @Column({ type: 'text' }) text: string;
  /** chat or api. */
  @Column({ type: 'varchar', length: 12 }) via: string;
  @Column({ name: 'proposed_at', type: 'datetime', precision: 3 }) proposedAt: Date;
  /** approved (added by a convenor, or approved by one), proposed (waiting), declined. */
  @Column({ type: 'varchar', length: 12, default: 'approved' }) status: AgendaStatus;
  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true }) decidedBy: string | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true }) decidedAt: Date | null;
}
