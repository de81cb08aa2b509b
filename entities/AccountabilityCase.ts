import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';

/** Art. 4 (1)-(6), the grounds the office opens a case on (CONTRACT.md). */
export type Art4Ground = 'unauthorised_certificate' | 'unauthorised_change' | 'verification_late' | 'falsification' | 'commitment_unchecked' | 'other_serious';
/** Grounds the system records from its own deadlines; complaints add `complaint_upheld`. */
export type SystemGround = 'verification_overdue' | 'order_overdue' | 'complaint_upheld' | 'other';
export type CaseGround = SystemGround | Art4Ground;
/** Art. 2: staff, and borrowed, hired or seconded staff (借用、聘用、挂职). */
export type Employment = 'staff' | 'borrowed' | 'hired' | 'seconded';
/** open -> decided (Art. 5) | exempted (Art. 8) | revoked (appeal, Art. 6). */
export type CaseStatus = 'open' | 'decided' | 'exempted' | 'revoked';
/** Art. 5 (一)-(四). */
export type CaseOutcome = 'rectify' | 'written_review' | 'circulated_criticism' | 'disciplinary';
/** Art. 8 (一)-(五). */
export type ExemptionGround = 'reform_direction' | 'no_prohibition_breached' | 'due_decision' | 'harm_remedied' | 'other_lawful';
export type AppealState = 'pending' | 'upheld' | 'revised' | 'revoked';
/** Art. 5: the body with accountability functions that decided. */
export type DecidingBody = 'discipline_inspection' | 'organisation_personnel' | 'supervising_unit' | 'own_unit';
/** Art. 7-11: applied -> approved (filed, 免责备案) | rejected. */
export type ExemptionState = 'applied' | 'approved' | 'rejected';

/**
 * Accountability evidence (SPEC 4): a missed deadline (or upheld complaint) against a unit
 * and a person, with its facts, and what the office recorded: outcome, appeal, exemption.
 * An exempted or revoked case does not count in appraisal figures (Art. 11).
 */
@Entity('accountability_cases')
@Index('ix_acc_case_unit', ['unitCode', 'occurredAt'])
@Index('ix_acc_case_person', ['personUserid', 'occurredAt'])
@Index('ix_acc_case_status', ['status', 'occurredAt'])
@Index('ix_acc_case_request', ['requestId'])
export class AccountabilityCase {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** What raised it, once: "verif:12:deadline", "verif:12:order:3", "complaint:7". */
  @Index('uq_acc_case_source', { unique: true })
  @Column({ name: 'source_key', type: 'varchar', length: 100 }) sourceKey: string;
  @Column({ type: 'varchar', length: 24 }) ground: CaseGround;
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  @Column({ name: 'person_userid', type: 'varchar', length: 64, nullable: true }) personUserid: string | null;
  /** owner (accepted it) or liaison (nobody accepted: the accountable person, Art. 6). */
  @Column({ name: 'person_role', type: 'varchar', length: 12, nullable: true }) personRole: string | null;
  @Column({ name: 'request_id', type: 'integer', nullable: true }) requestId: number | null;
  /** The person's employment (Art. 2), when the office named it. */
  @Column({ type: 'varchar', length: 12, nullable: true }) employment: Employment | null;
  /** The facts, JSON: number, units, category, deadline, how late, escalation, order... */
  @Column({ type: 'text' }) facts: string;
  /** When the deadline was missed. */
  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 }) occurredAt: Date;
  @Column({ type: 'varchar', length: 12 }) status: CaseStatus;
  @Column({ type: 'varchar', length: 24, nullable: true }) outcome: CaseOutcome | null;
  @Column({ name: 'outcome_note', type: 'text', nullable: true }) outcomeNote: string | null;
  /** For `rectify`: the date set (YYYY-MM-DD). */
  @Column({ name: 'rectify_by', type: 'varchar', length: 10, nullable: true }) rectifyBy: string | null;
  /** The body that decided (纪检监察机关, 组织人事部门, 主管单位...), as recorded by the office. */
  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true }) decidedBy: string | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true }) decidedAt: Date | null;
  @Column({ name: 'appeal_state', type: 'varchar', length: 12, nullable: true }) appealState: AppealState | null;
  @Column({ name: 'appeal_reason', type: 'text', nullable: true }) appealReason: string | null;
  @Column({ name: 'appealed_at', type: 'datetime', precision: 3, nullable: true }) appealedAt: Date | null;
  @Column({ name: 'appeal_decided_at', type: 'datetime', precision: 3, nullable: true }) appealDecidedAt: Date | null;
  @Column({ name: 'exemption_ground', type: 'varchar', length: 24, nullable: true }) exemptionGround: ExemptionGround | null;
  @Column({ name: 'exemption_note', type: 'text', nullable: true }) exemptionNote: string | null;
  @Column({ name: 'exempted_at', type: 'datetime', precision: 3, nullable: true }) exemptedAt: Date | null;
  @Column({ name: 'deciding_body', type: 'varchar', length: 24, nullable: true }) decidingBody: DecidingBody | null;
  /** Who filed the appeal (Art. 6): `unit:CODE` (its key) or the person's userid. */
  @Column({ name: 'appeal_by', type: 'varchar', length: 100, nullable: true }) appealBy: string | null;
  @Column({ name: 'exemption_state', type: 'varchar', length: 12, nullable: true }) exemptionState: ExemptionState | null;
  /** Who applied for the exemption (Art. 7): `unit:CODE` or the person's userid. */
  @Column({ name: 'exemption_applied_by', type: 'varchar', length: 100, nullable: true }) exemptionAppliedBy: string | null;
  @Column({ name: 'exemption_applied_at', type: 'datetime', precision: 3, nullable: true }) exemptionAppliedAt: Date | null;
  /** Art. 10: what the accountability body found. */
  @Column({ name: 'exemption_investigation', type: 'text', nullable: true }) exemptionInvestigation: string | null;
  /** Art. 10: the approving authority (party committee, supervising or deciding body). */
  @Column({ name: 'exemption_approver', type: 'varchar', length: 100, nullable: true }) exemptionApprover: string | null;
  /** Art. 11: filed (免责备案) when approved. */
  @Column({ name: 'exemption_filed_at', type: 'datetime', precision: 3, nullable: true }) exemptionFiledAt: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
