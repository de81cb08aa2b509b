import { Entity, PrimaryColumn, Column } from 'typeorm';

/**
 * kf/sync_msg position per WeChat Customer Service account (WECOM.md §6). A callback only
 * bumps `requested`; the worker syncs while `requested > synced`, one instance at a time.
 */
@Entity('kf_sync_cursors')
export class KfSyncCursor {
  @PrimaryColumn({ name: 'open_kfid', type: 'varchar', length: 64 }) openKfId: string;
  /** next_cursor of the last page stored, committed with that page's messages. */
  @Column({ type: 'varchar', length: 128, nullable: true }) cursor: string | null;
  /** Token of the latest callback (valid 10 minutes). */
  @Column({ type: 'varchar', length: 256, nullable: true }) token: string | null;
  @Column({ name: 'token_at', type: 'datetime', precision: 3, nullable: true }) tokenAt: Date | null;
  @Column({ type: 'integer', default: 0 }) requested: number;
  @Column({ type: 'integer', default: 0 }) synced: number;
  @Column({ name: 'claimed_by', type: 'varchar', length: 80, nullable: true }) claimedBy: string | null;
  @Column({ name: 'claimed_until', type: 'datetime', precision: 3, nullable: true }) claimedUntil: Date | null;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
