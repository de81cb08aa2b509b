import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';
import type { DeadlineCategory } from '../src/calendar';
import type { ExemptionMethod } from './ExemptionEntry';

export type AdjustmentKind = 'add' | 'change' | 'cancel';
/**
 * draft: a cause is recorded, the application is not in yet (reminded before the limit);
 * pending: awaiting review; returned: sent back for changes; approved / rejected;
 * withdrawn by the unit.
 */
export type ApplicationStatus = 'draft' | 'pending' | 'returned' | 'approved' | 'rejected' | 'withdrawn';

/**
 * An adjustment application (SPEC 2 Art. 6-11). Holds the fields of Art. 9. `pendingKey`
 * is set while the application is open (pending/returned) and unique, so two open
 * applications on one entry (or two adds of one item) cannot both exist.
 */
@Entity('exemption_applications')
@Index('ix_exemption_apps_status', ['status', 'remindAt'])
@Index('ix_exemption_apps_unit', ['unitCode', 'createdAt'])
@Index('ix_exemption_apps_entry', ['entryId'])
export class ExemptionApplication {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  /** 'office' when the office starts the adjustment itself (Art. 11). */
  @Column({ type: 'varchar', length: 10 }) initiator: 'unit' | 'office';
  @Column({ type: 'varchar', length: 10, nullable: true }) kind: AdjustmentKind | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) reason: string | null;
  @Column({ name: 'entry_id', type: 'integer', nullable: true }) entryId: number | null;
  @Column({ name: 'service_item', type: 'varchar', length: 200, nullable: true }) serviceItem: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) certificate: string | null;
  @Column({ name: 'requester_unit', type: 'varchar', length: 40, nullable: true }) requesterUnit: string | null;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40, nullable: true }) issuerUnit: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) method: ExemptionMethod | null;
  @Column({ name: 'legal_basis', type: 'text', nullable: true }) legalBasis: string | null;
  @Column({ name: 'default_category', type: 'varchar', length: 12, nullable: true }) defaultCategory: DeadlineCategory | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
  /** Office-local YYYY-MM-DD the cause arose (Art. 9). */
  @Column({ name: 'cause_date', type: 'varchar', length: 10 }) causeDate: string;
  /** End of the 7th working day after the cause (Art. 9). */
  @Column({ name: 'due_at', type: 'datetime', precision: 3 }) dueAt: Date;
  @Column({ name: 'remind_at', type: 'datetime', precision: 3, nullable: true }) remindAt: Date | null;
  @Column({ name: 'reminded_at', type: 'datetime', precision: 3, nullable: true }) remindedAt: Date | null;
  @Column({ type: 'boolean', default: false }) late: boolean;
  @Column({ type: 'varchar', length: 12 }) status: ApplicationStatus;
  @Index('uq_exemption_apps_pending', { unique: true })
  @Column({ name: 'pending_key', type: 'varchar', length: 190, nullable: true }) pendingKey: string | null;
  @Column({ name: 'submitted_at', type: 'datetime', precision: 3, nullable: true }) submittedAt: Date | null;
  @Column({ name: 'submitted_by', type: 'varchar', length: 100, nullable: true }) submittedBy: string | null;
  @Column({ name: 'reviewed_at', type: 'datetime', precision: 3, nullable: true }) reviewedAt: Date | null;
  @Column({ name: 'reviewed_by', type: 'varchar', length: 100, nullable: true }) reviewedBy: string | null;
  @Column({ name: 'review_comment', type: 'text', nullable: true }) reviewComment: string | null;
  /** Submissions so far (1 = first review round; a resubmission after a return adds one). */
  @Column({ type: 'integer', default: 0 }) round: number;
  /** JSON of the fields as sent in the previous round, for "what changed" on the review card. */
  @Column({ name: 'previous_submission', type: 'text', nullable: true }) previousSubmission: string | null;
  /** Number of the version that first published this change. */
  @Column({ name: 'published_version', type: 'integer', nullable: true }) publishedVersion: number | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
