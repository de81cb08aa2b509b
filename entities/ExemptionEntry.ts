import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';
import type { DeadlineCategory } from '../src/calendar';

/** 数据共享 / 告知承诺 / 部门核验 / 其他 (SPEC 2 Art. 3). */
export type ExemptionMethod = 'sharing' | 'commitment' | 'verification' | 'other';
export type ExemptionEntryStatus = 'active' | 'cancelled';

/**
 * One entry of the working list (the draft): approved adjustments change these rows at
 * once; publishing snapshots the active ones into a numbered version (Art. 5). The id is
 * stable across versions, so a verification request can name it.
 */
@Entity('exemption_entries')
@Index('ix_exemption_entries_status', ['status'])
export class ExemptionEntry {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'service_item', type: 'varchar', length: 200 }) serviceItem: string;
  @Column({ type: 'varchar', length: 200 }) certificate: string;
  @Column({ name: 'requester_unit', type: 'varchar', length: 40 }) requesterUnit: string;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40 }) issuerUnit: string;
  @Column({ type: 'varchar', length: 16 }) method: ExemptionMethod;
  @Column({ name: 'legal_basis', type: 'text' }) legalBasis: string;
  /** Category a verification request gets by default (SPEC 2 "Link"). */
  @Column({ name: 'default_category', type: 'varchar', length: 12, default: 'digital' }) defaultCategory: DeadlineCategory;
  @Column({ type: 'varchar', length: 12 }) status: ExemptionEntryStatus;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn({ type: 'integer' }) version: number;
}
