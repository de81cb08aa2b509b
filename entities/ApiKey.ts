import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** An API key; only the SHA-256 of the key is stored. unitCode null = acts as the office. */
@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ name: 'unit_code', type: 'varchar', length: 40, nullable: true }) unitCode: string | null;
  @Index('uq_api_keys_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'varchar', length: 64 }) keyHash: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true }) revokedAt: Date | null;
}
