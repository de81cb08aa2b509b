import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** new: to be handled; done: handled once; ignored: nothing to do; recalled: withdrawn before handling; failed: gave up. */
export type KfInboundStatus = 'new' | 'done' | 'ignored' | 'recalled' | 'failed';

/** One msg_list item from kf/sync_msg, stored once per msgid (WeCom may deliver twice). */
@Entity('kf_inbound_messages')
@Index('ix_kf_inbound_conv', ['openKfId', 'externalUserId', 'status'])
export class KfInboundMessage {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('uq_kf_inbound_msgid', { unique: true })
  @Column({ type: 'varchar', length: 128 }) msgid: string;
  @Column({ name: 'open_kfid', type: 'varchar', length: 64 }) openKfId: string;
  /** '' for items that name no customer. */
  @Column({ name: 'external_userid', type: 'varchar', length: 64, default: '' }) externalUserId: string;
  @Column({ name: 'send_time', type: 'datetime', precision: 3 }) sendTime: Date;
  /** 3 customer, 4 system event, 5 servicer. */
  @Column({ type: 'integer' }) origin: number;
  @Column({ type: 'varchar', length: 30 }) msgtype: string;
  /** The item as WeCom sent it, JSON. */
  @Column({ type: 'text' }) payload: string;
  @Index('ix_kf_inbound_status')
  @Column({ type: 'varchar', length: 12 }) status: KfInboundStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ name: 'received_at', type: 'datetime', precision: 3 }) receivedAt: Date;
  @Column({ name: 'processed_at', type: 'datetime', precision: 3, nullable: true }) processedAt: Date | null;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
}
