import { Entity, PrimaryColumn, Column } from 'typeorm';

/**
 * A unit (department) that asks for or answers verifications (SPEC 1 Art. 6). The office
 * (联席会议办公室) is a unit flagged isOffice: its staff read everything.
 */
@Entity('units')
export class Unit {
  @PrimaryColumn({ type: 'varchar', length: 40 }) code: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ name: 'is_office', type: 'boolean', default: false }) isOffice: boolean;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
