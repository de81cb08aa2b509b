import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

export type CitizenRequestKind = 'handoff' | 'message' | 'dissatisfied' | 'agency_unmatched';

/**
 * The office's worklist of what citizens asked of a person: a hand-off (人工服务) and the
 * messages after it, a message or a dissatisfaction about a case, a complaint whose agency
 * the directory does not know. Open until someone marks it done.
 */
@Entity('citizen_requests')
@Index('idx_citizen_requests_status', ['status', 'id'])
export class CitizenRequest {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 20 }) kind: CitizenRequestKind;
  @Column({ type: 'varchar', length: 8 }) status: 'open' | 'done';
  @Column({ name: 'open_kfid', type: 'varchar', length: 64, nullable: true }) openKfId: string | null;
  @Column({ name: 'external_userid', type: 'varchar', length: 64, nullable: true }) externalUserId: string | null;
  @Column({ name: 'complaint_id', type: 'integer', nullable: true }) complaintId: number | null;
  @Column({ type: 'text' }) text: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'done_at', type: 'datetime', precision: 3, nullable: true }) doneAt: Date | null;
  @Column({ name: 'done_by', type: 'varchar', length: 100, nullable: true }) doneBy: string | null;
}
