import { Entity, PrimaryColumn, Column } from 'typeorm';

/** An office override of the State Council calendar for one date (SPEC "Working time"). */
@Entity('calendar_days')
export class CalendarDay {
  /** Local date YYYY-MM-DD in OFFICE_TZ. */
  @PrimaryColumn({ type: 'varchar', length: 10 }) date: string;
  @Column({ type: 'boolean' }) working: boolean;
  @Column({ type: 'varchar', length: 100, default: '' }) note: string;
  @Column({ name: 'updated_by', type: 'varchar', length: 64, default: '' }) updatedBy: string;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
