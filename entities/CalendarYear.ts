import { Entity, PrimaryColumn, Column } from 'typeorm';

/** A year the office entered by hand (holidays as CalendarDay overrides) before the package has it. */
@Entity('calendar_years')
export class CalendarYear {
  @PrimaryColumn({ type: 'integer' }) year: number;
  @Column({ name: 'updated_by', type: 'varchar', length: 64, default: '' }) updatedBy: string;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
