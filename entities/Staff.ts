import { Entity, PrimaryColumn, Column, Index } from 'typeorm';

/** liaison 联络员, deputy 代办员 (A/B), member: other staff (e.g. office members). */
export type StaffRole = 'liaison' | 'deputy' | 'member';
export type AbRole = 'A' | 'B';

/** One person of the directory the office keeps (SPEC 1 Art. 6), keyed by WeCom userid. */
@Entity('staff')
export class Staff {
  @PrimaryColumn({ type: 'varchar', length: 64 }) userid: string;
  @Index('ix_staff_unit')
  @Column({ name: 'unit_code', type: 'varchar', length: 40 }) unitCode: string;
  @Column({ type: 'varchar', length: 64 }) name: string;
  @Column({ type: 'varchar', length: 12 }) role: StaffRole;
  @Column({ type: 'varchar', length: 1, nullable: true }) ab: AbRole | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) mobile: string | null;
  @Column({ type: 'boolean', default: false }) away: boolean;
  /** Last day away (office-local YYYY-MM-DD, inclusive); null = until cleared. */
  @Column({ name: 'away_until', type: 'varchar', length: 10, nullable: true }) awayUntil: string | null;
  /** Last training (Art. 6: the office keeps training records), YYYY-MM-DD. */
  @Column({ name: 'trained_on', type: 'varchar', length: 10, nullable: true }) trainedOn: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
