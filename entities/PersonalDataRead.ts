import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

/** Every read of personal data in a request or a complaint: who, when, what (SPEC 1 Art. 12). */
@Entity('personal_data_reads')
@Index('ix_pd_reads_request', ['requestId', 'at'])
@Index('ix_pd_reads_reader', ['reader', 'at'])
export class PersonalDataRead {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  /** What was read: a verification request, or a complaint (then `requestId` is the complaint's id). */
  @Column({ type: 'varchar', length: 20, default: 'verification' }) subject: 'verification' | 'complaint' | 'accountability';
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  /** userid (detail page) or "api:<key name>". */
  @Column({ type: 'varchar', length: 100 }) reader: string;
  @Column({ name: 'reader_unit', type: 'varchar', length: 40, nullable: true }) readerUnit: string | null;
  /** page | console | api | export */
  @Column({ type: 'varchar', length: 20 }) via: string;
  /** Comma-separated fields shown in full, e.g. "applicant_name,applicant_id_number". */
  @Column({ type: 'varchar', length: 200 }) fields: string;
  @Column({ type: 'datetime', precision: 3 }) at: Date;
}
