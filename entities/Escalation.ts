import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import type { DeadlineCategory } from '../src/calendar';

/** pending: waits for the announcement job; sent: queued to the group; none: no group configured. */
export type GroupState = 'pending' | 'sent' | 'none';

/**
 * A missed deadline reported to the office (SPEC 1 Art. 10, 11): level 1 at the deadline,
 * level 2 when an ordered completion time (责成限时办结) passes too. No personal data here.
 */
@Entity('escalations')
@Index('uq_escalation_stage', ['requestId', 'stage'], { unique: true })
@Index('ix_escalation_group', ['groupState', 'id'])
@Index('ix_escalation_at', ['escalatedAt'])
export class Escalation {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  /** The stage that raised it: escalation1, or order<N>:escalation2. */
  @Column({ type: 'varchar', length: 40 }) stage: string;
  @Column({ type: 'integer' }) level: number;
  /** For level 2: the order whose time passed. */
  @Column({ name: 'order_id', type: 'integer', nullable: true }) orderId: number | null;
  @Column({ type: 'varchar', length: 20 }) number: string;
  @Column({ name: 'requester_unit', type: 'varchar', length: 40 }) requesterUnit: string;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40 }) issuerUnit: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) owner: string | null;
  @Column({ type: 'varchar', length: 12 }) category: DeadlineCategory;
  /** The deadline that was missed (the request's, or the order's). */
  @Column({ name: 'missed_due_at', type: 'datetime', precision: 3 }) missedDueAt: Date;
  @Column({ name: 'escalated_at', type: 'datetime', precision: 3 }) escalatedAt: Date;
  /** Office minutes late when escalated. */
  @Column({ name: 'late_minutes', type: 'integer' }) lateMinutes: number;
  @Column({ name: 'group_state', type: 'varchar', length: 12 }) groupState: GroupState;
  @Column({ name: 'group_channel', type: 'varchar', length: 12, nullable: true }) groupChannel: string | null;
  @Column({ name: 'group_outbox_id', type: 'integer', nullable: true }) groupOutboxId: number | null;
  @Column({ name: 'announced_at', type: 'datetime', precision: 3, nullable: true }) announcedAt: Date | null;
  /** Office members who got the action card (JSON array of userids). */
  @Column({ name: 'office_members', type: 'text', nullable: true }) officeMembers: string | null;
  /** When the office members' cards were closed (the request answered, or overtaken by a level 2). */
  @Column({ name: 'cards_closed_at', type: 'datetime', precision: 3, nullable: true }) cardsClosedAt: Date | null;
}
