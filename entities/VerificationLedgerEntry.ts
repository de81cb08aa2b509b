import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * supplementary: material asked from the applicant after a mismatch (Art. 8 台账);
 * onsite: the requesting unit verified on site itself (Art. 8);
 * voluntary: the applicant handed the material in anyway (Art. 9).
 */
export type LedgerKind = 'supplementary' | 'onsite' | 'voluntary';

/** The requesting unit's ledger of what happened after (or instead of) an answer. */
@Entity('verification_ledger_entries')
@Index('ix_verif_ledger_unit_at', ['unitCode', 'occurredAt'])
export class VerificationLedgerEntry {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('ix_verif_ledger_request')
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  /** The requesting unit that keeps the ledger. */
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  @Column({ type: 'varchar', length: 20 }) kind: LedgerKind;
  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 }) occurredAt: Date;
  /** What was asked for / checked on site / handed in. */
  @Column({ type: 'text' }) material: string;
  /** Why it was needed (Art. 8: limited to what the purpose needs). */
  @Column({ type: 'text', nullable: true }) purpose: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) outcome: string | null;
  /** Art. 8: the material the applicant supplies becomes the application material (every supplementary ask). */
  @Column({ name: 'application_material', type: 'boolean', default: false }) applicationMaterial: boolean;
  @Column({ name: 'recorded_by', type: 'varchar', length: 100 }) recordedBy: string;
  @Column({ name: 'recorded_at', type: 'datetime', precision: 3 }) recordedAt: Date;
}
