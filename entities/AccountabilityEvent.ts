import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** The history of a case: opened, decided, appealed, appeal_decided, exempted, summons_requested... */
@Entity('accountability_events')
@Index('ix_acc_event_case', ['caseId', 'at'])
export class AccountabilityEvent {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'case_id', type: 'integer' }) caseId: number;
  @Column({ type: 'datetime', precision: 3 }) at: Date;
  @Column({ type: 'varchar', length: 30 }) type: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) actor: string | null;
  @Column({ type: 'text', nullable: true }) data: string | null;
}
