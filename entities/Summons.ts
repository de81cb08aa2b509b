import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** approved: the county government holds the summons; declined: it does not. */
export type SummonsDecision = 'approved' | 'declined';

/**
 * 约谈 (SPEC 1 Art. 11): the office asks the county government to summon those responsible
 * for a late answer that had a bad effect; later the government's decision and the date held.
 */
@Entity('summonses')
@Index('ix_summons_unit', ['unitCode', 'requestedAt'])
@Index('ix_summons_request', ['requestId'])
export class Summons {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  @Column({ name: 'escalation_id', type: 'integer', nullable: true }) escalationId: number | null;
  @Column({ type: 'varchar', length: 20 }) number: string;
  /** The unit whose people are summoned (the issuing unit of the request). */
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  /** Who is summoned: a person of the directory (null when the unit's head, not on the staff). */
  @Column({ name: 'person_userid', type: 'varchar', length: 64, nullable: true }) personUserid: string | null;
  @Column({ name: 'person_name', type: 'varchar', length: 64 }) personName: string;
  /** The bad effect of the late answer, as the office describes it. */
  @Column({ type: 'text' }) effect: string;
  /** The office's request to the county government. */
  @Column({ name: 'office_request', type: 'text' }) officeRequest: string;
  /** userid of the office member, or "api:<key name>". */
  @Column({ name: 'requested_by', type: 'varchar', length: 100 }) requestedBy: string;
  @Column({ name: 'requested_at', type: 'datetime', precision: 3 }) requestedAt: Date;
  @Column({ type: 'varchar', length: 12, nullable: true }) decision: SummonsDecision | null;
  @Column({ name: 'decision_note', type: 'text', nullable: true }) decisionNote: string | null;
  /** The date the summons was held (office-local YYYY-MM-DD). */
  @Column({ name: 'held_on', type: 'varchar', length: 10, nullable: true }) heldOn: string | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true }) decidedAt: Date | null;
  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true }) decidedBy: string | null;
}
