import { Entity, PrimaryColumn, Column } from 'typeorm';

/**
 * A read-only auditor of the web console (e.g. the discipline inspection office): sees what
 * the office sees, can change nothing. Designated by the office; a WeCom member who need not
 * be in the directory.
 */
@Entity('console_auditors')
export class ConsoleAuditor {
  @PrimaryColumn({ type: 'varchar', length: 64 }) userid: string;
  @Column({ type: 'varchar', length: 64 }) name: string;
  @Column({ name: 'created_by', type: 'varchar', length: 100 }) createdBy: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
