import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * Exactly once for time-driven jobs that are not about one request (weekly summary, meeting
 * reminders): the claim row is inserted in the transaction that queues the messages.
 */
@Entity('scheduler_claims')
export class SchedulerClaim {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('uq_scheduler_claim_key', { unique: true })
  @Column({ name: 'claim_key', type: 'varchar', length: 190 }) claimKey: string;
  @Column({ type: 'varchar', length: 40 }) job: string;
  @Column({ type: 'datetime', precision: 3 }) at: Date;
  @Column({ type: 'text', nullable: true }) detail: string | null;
}
