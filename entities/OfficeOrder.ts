import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** 督办 (urge), 责成限时办结 (order completion by a time), 约谈 (ask the county government to summon). */
export type OfficeActionKind = 'urge' | 'order' | 'summons';

/** An office action on an escalated request (SPEC 1 Art. 11). */
@Entity('office_orders')
@Index('ix_office_order_request', ['requestId', 'createdAt'])
@Index('ix_office_order_escalation', ['escalationId'])
export class OfficeOrder {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'escalation_id', type: 'integer' }) escalationId: number;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  @Column({ type: 'varchar', length: 12 }) kind: OfficeActionKind;
  /** userid of the office member, or "api:<key name>". */
  @Column({ type: 'varchar', length: 100 }) actor: string;
  /** For an order: the new completion time, and the preset it came from (2h, today, next_day, 3d, custom). */
  @Column({ name: 'complete_by', type: 'datetime', precision: 3, nullable: true }) completeBy: Date | null;
  @Column({ type: 'varchar', length: 12, nullable: true }) preset: string | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
