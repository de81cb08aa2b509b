import { Entity, PrimaryColumn, Column, Index } from 'typeorm';

export type ConsoleRole = 'office' | 'unit' | 'auditor';

/**
 * A signed-in browser of the web console. Only the SHA-256 of the cookie's token is stored,
 * so a copy of the table does not let anyone sign in.
 */
@Entity('console_sessions')
@Index('ix_console_sessions_expires', ['expiresAt'])
export class ConsoleSession {
  /** Hex SHA-256 of the cookie token. */
  @PrimaryColumn({ type: 'varchar', length: 64 }) id: string;
  @Column({ type: 'varchar', length: 64 }) userid: string;
  @Column({ type: 'varchar', length: 12 }) role: ConsoleRole;
  /** The unit a unit user may see; the office's unit for office members; null for auditors. */
  @Column({ name: 'unit_code', type: 'varchar', length: 40, nullable: true }) unitCode: string | null;
  /** The session's synchronizer token for every form (CSRF). */
  @Column({ name: 'csrf_secret', type: 'varchar', length: 64 }) csrfSecret: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt: Date;
}
