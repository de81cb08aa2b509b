import { Entity, PrimaryColumn, Column } from 'typeorm';

/** Small named values of the scheduler: discovery cursor, the office's stage settings, clocks. */
@Entity('scheduler_state')
export class SchedulerState {
  @PrimaryColumn({ type: 'varchar', length: 60 }) key: string;
  @Column({ type: 'text' }) value: string;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @Column({ name: 'updated_by', type: 'varchar', length: 100, nullable: true }) updatedBy: string | null;
}
