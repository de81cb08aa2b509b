import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** A published, numbered list (SPEC 2 Art. 5). Never changed after it is written. */
@Entity('exemption_versions')
export class ExemptionVersion {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('uq_exemption_versions_number', { unique: true })
  @Column({ type: 'integer' }) number: number;
  @Column({ name: 'published_at', type: 'datetime', precision: 3 }) publishedAt: Date;
  /** API key name or userid. */
  @Column({ name: 'published_by', type: 'varchar', length: 100 }) publishedBy: string;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ name: 'entry_count', type: 'integer' }) entryCount: number;
  /** Counts against the previous version. */
  @Column({ type: 'integer' }) added: number;
  @Column({ type: 'integer' }) changed: number;
  @Column({ type: 'integer' }) cancelled: number;
  /** sha256 of the snapshot's content: identifies the list independent of row ids. */
  @Column({ type: 'varchar', length: 64 }) digest: string;
}
