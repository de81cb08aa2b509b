import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** A comment from the public on the list (SPEC 2 Art. 12), kept for the office. */
@Entity('exemption_comments')
@Index('ix_exemption_comments_created', ['createdAt'])
export class ExemptionComment {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'entry_id', type: 'integer', nullable: true }) entryId: number | null;
  @Column({ type: 'text' }) content: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) name: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) contact: string | null;
  @Column({ type: 'varchar', length: 12 }) status: 'new' | 'read';
  @Column({ name: 'read_by', type: 'varchar', length: 100, nullable: true }) readBy: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
