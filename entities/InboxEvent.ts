import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

export type InboxStatus = 'received' | 'done' | 'failed';

/** Every accepted WeCom callback, persisted before we answer 200 (nothing acknowledged is lost). */
@Entity('wecom_inbox')
export class InboxEvent {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** MsgId, or CreateTime+AgentID+FromUserName+Event+EventKey(+TaskId+ResponseCode) (WECOM.md §1). */
  @Index('uq_wecom_inbox_dedupe', { unique: true })
  @Column({ name: 'dedupe_key', type: 'varchar', length: 190 }) dedupeKey: string;
  @Column({ type: 'varchar', length: 40 }) kind: string;
  /** Decrypted message as parsed JSON. */
  @Column({ type: 'text' }) payload: string;
  @Index('ix_wecom_inbox_status')
  @Column({ type: 'varchar', length: 12 }) status: InboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ name: 'received_at', type: 'datetime', precision: 3 }) receivedAt: Date;
  @Column({ name: 'processed_at', type: 'datetime', precision: 3, nullable: true }) processedAt: Date | null;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
}
