import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * The office's own vocabulary for the citizens' chat, over the built-in tables: an agency
 * alias (word -> unit name) or an exemption search synonym (word -> the list's wordings).
 */
@Entity('understanding_terms')
@Index('uq_understanding_terms_kind_word', ['kind', 'word'], { unique: true })
export class UnderstandingTerm {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 10 }) kind: 'alias' | 'synonym';
  @Column({ type: 'varchar', length: 50 }) word: string;
  /** JSON: a unit name (alias) or an array of wordings (synonym). */
  @Column({ type: 'text' }) value: string;
  @Column({ name: 'updated_by', type: 'varchar', length: 100 }) updatedBy: string;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
