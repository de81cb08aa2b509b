import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** A change of a member unit's meeting liaison, filed with the office with its date (SPEC 5). */
@Entity('joint_meeting_liaison_changes')
@Index('ix_meeting_liaison_unit', ['unitCode', 'effectiveOn'])
export class JointMeetingLiaisonChange {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  @Column({ name: 'previous_userid', type: 'varchar', length: 64, nullable: true }) previousUserid: string | null;
  @Column({ name: 'liaison_userid', type: 'varchar', length: 64 }) liaisonUserid: string;
  /** YYYY-MM-DD, office date. */
  @Column({ name: 'effective_on', type: 'varchar', length: 10 }) effectiveOn: string;
  @Column({ name: 'filed_by', type: 'varchar', length: 100 }) filedBy: string;
  @Column({ name: 'filed_at', type: 'datetime', precision: 3 }) filedAt: Date;
}
