import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';

/** 投诉举报办法 Art. 7-11: the case's states; CONTRACT.md names them. */
export type ComplaintStatus = 'registered' | 'accepted' | 'rejected' | 'extended' | 'resolved' | 'terminated';

/**
 * One complaint or report (投诉举报办法). Registered at once with time, content and the
 * agency complained about (Art. 7); a duplicate (Art. 9) points at the first case, which
 * keeps the handling.
 */
@Entity('complaints')
@Index('ix_complaints_agency', ['agencyCode', 'receivedAt'])
@Index('ix_complaints_received', ['receivedAt'])
@Index('ix_complaints_kf_user', ['openKfId', 'externalUserId'])
@Index('ix_complaints_citizen', ['externalUserId'])
export class Complaint {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** TS + office-local date + per-day sequence, e.g. TS20261126-0003. */
  @Index('uq_complaints_number', { unique: true })
  @Column({ type: 'varchar', length: 20 }) number: string;
  /** Art. 5 channel: kf, hotline_12345, letter, fax, sms, email, online, window, ministry_platform, enforcement_supervision. */
  @Column({ type: 'varchar', length: 30 }) channel: string;
  @Index('ix_complaints_status')
  @Column({ type: 'varchar', length: 12 }) status: ComplaintStatus;
  /** Art. 4 ground code. */
  @Column({ type: 'varchar', length: 40 }) ground: string;
  /** Directory code of the agency complained about; null while unmatched (office assigns). */
  @Column({ name: 'agency_code', type: 'varchar', length: 40, nullable: true }) agencyCode: string | null;
  @Column({ name: 'agency_name', type: 'varchar', length: 100 }) agencyName: string;
  @Column({ type: 'text' }) facts: string;
  /** What the complainant asks for (Art. 5). */
  @Column({ type: 'text' }) request: string;
  @Column({ name: 'complainant_name', type: 'varchar', length: 100 }) complainantName: string;
  @Index('ix_complaints_phone')
  @Column({ name: 'complainant_phone', type: 'varchar', length: 40 }) complainantPhone: string;
  /** Art. 6: filed by a proxy for the principal. */
  @Column({ name: 'is_proxy', type: 'boolean', default: false }) isProxy: boolean;
  @Column({ name: 'principal_name', type: 'varchar', length: 100, nullable: true }) principalName: string | null;
  /** Art. 5 "what is asked": the certificate demanded or refused, as the citizen named it. */
  @Column({ type: 'varchar', length: 100, nullable: true }) certificate: string | null;
  @Column({ name: 'principal_phone', type: 'varchar', length: 40, nullable: true }) principalPhone: string | null;
  @Column({ name: 'principal_relationship', type: 'varchar', length: 20, nullable: true }) principalRelationship: string | null;
  /** WeChat Customer Service identity when filed in chat (the status query answers only this citizen). */
  @Column({ name: 'open_kfid', type: 'varchar', length: 64, nullable: true }) openKfId: string | null;
  @Column({ name: 'external_userid', type: 'varchar', length: 64, nullable: true }) externalUserId: string | null;
  /** Idempotency: kf draft id, or the API's Idempotency-Key. */
  @Index('uq_complaints_source', { unique: true })
  @Column({ name: 'source_key', type: 'varchar', length: 190, nullable: true }) sourceKey: string | null;
  /** Art. 13: counts in the 12345 hotline assessment. */
  @Column({ type: 'boolean', default: false }) hotline: boolean;
  /** Who received it (Art. 3 receivers: 12345 centre, window, justice bureau, an agency). */
  @Column({ name: 'received_by', type: 'varchar', length: 100, default: '' }) receivedBy: string;
  @Column({ name: 'received_at', type: 'datetime', precision: 3 }) receivedAt: Date;
  @Column({ name: 'registered_at', type: 'datetime', precision: 3 }) registeredAt: Date;
  @Column({ name: 'registered_by', type: 'varchar', length: 100 }) registeredBy: string;
  @Column({ name: 'accepted_at', type: 'datetime', precision: 3, nullable: true }) acceptedAt: Date | null;
  /** Art. 10: end of the 5th working day after acceptance, moved once by an extension. */
  @Column({ name: 'due_at', type: 'datetime', precision: 3, nullable: true }) dueAt: Date | null;
  @Column({ name: 'extension_days', type: 'integer', nullable: true }) extensionDays: number | null;
  @Column({ name: 'extension_reason', type: 'text', nullable: true }) extensionReason: string | null;
  /** Art. 8 ground when rejected, Art. 11 ground when terminated. */
  @Column({ name: 'closing_ground', type: 'varchar', length: 40, nullable: true }) closingGround: string | null;
  @Column({ name: 'closing_reason', type: 'text', nullable: true }) closingReason: string | null;
  @Column({ type: 'text', nullable: true }) result: string | null;
  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true }) closedAt: Date | null;
  /**
   * SPEC section 4: an upheld complaint is an accountability case for the agency and, when
   * named, the person responsible. null until the office or the result says so.
   */
  @Column({ type: 'boolean', nullable: true }) upheld: boolean | null;
  @Column({ name: 'accountable_person', type: 'varchar', length: 100, nullable: true }) accountablePerson: string | null;
  /** Art. 9: the first case of the same complaint; that case keeps the handling. */
  @Index('ix_complaints_duplicate')
  @Column({ name: 'duplicate_of', type: 'integer', nullable: true }) duplicateOf: number | null;
  /** Art. 10: the outcome reached the complainant (kf send confirmed, or recorded by the office). */
  @Column({ name: 'result_delivered', type: 'boolean', default: false }) resultDelivered: boolean;
  @Column({ name: 'result_delivered_at', type: 'datetime', precision: 3, nullable: true }) resultDeliveredAt: Date | null;
  /** Times the office reopened the case (oversight); each reopening starts a new handling period. */
  @Column({ name: 'reopen_count', type: 'integer', default: 0 }) reopenCount: number;
  @Column({ name: 'reopened_at', type: 'datetime', precision: 3, nullable: true }) reopenedAt: Date | null;
  /** Times the office moved the case from one agency to another: each new agency gets its own card. */
  @Column({ name: 'reassign_count', type: 'integer', default: 0 }) reassignCount: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
