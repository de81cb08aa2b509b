import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** overridden: answered by the service, then taken back by the unit's liaison (改判). */
export type LookupStatus = 'claimed' | 'answered' | 'fallback' | 'overridden';

/**
 * One request's lookup in a data service. The unique request id is the claim: whichever
 * instance inserts it calls the service, so no request is looked up or answered twice.
 */
@Entity('data_service_lookups')
@Index('uq_ds_lookup_request', ['requestId'], { unique: true })
@Index('ix_ds_lookup_unit', ['issuerUnit', 'claimedAt'])
export class DataServiceLookup {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  @Column({ name: 'service_id', type: 'integer' }) serviceId: number;
  @Column({ name: 'issuer_unit', type: 'varchar', length: 40 }) issuerUnit: string;
  @Column({ type: 'varchar', length: 12 }) status: LookupStatus;
  /** consistent | inconsistent | unknown, as the service said; null when it said nothing usable. */
  @Column({ type: 'varchar', length: 16, nullable: true }) result: string | null;
  /** Why it fell back (a code: timeout, http_500, garbage, circuit_open...), never personal data. */
  @Column({ type: 'varchar', length: 60, nullable: true }) failure: string | null;
  @Column({ name: 'latency_ms', type: 'integer', nullable: true }) latencyMs: number | null;
  @Column({ name: 'claimed_by', type: 'varchar', length: 64 }) claimedBy: string;
  @Column({ name: 'claimed_at', type: 'datetime', precision: 3 }) claimedAt: Date;
  @Column({ name: 'finished_at', type: 'datetime', precision: 3, nullable: true }) finishedAt: Date | null;
}
