import { Entity, PrimaryColumn, Column } from 'typeorm';

/** access_token cache shared by every instance (WECOM.md §7); one row per secret. */
@Entity('wecom_tokens')
export class WecomToken {
  /** 'app' or 'kf' plus a hash of corpid+secret, never the secret itself. */
  @PrimaryColumn({ name: 'cache_key', type: 'varchar', length: 80 }) cacheKey: string;
  @Column({ name: 'access_token', type: 'varchar', length: 512, nullable: true }) accessToken: string | null;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true }) expiresAt: Date | null;
  /** One refresher at a time: whoever sets lock_until in the future refreshes. */
  @Column({ name: 'lock_until', type: 'datetime', precision: 3, nullable: true }) lockUntil: Date | null;
  @Column({ name: 'locked_by', type: 'varchar', length: 80, nullable: true }) lockedBy: string | null;
  /** Set after 40001/40091: a wrong secret stops all refreshing until configuration changes. */
  @Column({ name: 'fatal_errcode', type: 'integer', nullable: true }) fatalErrcode: number | null;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}
