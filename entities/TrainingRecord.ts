import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * One training a staff member attended (SPEC 1 Art. 6: the office keeps training records).
 * `staff.trained_on` stays the date of the latest one, for the directory's list.
 */
@Entity('training_records')
@Index('ix_training_user', ['userid', 'trainedOn'])
export class TrainingRecord {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 64 }) userid: string;
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  /** Office-local YYYY-MM-DD. */
  @Column({ name: 'trained_on', type: 'varchar', length: 10 }) trainedOn: string;
  /** What the training was (e.g. 协查系统操作培训); empty for a date carried over from the directory. */
  @Column({ type: 'varchar', length: 100 }) course: string;
  @Column({ name: 'recorded_by', type: 'varchar', length: 100 }) recordedBy: string;
  @Column({ name: 'recorded_at', type: 'datetime', precision: 3 }) recordedAt: Date;
}
