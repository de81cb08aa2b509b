import { Entity, PrimaryColumn, Column } from 'typeorm';

/** The last request number handed out on one office-local day (HC<day>-<last>). */
@Entity('verification_counters')
export class VerificationCounter {
  /** YYYYMMDD */
  @PrimaryColumn({ type: 'varchar', length: 8 }) day: string;
  @Column({ name: 'last_seq', type: 'integer' }) lastSeq: number;
}
