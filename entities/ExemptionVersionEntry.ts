import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import type { DeadlineCategory } from '../src/calendar';
import type { ExemptionMethod } from './ExemptionEntry';

/** One entry as published in one version (a snapshot, Art. 5); cancelled entries are absent. */
@Entity('exemption_version_entries')
@Index('uq_exemption_ve_version_entry', ['versionId', 'entryId'], { unique: true })
export class ExemptionVersionEntry {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'version_id', type: 'integer' }) versionId: number;
  @Column({ name: 'entry_id', type: 'integer' }) entryId: number;
  @Column({ name: 'service_item', type: 'varchar', length: 200 }) serviceItem: string;
  @Column({ type: 'varchar', length: 200 }) certificate: string;
  @Column({ name: 'requester_unit', type: 'varchar', length: 40 }) requesterUnit: string;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40 }) issuerUnit: string;
  @Column({ type: 'varchar', length: 16 }) method: ExemptionMethod;
  @Column({ name: 'legal_basis', type: 'text' }) legalBasis: string;
  @Column({ name: 'default_category', type: 'varchar', length: 12 }) defaultCategory: DeadlineCategory;
  /** Unit names as published: the version is a document, and search needs no join. */
  @Column({ name: 'requester_unit_name', type: 'varchar', length: 100 }) requesterUnitName: string;
  @Column({ name: 'issuer_unit_name', type: 'varchar', length: 100 }) issuerUnitName: string;
}
