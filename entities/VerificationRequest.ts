import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';
import type { DeadlineCategory } from '../src/calendar';

/** `returning`: 退回 pressed, reason not yet given; still open, the deadline runs (CONTRACT.md). */
export type VerificationStatus = 'pending' | 'accepted' | 'returning' | 'answered' | 'returned' | 'cancelled';
/** 'system' = sent through nocert; the others record a request handled offline (Art. 3). */
export type VerificationChannel = 'system' | 'fax' | 'email' | 'oa';
export type VerificationResult = 'match' | 'mismatch';

/**
 * A verification request 协查 (SPEC 1). The only place the applicant's personal data is
 * stored (Art. 12). `version` makes the first click win (conditional update).
 */
@Entity('verification_requests')
@Index('ix_verif_status_due', ['status', 'dueAt'])
@Index('ix_verif_requester', ['requesterUnit', 'startedAt'])
@Index('ix_verif_issuer', ['issuerUnit', 'startedAt'])
@Index('ix_verif_assignee', ['assignee', 'status'])
export class VerificationRequest {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** HC20261126-0001: per office-local day. */
  @Index('uq_verif_number', { unique: true })
  @Column({ type: 'varchar', length: 20 }) number: string;
  @Column({ name: 'requester_unit', type: 'varchar', length: 40 }) requesterUnit: string;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40 }) issuerUnit: string;
  /** Staff of the requesting unit who asked (told the result); null = its liaisons. */
  @Column({ name: 'requested_by', type: 'varchar', length: 64, nullable: true }) requestedBy: string | null;
  /** Who created the record: API key name or userid. */
  @Column({ name: 'created_by', type: 'varchar', length: 100 }) createdBy: string;
  @Column({ name: 'service_item', type: 'varchar', length: 200 }) serviceItem: string;
  @Column({ type: 'varchar', length: 200 }) certificate: string;
  @Column({ name: 'list_entry_id', type: 'integer', nullable: true }) listEntryId: number | null;
  @Column({ name: 'template_id', type: 'integer', nullable: true }) templateId: number | null;
  @Column({ type: 'varchar', length: 12 }) category: DeadlineCategory;
  @Column({ type: 'varchar', length: 12 }) channel: VerificationChannel;
  @Column({ name: 'applicant_name', type: 'varchar', length: 64 }) applicantName: string;
  @Column({ name: 'applicant_id_number', type: 'varchar', length: 18 }) applicantIdNumber: string;
  @Column({ type: 'text' }) question: string;
  @Column({ type: 'varchar', length: 12 }) status: VerificationStatus;
  /** Start of the issuing unit's clock; deadlines always count from here (Art. 7). */
  @Column({ name: 'started_at', type: 'datetime', precision: 3 }) startedAt: Date;
  @Column({ name: 'due_at', type: 'datetime', precision: 3 }) dueAt: Date;
  /**
   * The deadline the on-time figures count against (Art. 13): moved by a reclassification
   * before the deadline, never by one after it (the office's late reclassification).
   */
  @Column({ name: 'original_due_at', type: 'datetime', precision: 3, nullable: true }) originalDueAt: Date | null;
  /** e.g. "digital:30_office_minutes" (src/calendar describeRule). */
  @Column({ name: 'deadline_rule', type: 'varchar', length: 60 }) deadlineRule: string;
  /** The requesting unit's own case clock started here; it pauses while the request is out. */
  @Column({ name: 'case_started_at', type: 'datetime', precision: 3, nullable: true }) caseStartedAt: Date | null;
  /** Owner: the userid that accepted (or returned) it. */
  @Column({ type: 'varchar', length: 64, nullable: true }) assignee: string | null;
  @Column({ name: 'accepted_at', type: 'datetime', precision: 3, nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'varchar', length: 12, nullable: true }) result: VerificationResult | null;
  @Column({ type: 'text', nullable: true }) reply: string | null;
  @Column({ name: 'answered_at', type: 'datetime', precision: 3, nullable: true }) answeredAt: Date | null;
  @Column({ name: 'return_reason', type: 'text', nullable: true }) returnReason: string | null;
  @Column({ name: 'returned_at', type: 'datetime', precision: 3, nullable: true }) returnedAt: Date | null;
  /** When the request stopped being out (answered, returned, cancelled): the case clock resumes. */
  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true }) closedAt: Date | null;
  /** Office minutes from startedAt to closedAt, stored at close. */
  @Column({ name: 'verification_minutes', type: 'integer', nullable: true }) verificationMinutes: number | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
