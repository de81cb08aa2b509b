import { Entity, PrimaryColumn, Column, Index } from 'typeorm';

/**
 * The one question the bot is waiting for a person to answer in the chat (their next
 * text message). At most one per person: asking again replaces it. See src/conversation.
 */
@Entity('open_questions')
@Index('ix_open_questions_subject', ['module', 'subject'])
export class OpenQuestion {
  @PrimaryColumn({ type: 'varchar', length: 64 }) userid: string;
  /** The module that asked and gets the answer (verification, complaints, exemptions, ...). */
  @Column({ type: 'varchar', length: 30 }) module: string;
  /** What it is about, in the module's terms: a request id, a complaint id, an application id. */
  @Column({ type: 'varchar', length: 64 }) subject: string;
  /** Which question (its TTL is declared in src/conversation/ttl.ts). */
  @Column({ type: 'varchar', length: 40 }) kind: string;
  /** What the person is told the question was about, when it is replaced or cancelled. */
  @Column({ type: 'varchar', length: 200 }) label: string;
  /** JSON of what the module needs to act on the answer. */
  @Column({ type: 'text' }) data: string;
  /** The card click that asked, kept to update that card once the answer arrives (72 h). */
  @Column({ name: 'response_code', type: 'varchar', length: 256, nullable: true }) responseCode: string | null;
  @Column({ name: 'asked_at', type: 'datetime', precision: 3 }) askedAt: Date;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt: Date;
}
