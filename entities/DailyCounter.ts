import { Entity, PrimaryColumn, Column } from 'typeorm';

/** The last number handed out in one series on one office-local day (HC20261126-0001, TS20261126-0003). */
@Entity('daily_counters')
export class DailyCounter {
  /** The number's prefix: HC (verification requests), TS (complaints). */
  @PrimaryColumn({ type: 'varchar', length: 8 }) series: string;
  /** YYYYMMDD in OFFICE_TZ. */
  @PrimaryColumn({ type: 'varchar', length: 8 }) day: string;
  @Column({ name: 'last_seq', type: 'integer' }) lastSeq: number;
}
