import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

export type DataServiceKind = 'http' | 'sql';

/**
 * An issuing unit's data service for one certificate (秒核): the system asks it before people.
 * Secrets (the HMAC secret, the whole DSN) are stored sealed with DATA_SERVICE_KEY (AES-256-GCM).
 */
@Entity('data_services')
@Index('uq_data_service', ['issuerUnit', 'certificate'], { unique: true })
export class DataService {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40 }) issuerUnit: string;
  @Column({ type: 'varchar', length: 200 }) certificate: string;
  @Column({ type: 'varchar', length: 8 }) kind: DataServiceKind;
  /** http: the endpoint (https, or http to a loopback address). */
  @Column({ type: 'varchar', length: 500, nullable: true }) url: string | null;
  /** http: the HMAC secret; sql: the DSN. Sealed: base64 of iv | tag | ciphertext. */
  @Column({ name: 'secret_sealed', type: 'text' }) secretSealed: string;
  /** sql: the DSN with its password masked, for listings. */
  @Column({ name: 'dsn_masked', type: 'varchar', length: 500, nullable: true }) dsnMasked: string | null;
  /** sql: one parameterised SELECT with named parameters (:idNumber, :name...). */
  @Column({ name: 'sql_query', type: 'text', nullable: true }) query: string | null;
  @Column({ type: 'integer', default: 0 }) calls: number;
  @Column({ name: 'auto_answers', type: 'integer', default: 0 }) autoAnswers: number;
  @Column({ type: 'integer', default: 0 }) fallbacks: number;
  /** userid of the office member, or "api:<key name>". */
  @Column({ name: 'created_by', type: 'varchar', length: 100 }) createdBy: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
