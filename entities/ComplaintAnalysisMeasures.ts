import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** 投诉举报办法 Art. 12: the measures the office proposes after analysing one period's complaints. */
@Entity('complaint_analysis_measures')
export class ComplaintAnalysisMeasures {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** YYYY-MM or YYYY. */
  @Index('uq_complaint_analysis_period', { unique: true })
  @Column({ type: 'varchar', length: 10 }) period: string;
  @Column({ type: 'text' }) measures: string;
  @Column({ name: 'updated_by', type: 'varchar', length: 100 }) updatedBy: string;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
