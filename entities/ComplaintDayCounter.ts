import { Entity, PrimaryColumn, Column } from 'typeorm';

/** Case numbers per office-local day (TS20261126-0003), unique across instances. */
@Entity('complaint_day_counters')
export class ComplaintDayCounter {
  /** YYYYMMDD in OFFICE_TZ. */
  @PrimaryColumn({ type: 'varchar', length: 8 }) day: string;
  @Column({ name: 'last_seq', type: 'integer' }) lastSeq: number;
}
