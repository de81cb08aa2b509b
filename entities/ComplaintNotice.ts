import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** pending: waits for the kf window (the citizen's next message); queued: in the outbox; sent: WeCom accepted it. */
export type ComplaintNoticeStatus = 'pending' | 'queued' | 'sent';

/**
 * A message for the complainant over WeChat Customer Service (投诉举报办法 Art. 10), kept
 * until the 48-hour / 5-message window (WECOM.md §6) lets it go out.
 */
@Entity('complaint_notices')
@Index('ix_complaint_notices_user', ['openKfId', 'externalUserId', 'status'])
export class ComplaintNotice {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Index('ix_complaint_notices_complaint')
  @Column({ name: 'complaint_id', type: 'integer' }) complaintId: number;
  /** 'result' (outcome of the case) or 'linked' (Art. 9 duplicate). */
  @Column({ type: 'varchar', length: 20 }) kind: string;
  @Column({ name: 'open_kfid', type: 'varchar', length: 64 }) openKfId: string;
  @Column({ name: 'external_userid', type: 'varchar', length: 64 }) externalUserId: string;
  /** kf/send_msg body without touser/open_kfid: {msgtype, text}. JSON. */
  @Column({ type: 'text' }) message: string;
  @Index('ix_complaint_notices_status')
  @Column({ type: 'varchar', length: 12 }) status: ComplaintNoticeStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  /** The WeCom errcode that sent it back to pending (95001, 95002, 95018). */
  @Column({ name: 'last_errcode', type: 'integer', nullable: true }) lastErrcode: number | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'queued_at', type: 'datetime', precision: 3, nullable: true }) queuedAt: Date | null;
  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true }) sentAt: Date | null;
}
