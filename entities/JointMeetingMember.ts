import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** general_convenor (总召集人) and convenor (召集人) are people; unit is a member unit. */
export type MemberRole = 'general_convenor' | 'convenor' | 'unit';

/**
 * A member of the joint meeting (SPEC 5): a convenor (a directory userid), or a member unit
 * with its meeting liaison (联络员) and the date that liaison took over.
 */
@Entity('joint_meeting_members')
export class JointMeetingMember {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 20 }) role: MemberRole;
  @Index('uq_meeting_member_unit', { unique: true })
  @Column({ name: 'unit_code', type: 'varchar', length: 40, nullable: true }) unitCode: string | null;
  @Index('uq_meeting_member_user', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true }) userid: string | null;
  @Column({ name: 'liaison_userid', type: 'varchar', length: 64, nullable: true }) liaisonUserid: string | null;
  @Column({ name: 'liaison_since', type: 'varchar', length: 10, nullable: true }) liaisonSince: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
