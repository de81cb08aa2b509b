import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/**
 * One row per (recipient, delivery) we made, shared by all instances, so pacing stays
 * under WeCom's silent per-member caps (30/min, 1000/h) and the robot's 20/min.
 */
@Entity('wecom_send_log')
@Index('ix_send_log_recipient_at', ['recipient', 'sentAt'])
export class SendLog {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** 'user:<userid>', 'chat:<chatid>', 'robot:<key hash>', 'kf:<external_userid>'. */
  @Column({ type: 'varchar', length: 190 }) recipient: string;
  @Column({ name: 'sent_at', type: 'datetime', precision: 3 }) sentAt: Date;
  @Column({ name: 'outbox_id', type: 'integer', nullable: true }) outboxId: number | null;
}
