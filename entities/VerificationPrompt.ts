import { Entity, PrimaryColumn, Column } from 'typeorm';

/** mismatch_details | return_reason | category_reason (arg = the new category). */
export type PromptKind = 'mismatch_details' | 'return_reason' | 'category_reason';

/**
 * The bot asked this person for details or a reason in the chat (CONTRACT "What people
 * see"); their next text message is the answer. One open question per person.
 */
@Entity('verification_prompts')
export class VerificationPrompt {
  @PrimaryColumn({ type: 'varchar', length: 64 }) userid: string;
  @Column({ name: 'request_id', type: 'integer' }) requestId: number;
  @Column({ type: 'varchar', length: 20 }) kind: PromptKind;
  @Column({ type: 'varchar', length: 20, nullable: true }) arg: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
