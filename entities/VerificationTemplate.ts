import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * The request letter 协查函 and reply letter 反馈函 for (issuing unit, certificate), optionally
 * narrowed to one requesting unit ('' = any) (SPEC 1 Art. 4).
 */
@Entity('verification_templates')
@Index('uq_verif_template', ['issuerUnit', 'certificate', 'requesterUnit'], { unique: true })
export class VerificationTemplate {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40 }) issuerUnit: string;
  @Column({ type: 'varchar', length: 200 }) certificate: string;
  @Column({ name: 'requester_unit', type: 'varchar', length: 40, default: '' }) requesterUnit: string;
  /** Default category when the request names none. */
  @Column({ type: 'varchar', length: 12, nullable: true }) category: string | null;
  /** JSON array of the fields the request letter asks for. */
  @Column({ type: 'text' }) fields: string;
  /** How the issuing unit verifies. */
  @Column({ type: 'text' }) method: string;
  @Column({ name: 'request_letter', type: 'text' }) requestLetter: string;
  @Column({ name: 'reply_letter', type: 'text' }) replyLetter: string;
  @Column({ name: 'updated_by', type: 'varchar', length: 100 }) updatedBy: string;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
