import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';

/** pending: waiting for the office; granted / refused: decided; lapsed: the case moved on first. */
export type ComplaintExtensionStatus = 'pending' | 'granted' | 'refused' | 'lapsed';

/**
 * 投诉举报办法 Art. 10: the agency applies, before the deadline, for one extension of at
 * most 5 working days with a reason; the office (the supervisor) grants or refuses it.
 */
@Entity('complaint_extensions')
export class ComplaintExtension {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('ix_complaint_extensions_complaint')
  @Column({ name: 'complaint_id', type: 'integer' }) complaintId: number;
  /** The agency that applied (a reassigned case leaves its application behind). */
  @Column({ name: 'agency_code', type: 'varchar', length: 40 }) agencyCode: string;
  @Column({ type: 'integer' }) days: number;
  @Column({ type: 'text' }) reason: string;
  /** 'wecom:<userid>' or 'unit:<key name>'. */
  @Column({ name: 'requested_by', type: 'varchar', length: 100 }) requestedBy: string;
  @Column({ name: 'requested_at', type: 'datetime', precision: 3 }) requestedAt: Date;
  @Column({ name: 'previous_due_at', type: 'datetime', precision: 3 }) previousDueAt: Date;
  @Column({ type: 'varchar', length: 12 }) status: ComplaintExtensionStatus;
  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true }) decidedBy: string | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true }) decidedAt: Date | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ name: 'new_due_at', type: 'datetime', precision: 3, nullable: true }) newDueAt: Date | null;
  @VersionColumn({ type: 'integer' }) version: number;
}
