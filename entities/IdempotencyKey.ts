import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** A POST answered once per (caller, Idempotency-Key): a repeat gets the stored answer. */
@Entity('idempotency_keys')
@Index('uq_idempotency', ['scope', 'idemKey'], { unique: true })
export class IdempotencyKey {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** Route and caller, e.g. "verifications|unit:RSJ". */
  @Column({ type: 'varchar', length: 100 }) scope: string;
  @Column({ name: 'idem_key', type: 'varchar', length: 100 }) idemKey: string;
  /** SHA-256 of the request body: the same key with another body is a conflict. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 }) requestHash: string;
  @Column({ name: 'status_code', type: 'integer' }) statusCode: number;
  @Column({ type: 'text' }) response: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
